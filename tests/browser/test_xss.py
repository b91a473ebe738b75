"""Text written by admins never runs as script on the kiosk, even if it reached the database
without passing the admin form's sanitizer (rows from older versions, or written by hand)."""

from __future__ import annotations

from kiosk.db import db
from kiosk.models import Hall, Notice, ProcedureStep, Service

PAYLOADS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 2">',
    '<a href="javascript:window.__xss=3">点我</a>',
    '<svg onload="window.__xss = 4"></svg>',
]


def test_stored_payloads_render_inert(live_server, page_factory):
    db.connect(reuse_if_open=True)
    service = Service.get(Service.code == "social_assistance")
    Service.update(conditions="条件" + "".join(PAYLOADS), summary=PAYLOADS[1]).where(
        Service.id == service.id
    ).execute()
    ProcedureStep.update(detail=PAYLOADS[0]).where(ProcedureStep.service == service).execute()
    Notice.create(
        hall=Hall.get(),
        category="service",
        title="公告" + PAYLOADS[1],
        body="<p>正文</p>" + "".join(PAYLOADS),
    )
    page = page_factory(width=1920, height=1080, touch=True)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (f"/guide/{service.id}", "/notices"):
        page.goto(live_server.url + path)
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("main script, main img[onerror], main svg[onload]").count() == 0
        for link in page.locator("main a[href^='javascript']").all():
            raise AssertionError(f"javascript link survived: {link.get_attribute('href')}")
    page.goto(live_server.url + f"/guide/{service.id}")
    assert "<script>window.__xss = 1</script>" in page.locator(".guide").inner_text()
    page.goto(live_server.url + "/notices")
    body = page.locator(".notice-body").inner_text()
    assert "正文" in body and "点我" in body
    assert dialogs == []

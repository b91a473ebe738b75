"""The audit page: readable by admins and supervisors, filterable, and it shows where a
tampered chain breaks."""

from __future__ import annotations

from bs4 import BeautifulSoup
from support import sign_in

from kiosk.db import db
from kiosk.models import AuditEntry


def test_supervisor_reads_the_trail_and_sees_tampering(app, client):
    sign_in(client, "admin")
    sign_in(client, "supervisor")
    page = BeautifulSoup(client.get("/admin/audit").data, "html.parser")
    assert "哈希链校验通过" in page.select_one("#audit-status").get_text()
    rows = page.select("table.audit tbody tr")
    assert [row.select("td")[3].get_text() for row in rows] == ["login", "login"]
    filtered = BeautifulSoup(
        client.get("/admin/audit?action=login&day=2000-01-01").data, "html.parser"
    )
    assert "没有符合条件的记录" in filtered.select_one("table.audit").get_text()
    bad_day = BeautifulSoup(client.get("/admin/audit?day=yesterday").data, "html.parser")
    assert "日期应写成" in bad_day.select_one(".flash-error").get_text()

    db.connect(reuse_if_open=True)
    first = AuditEntry.select().order_by(AuditEntry.id).first()
    db.execute_sql(
        f"UPDATE audit_entry SET actor_name = 'someone else' WHERE id = {db.param}", (first.id,)
    )
    # A page view checks only what was added since the last verified point (a year of entries is
    # not re-hashed on every look); the full check, one button away, walks everything.
    page = BeautifulSoup(client.get("/admin/audit?full=1").data, "html.parser")
    status = page.select_one("#audit-status").get_text()
    assert f"第 {first.id} 条" in status and "entry content changed" in status
    assert page.select_one("tr.broken td").get_text() == str(first.id)
    # The verified point itself (the newest entry checked) is re-checked on every view.
    newest = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    db.execute_sql(f"UPDATE audit_entry SET actor_name = 'x' WHERE id = {db.param}", (newest.id,))
    page = BeautifulSoup(client.get("/admin/audit").data, "html.parser")
    assert "哈希链校验通过" not in page.select_one("#audit-status").get_text()


def test_staff_cannot_read_the_trail(client):
    sign_in(client, "wang")
    assert client.get("/admin/audit").status_code == 403

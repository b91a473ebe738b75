"""A notice written in the admin pages prints on emupos: long Chinese text wrapped, the QR
code leading to the notices page."""

from __future__ import annotations

import io
import json
from pathlib import Path

import zxingcpp
from PIL import Image
from support import sign_in

from kiosk.db import db
from kiosk.models import Notice, Printer, PrintJob
from kiosk.spool import process_next

OUTPUT = Path(__file__).resolve().parents[1] / "output" / "printing"
BODY = (
    "<p>根据《社会救助暂行办法》，本社区2026年第四季度最低生活保障资金已于11月20日发放到户。"
    "如有疑问，请于工作日到1号窗口咨询。</p><p>监督电话：0724-4229999<script>alert(1)</script></p>"
)


def test_notice_from_the_admin_page_prints(client, emupos):
    db.connect(reuse_if_open=True)
    Printer.update(connection=json.dumps(emupos.connection())).execute()
    token = sign_in(client, "admin")
    bad = client.post(
        "/admin/notices",
        data={"csrf_token": token, "title": "", "body": BODY, "category": "service"},
    )
    assert "请填写标题" in bad.data.decode() and Notice.select().count() == 0
    saved = client.post(
        "/admin/notices",
        data={
            "csrf_token": token,
            "title": "关于发放第四季度低保金的公告",
            "category": "policy",
            "body": BODY,
            "published": "on",
        },
    )
    assert saved.status_code == 303
    notice = Notice.get()
    assert "<script" not in notice.body
    assert "关于发放第四季度低保金的公告" in client.get("/notices").data.decode()
    assert "关于发放第四季度低保金的公告" in client.get("/display").data.decode()
    assert (
        client.post(f"/admin/notices/{notice.id}/print", data={"csrf_token": token}).status_code
        == 303
    )
    known = emupos.receipt_ids()
    printer = Printer.get(Printer.role == "kiosk")  # no notice printer: the kiosk's is used
    assert process_next(printer.id) == "printed"
    [receipt] = emupos.wait_for_new(known)
    png = emupos.image(receipt["id"])
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "notice-from-admin.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    # The hall's configured address (here the LAN address found at start), not the Host header.
    expected = client.application.config["LAN_BASE_URL"] + "/notices"
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [expected]
    assert image.height > 600  # the long text wrapped over many lines
    assert PrintJob.get().source_kind == "notice"

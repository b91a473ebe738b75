"""The real printing path against the emupos ESC/POS emulator: every template prints in raster
mode, its QR decodes from emupos's own rendering, and printer faults are seen before sending."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops

from printers import PrinterConfig, PrinterError, query_status, send, templates
from printers.render import render_image

OUTPUT = Path(__file__).resolve().parents[1] / "output" / "printing"
HALL = "郢中街道社区党群服务中心"
LONG_NOTICE = (
    "根据《社会救助暂行办法》，本社区2026年第四季度最低生活保障资金已于11月20日发放到户。"
    "如有疑问，请于工作日到1号窗口咨询，或拨打监督电话0724-4229999。"
    "本公告张贴期限为七天，欢迎居民群众监督。Notice in English: please keep this slip."
)

TEMPLATES = {
    "ticket": (
        templates.queue_ticket(
            hall_name=HALL,
            service_name="户籍管理",
            number="E012",
            people_ahead=3,
            issued_at="2026-11-24 10:02",
            status_url="http://192.168.1.10:8000/t/Qm9yZWFzIGFyZWE",
            windows="5号、2号窗口",
            priority_label="老年人",
        ),
        "http://192.168.1.10:8000/t/Qm9yZWFzIGFyZWE",
    ),
    "receipt": (
        templates.acceptance_receipt(
            hall_name=HALL,
            case_number="SL20261124-001",
            resident_name="张*",
            service_name="社会救助",
            subject="低保申请，材料待补收入证明",
            accepted_by="王秀英",
            accepted_on="2026-11-24",
            deadline="2026-12-01",
            tracking_url="http://192.168.1.10:8000/c/abc123",
            supervision_phone="0724-4229999",
        ),
        "http://192.168.1.10:8000/c/abc123",
    ),
    "checklist": (
        templates.one_time_checklist(
            hall_name=HALL,
            service_name="社会救助",
            handling="承诺件：5 个工作日内办结",
            materials=[
                ("居民身份证", "original_and_copy", 1, "家庭成员每人一份"),
                ("户口簿", "original_and_copy", 1, ""),
                ("家庭收入证明", "original", 1, ""),
            ],
            steps=["咨询登记", "提交材料", "入户调查", "民主评议与公示", "审核审批", "办结通知"],
            windows="1号、4号窗口",
            consultation_phone="0724-4221000",
            supervision_phone="0724-4229999",
            fees="不收费",
            guide_url="http://192.168.1.10:8000/guide/1",
        ),
        "http://192.168.1.10:8000/guide/1",
    ),
    "notice": (
        templates.notice(
            hall_name=HALL,
            title="关于发放第四季度低保金的公告",
            body=LONG_NOTICE,
            published_on="2026年11月24日",
            url="http://192.168.1.10:8000/notices",
        ),
        "http://192.168.1.10:8000/notices",
    ),
    "service_card": (
        templates.service_card(
            hall_name=HALL,
            name="王秀英",
            post="社会救助专干",
            window="1号、4号窗口",
            phone="13872001101",
            supervision_phone="0724-4229999",
        ),
        "MECARD:N:王秀英;TEL:13872001101;ORG:郢中街道社区党群服务中心;"
        "NOTE:社会救助专干 1号、4号窗口;;",
    ),
    "test_page": (
        templates.test_page(printer_name="取号机", dot_width=576, mode="raster"),
        "TEST-PAGE-OK",
    ),
}


def config(emupos, mode: str = "raster") -> PrinterConfig:
    return PrinterConfig(name="取号机", connection=emupos.connection(), dot_width=576, mode=mode)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_prints_in_raster_mode(emupos, name):
    document, qr_payload = TEMPLATES[name]
    known = emupos.receipt_ids()
    send(document, config(emupos))
    [receipt] = emupos.wait_for_new(known)
    png = emupos.image(receipt["id"])
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.png").write_bytes(png)
    printed = Image.open(io.BytesIO(png)).convert("L")
    assert printed.width == 576
    assert [
        r.text for r in zxingcpp.read_barcodes(printed) if r.format == zxingcpp.BarcodeFormat.QRCode
    ] == [qr_payload]
    # The emulator's paper shows what we drew: compare with our own rendering, dot for dot.
    ours = render_image(document, 576).point(lambda v: 0 if v < 160 else 255, "L")
    height = min(ours.height, printed.height)
    difference = ImageChops.difference(
        ours.crop((0, 0, 576, height)), printed.crop((0, 0, 576, height))
    )
    changed = sum(difference.point(lambda value: 1 if value else 0).histogram()[1:])
    assert changed / (576 * height) < 0.001


def test_text_mode_number_reaches_the_printer(emupos):
    document, _ = TEMPLATES["ticket"]
    known = emupos.receipt_ids()
    send(document, config(emupos, "text"))
    [receipt] = emupos.wait_for_new(known)
    assert "E012" in emupos.text(receipt["id"])


@pytest.mark.parametrize(
    "fault, state, label",
    [("paper-out", "paper_out", "缺纸"), ("cover-open", "cover_open", "纸仓盖打开")],
)
def test_faults_are_reported_before_sending(emupos, fault, state, label):
    emupos.set_fault(fault)
    try:
        status = query_status(config(emupos))
        assert (status.state, status.label, status.can_print) == (state, label, False)
    finally:
        emupos.clear_fault(fault)
    assert query_status(config(emupos)).state == "ok"


def test_a_stopped_printer_is_offline_quickly(fresh_emupos):
    fresh_emupos.stop()
    started = time.perf_counter()
    status = query_status(config(fresh_emupos))
    assert status.state == "offline" and status.label == "离线"
    assert time.perf_counter() - started < 5
    with pytest.raises(PrinterError, match="取号机"):
        send(TEMPLATES["test_page"][0], config(fresh_emupos))

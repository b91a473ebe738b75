"""The real printing path against the emupos ESC/POS emulator: every template prints in raster
mode on 80 mm and 58 mm paper, its QR code decodes from emupos's own rendering, the paper
matches our preview dot for dot, text mode reaches the printer, and faults are seen before
sending. PNGs of what emupos printed are left in tests/output/printing/ for a person to look at.
"""

from __future__ import annotations

import time

import pytest
import zxingcpp
from PIL import Image, ImageChops

from printers import (
    PrinterConfig,
    PrinterError,
    print_test_page,
    query_status,
    samples,
    send,
    templates,
)
from printers.printer import close, open_connection, status_of_open
from printers.raster import THRESHOLD, render_image

HALL = samples.HALL
STATUS_URL = "http://192.168.1.10:8000/t/Qm9yZWFzIGFyZWE"
LONG_NOTICE = (
    "根据《社会救助暂行办法》，本社区2026年第四季度最低生活保障资金已于11月20日发放到户。"
    "如有疑问，请于工作日到1号窗口咨询，或拨打监督电话0724-4229999。"
    "本公告张贴期限为七天，欢迎居民群众监督。Notice in English: please keep this slip."
)
CARD_QR = (
    "MECARD:N:王秀英;TEL:13872001101;ORG:郢中街道社区党群服务中心;NOTE:社会救助专干 1号、4号窗口;;"
)


def ticket(number: str):
    return samples.ticket(
        number=number, status_url=STATUS_URL, windows="5号、2号窗口", priority_label="老年人"
    )


def documents(dot_width: int = 576) -> dict[str, tuple]:
    """name → (document, QR payload, a text the text dump must contain)."""
    return {
        "ticket": (ticket("E012"), STATUS_URL, "E012"),
        "receipt": (
            samples.receipt(
                subject="低保申请，材料待补收入证明",
                tracking_url="http://192.168.1.10:8000/c/abc123",
                supervision_phone="0724-4229999",
            ),
            "http://192.168.1.10:8000/c/abc123",
            "SL20261124-001",
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
                steps=[
                    "咨询登记",
                    "提交材料",
                    "入户调查",
                    "民主评议与公示",
                    "审核审批",
                    "办结通知",
                ],
                windows="1号、4号窗口",
                consultation_phone="0724-4221000",
                supervision_phone="0724-4229999",
                fees="不收费",
                guide_url="http://192.168.1.10:8000/guide/1",
            ),
            "http://192.168.1.10:8000/guide/1",
            "0724-4221000",
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
            "0724-4229999",
        ),
        "service_card": (samples.service_card(window="1号、4号窗口"), CARD_QR, "13872001101"),
        "test_page": (
            templates.test_page(printer_name="取号机", dot_width=dot_width, mode="raster"),
            "TEST-PAGE-OK",
            "A001",
        ),
    }


DEVICES = {"kiosk": 576, "narrow": 384}


def config(emupos, mode: str = "raster", device: str = "kiosk", **extra) -> PrinterConfig:
    return PrinterConfig(
        "取号机", emupos.connection(device), dot_width=DEVICES[device], mode=mode, **extra
    )


def print_one(emupos, document, printer: PrinterConfig, device: str = "kiosk") -> dict:
    known = emupos.receipt_ids(device)
    unknown_before = len(emupos.unknown_commands())
    send(document, printer)
    [receipt] = emupos.wait_for_receipts(1, known=known, device=device)
    time.sleep(0.05)  # emupos logs the events of a job right after completing it
    assert emupos.unknown_commands()[unknown_before:] == []  # it understood every byte
    assert receipt["boundary"] == "cut"
    return receipt


def qr_codes(picture: Image.Image) -> list[str]:
    return [
        found.text
        for found in zxingcpp.read_barcodes(picture)
        if found.format == zxingcpp.BarcodeFormat.QRCode
    ]


def changed_fraction(ours: Image.Image, printed: Image.Image) -> float:
    ours = ours.point(lambda value: 0 if value < THRESHOLD else 255, "L")
    height = min(ours.height, printed.height)
    box = (0, 0, ours.width, height)
    difference = ImageChops.difference(ours.crop(box), printed.crop(box))
    changed = sum(difference.point(lambda value: 1 if value else 0).histogram()[1:])
    return changed / (ours.width * height)


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("name", list(documents()))
def test_every_template_prints_in_raster_mode(emupos, output_dir, name, device):
    width = DEVICES[device]
    document, qr_payload, _text = documents(width)[name]
    receipt = print_one(emupos, document, config(emupos, device=device), device)
    png = emupos.image(receipt["id"], device)
    (output_dir / f"{name}-{width}.png").write_bytes(png)
    printed = emupos.picture(receipt["id"], device)
    assert printed.width == width
    assert qr_codes(printed) == [qr_payload]
    # The paper shows what we drew (the number, the Chinese text): compare dot for dot.
    ours = render_image(document, width)
    assert printed.height >= ours.height
    assert changed_fraction(ours, printed) < 0.001


def test_the_number_on_the_paper_is_the_tickets(emupos):
    """Where E012 and E013 differ on our preview, the paper matches E012."""
    document, _qr, _text = documents()["ticket"]
    receipt = print_one(emupos, document, config(emupos))
    printed = emupos.picture(receipt["id"])
    e013 = ticket("E013")
    ours, other = render_image(document, 576), render_image(e013, 576)
    box = ImageChops.difference(ours, other).getbbox()  # the last digit of the big number
    assert box is not None and box[3] - box[1] > 60
    assert changed_fraction(ours.crop(box), printed.crop(box)) < 0.001
    assert changed_fraction(other.crop(box), printed.crop(box)) > 0.05


@pytest.mark.parametrize("name", list(documents()))
def test_every_template_prints_in_text_mode(emupos, name):
    document, qr_payload, text = documents()[name]
    receipt = print_one(emupos, document, config(emupos, "text"))
    dump = emupos.text(receipt["id"])
    assert text in dump  # emupos ignores Kanji mode, so only the ASCII reads back
    assert f"[qr {qr_payload}]" in dump
    assert qr_codes(emupos.picture(receipt["id"])) == [qr_payload]  # the printer's own QR


def test_the_test_page_barcode_scans(emupos):
    known = emupos.receipt_ids()
    print_test_page(config(emupos))
    [receipt] = emupos.wait_for_receipts(1, known=known)
    found = {r.format: r.text for r in zxingcpp.read_barcodes(emupos.picture(receipt["id"]))}
    assert found[zxingcpp.BarcodeFormat.Code128] == "1234567890"
    assert found[zxingcpp.BarcodeFormat.QRCode] == "TEST-PAGE-OK"


@pytest.mark.parametrize(
    "fault, state, label, can_print",
    [
        ("paper-out", "paper_out", "缺纸", False),
        ("cover-open", "cover_open", "纸仓盖打开", False),
        ("offline", "offline", "离线", False),
        ("paper-near-end", "paper_low", "纸将用完", True),
    ],
)
def test_faults_are_reported_before_sending(emupos, fault, state, label, can_print):
    assert query_status(config(emupos)).state == "ok"
    emupos.set_fault(fault)
    status = query_status(config(emupos))
    assert (status.state, status.label, status.can_print) == (state, label, can_print)
    emupos.clear_fault(fault)
    assert query_status(config(emupos)).state == "ok"


def test_python_escpos_reads_paper_out_as_we_do(emupos):
    emupos.set_fault("paper-out")
    printer = open_connection(config(emupos))
    try:
        assert printer.paper_status() == 0  # 0 = no paper
        assert printer.is_online() is False
        assert status_of_open(printer).state == "paper_out"
    finally:
        close(printer)


def test_a_job_sent_despite_paper_out_is_held_until_paper_is_back(emupos):
    """Why callers ask first: the send itself succeeds, and the slip comes out only later."""
    document, _qr, _text = documents()["ticket"]
    known = emupos.receipt_ids()
    emupos.set_fault("paper-out")
    send(document, config(emupos))
    time.sleep(0.5)
    assert emupos.receipt_ids() == known
    emupos.clear_fault("paper-out")
    assert len(emupos.wait_for_receipts(1, known=known)) == 1


def test_a_stopped_printer_is_offline_within_the_timeout_and_back_after(fresh_emupos):
    printer = config(fresh_emupos, timeout=2.0)
    fresh_emupos.stop()
    started = time.monotonic()
    status = query_status(printer)
    assert (status.state, status.label) == ("offline", "离线")
    with pytest.raises(PrinterError, match="^取号机: cannot connect"):
        send(documents()["ticket"][0], printer)
    assert time.monotonic() - started < 2 * printer.timeout
    fresh_emupos.start()
    assert query_status(printer).state == "ok"
    send(documents()["ticket"][0], printer)
    assert len(fresh_emupos.wait_for_receipts(1)) == 1

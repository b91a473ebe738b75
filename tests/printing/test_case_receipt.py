"""The acceptance receipt (受理回执) of a real case, in raster mode on emupos at 576 and 384 dots:
the QR code read back from the printed image is the case's status address, and the receipt
carries the lookup code, the agent and the missing materials (image kept for a person)."""

from __future__ import annotations

import datetime as dt

import pytest
from test_emupos import DEVICES, config, print_one, qr_codes

from kiosk import cases, clock
from kiosk.models import Service, Staff
from kiosk.printing import receipt_document


@pytest.mark.parametrize("device", list(DEVICES))
def test_receipt_qr_decodes_to_the_case_page(hall, emupos, output_dir, device):
    service = Service.get(Service.code == "social_assistance")
    names = cases.guide_materials(service)
    data = cases.validate_registration(
        "王秀英", "13800001111", "", "5", missing=names[1:3], received=names[:1]
    )
    now = clock.from_local(dt.datetime(2026, 11, 25, 10), hall.timezone)
    case = cases.register_case(
        None,
        Staff.get(Staff.username == "wang"),
        data,
        hall=hall,
        service=service,
        agent=Staff.get(Staff.username == "chen"),
        window_number=1,
        now=now,
    )
    url = f"http://192.168.1.10:8000/c/{case.tracking_code}"
    document = receipt_document(case, url)
    receipt = print_one(emupos, document, config(emupos, "raster", device), device)
    picture = emupos.picture(receipt["id"], device)
    picture.save(output_dir / f"case-receipt-{device}.png")
    assert qr_codes(picture) == [url]
    flat = " ".join(f"{block.text} {block.value}" for block in document.blocks)
    assert case.lookup_code in flat and "陈静" in flat and "13872001104" in flat
    assert all(name in flat for name in names[1:3]) and "王*英" in flat

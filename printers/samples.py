"""Sample documents with made-up data, for the benchmarks and the tests: a ticket, an
acceptance receipt and a staff member's service card as a hall prints them. Each function
takes keyword arguments that replace or add fields."""

from __future__ import annotations

from . import templates
from .document import Document

HALL = "郢中街道社区党群服务中心"

TICKET = {
    "hall_name": HALL,
    "service_name": "户籍管理",
    "number": "E012",
    "people_ahead": 3,
    "issued_at": "2026-11-24 10:02",
    "status_url": "http://hall/t/abc",
}

RECEIPT = {
    "hall_name": HALL,
    "case_number": "SL20261124-001",
    "resident_name": "张三丰",
    "service_name": "社会救助",
    "accepted_by": "王秀英",
    "accepted_on": "2026-11-24",
    "deadline": "2026-12-01",
    "tracking_url": "http://hall/c/abc",
}

CARD = {
    "hall_name": HALL,
    "name": "王秀英",
    "post": "社会救助专干",
    "window": "1号窗口",
    "phone": "13872001101",
    "supervision_phone": "0724-4229999",
}


def ticket(**changes) -> Document:
    """Ticket E012 of 户籍管理 with three people ahead; `changes` replace or add fields."""
    return templates.queue_ticket(**(TICKET | changes))


def receipt(**changes) -> Document:
    """The receipt of case SL20261124-001 for 张三丰; `changes` replace or add fields."""
    return templates.acceptance_receipt(**(RECEIPT | changes))


def service_card(**changes) -> Document:
    """The service card of 王秀英, 社会救助专干 at window 1; `changes` replace or add fields."""
    return templates.service_card(**(CARD | changes))

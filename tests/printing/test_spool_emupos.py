"""The print spool against the emupos emulator: a fault while jobs are queued holds them and
shows on the Printer row; when the fault clears each job prints exactly once, in order; the
same when the printer is down and comes back, and across a spool stop and start."""

from __future__ import annotations

import json
import time

import pytest
import zxingcpp
from support import wait_until

from kiosk.db import write_transaction
from kiosk.models import Hall, Printer, PrintJob
from kiosk.spool import Spool, enqueue
from printers import templates


def ticket(number: str):
    return templates.queue_ticket(
        hall_name="郢中街道社区党群服务中心",
        service_name="户籍管理",
        number=number,
        people_ahead=0,
        issued_at="2026-11-24 10:02",
        status_url=f"http://hall.local/t/{number}",
    )


def make_printer(emulator) -> Printer:
    hall = Hall.create(code="yz", name="郢中街道社区党群服务中心")
    return Printer.create(
        hall=hall, name="取号机", connection=json.dumps(emulator.connection()), dot_width=576
    )


def queue_tickets(printer: Printer, numbers: list[str]) -> None:
    for number in numbers:
        with write_transaction():  # as the kiosk does: the job commits with its ticket
            enqueue(printer, ticket(number), "ticket", None)


def printer_state(printer: Printer) -> tuple[str, str]:
    row = Printer.get_by_id(printer.id)
    return row.state, row.state_label


def printed_numbers(emulator, receipts: list[dict]) -> list[str]:
    """The ticket numbers, read back from the QR code on each slip."""
    numbers = []
    for receipt in receipts:
        [code] = zxingcpp.read_barcodes(emulator.picture(receipt["id"]))
        numbers.append(code.text.rsplit("/", 1)[1])
    return numbers


def start_spool(printer: Printer) -> Spool:
    return Spool(printer.hall_id, rescan_seconds=0.1, max_backoff=0.5).start()


@pytest.mark.parametrize(
    "fault, state, label",
    [
        ("paper-out", "paper_out", "缺纸"),
        ("cover-open", "cover_open", "纸仓盖打开"),
        ("offline", "offline", "离线"),
    ],
)
def test_a_fault_holds_queued_jobs_then_each_prints_once(database, emupos, fault, state, label):
    printer = make_printer(emupos)
    known = emupos.receipt_ids()
    emupos.set_fault(fault)
    spool = start_spool(printer)
    try:
        queue_tickets(printer, ["A001", "A002"])
        wait_until(lambda: printer_state(printer) == (state, label))
        time.sleep(0.5)
        assert emupos.receipt_ids() == known  # nothing was sent into the fault
        assert {job.status for job in PrintJob.select()} == {"pending"}
        assert PrintJob.select().where(PrintJob.last_error == label).count() >= 1
        emupos.clear_fault(fault)
        receipts = emupos.wait_for_receipts(2, known=known)
        wait_until(lambda: PrintJob.select().where(PrintJob.status == "printed").count() == 2)
        time.sleep(0.5)
    finally:
        spool.stop()
    assert len(emupos.receipt_ids() - known) == 2  # exactly once each
    assert printed_numbers(emupos, receipts) == ["A001", "A002"]  # in order
    assert printer_state(printer) == ("ok", "正常")


def test_a_printer_down_then_up_prints_each_job_once(database, fresh_emupos):
    printer = make_printer(fresh_emupos)
    fresh_emupos.stop()
    spool = start_spool(printer)
    try:
        queue_tickets(printer, ["B001", "B002"])
        wait_until(lambda: printer_state(printer) == ("offline", "离线"))
        assert "cannot connect" in Printer.get_by_id(printer.id).last_error
        fresh_emupos.start()
        receipts = fresh_emupos.wait_for_receipts(2)
        wait_until(lambda: PrintJob.select().where(PrintJob.status == "printed").count() == 2)
        time.sleep(0.5)
    finally:
        spool.stop()
    assert len(fresh_emupos.receipts()) == 2
    assert printed_numbers(fresh_emupos, receipts) == ["B001", "B002"]
    assert printer_state(printer) == ("ok", "正常")


def test_jobs_pending_at_a_stop_print_once_after_a_restart(database, emupos):
    printer = make_printer(emupos)
    known = emupos.receipt_ids()
    emupos.set_fault("paper-out")
    first = start_spool(printer)
    try:
        queue_tickets(printer, ["C001", "C002", "C003"])
        wait_until(lambda: printer_state(printer)[0] == "paper_out")
    finally:
        first.stop()
    assert [job.status for job in PrintJob.select()] == ["pending"] * 3
    emupos.clear_fault("paper-out")
    time.sleep(0.3)
    assert emupos.receipt_ids() == known  # nobody is sending while the spool is stopped
    second = start_spool(printer)
    try:
        receipts = emupos.wait_for_receipts(3, known=known)
        wait_until(lambda: PrintJob.select().where(PrintJob.status == "printed").count() == 3)
        time.sleep(0.5)
    finally:
        second.stop()
    assert len(emupos.receipt_ids() - known) == 3
    assert printed_numbers(emupos, receipts) == ["C001", "C002", "C003"]

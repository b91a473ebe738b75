"""The print spool's rules with a fake printer (no network): outbox, order, holding on faults
with backoff, exactly-once marking, failures, cancel/reprint, the lease between processes and
recovery of jobs interrupted by a crash. Against the emupos emulator: tests/printing."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import threading
import time

import pytest
from support import wait_until

from kiosk import spool
from kiosk.db import db, write_transaction
from kiosk.models import Hall, Printer, PrintJob
from kiosk.spool import (
    INTERRUPTED,
    Spool,
    acquire_lease,
    backoff_seconds,
    cancel,
    enqueue,
    process_next,
    reprint,
)
from printers import Document, PrinterError, PrinterStatus
from printers.render import render


class FakePrinterIO:
    """Stands in for printers.query_status / printers.send inside kiosk.spool."""

    def __init__(self):
        self.state = "ok"
        self.send_error: str | None = None
        self.sent: list[bytes] = []
        self.senders: set[str] = set()  # owner tokens of the spools that sent
        self.io_in_transaction: list[bool] = []
        self.lock = threading.Lock()

    def query_status(self, config) -> PrinterStatus:
        self.io_in_transaction.append(db.in_transaction())
        if self.state == "unreachable":
            return PrinterStatus("offline", "connection refused")
        return PrinterStatus(self.state)

    def send(self, data, config) -> int:
        self.io_in_transaction.append(db.in_transaction())
        if self.send_error:
            raise PrinterError(config.name, self.send_error)
        with self.lock:
            self.sent.append(bytes(data))
            worker = threading.current_thread()
            self.senders.add(worker.spool.owner if hasattr(worker, "spool") else "direct")
        return len(data)


@pytest.fixture
def fake(monkeypatch) -> FakePrinterIO:
    io = FakePrinterIO()
    monkeypatch.setattr(spool, "query_status", io.query_status)
    monkeypatch.setattr(spool, "send", io.send)
    return io


@pytest.fixture
def printer(database) -> Printer:
    hall = Hall.create(code="test", name="测试社区服务中心")
    return Printer.create(
        hall=hall,
        name="取号机",
        connection='{"kind": "network", "host": "127.0.0.1", "port": 9100}',
        dot_width=384,
        mode="text",  # fast to render; the bytes are checked against render()
    )


def slip(number: str) -> Document:
    return Document(name=f"ticket {number}").big(number).cut()


def bytes_of(number: str, printer: Printer) -> bytes:
    return render(slip(number), spool.printer_config(printer))


def later(seconds: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=seconds)


def test_a_job_is_written_with_the_callers_transaction_or_not_at_all(printer):
    with pytest.raises(RuntimeError), write_transaction():
        enqueue(printer, slip("A001"), "ticket", 1)
        raise RuntimeError("the ticket could not be issued")
    assert PrintJob.select().count() == 0
    with write_transaction():
        job = enqueue(printer, slip("A002"), "ticket", 2)
    assert (job.status, job.source_kind, job.source_id) == ("pending", "ticket", 2)


def test_jobs_print_once_each_in_order(printer, fake):
    for number in ("A001", "A002", "A003"):
        enqueue(printer, slip(number))
    assert [process_next(printer.id) for _ in range(4)] == ["printed"] * 3 + ["idle"]
    assert fake.sent == [bytes_of(n, printer) for n in ("A001", "A002", "A003")]
    jobs = list(PrintJob.select().order_by(PrintJob.id))
    assert [(j.status, j.attempts) for j in jobs] == [("printed", 1)] * 3
    assert all(j.printed_at is not None for j in jobs)
    assert Printer.get_by_id(printer.id).state_label == "正常"
    assert not any(fake.io_in_transaction)  # no printer I/O inside a database transaction


@pytest.mark.parametrize(
    "state, label", [("paper_out", "缺纸"), ("cover_open", "纸仓盖打开"), ("unreachable", "离线")]
)
def test_a_fault_holds_the_job_with_backoff_and_shows_on_the_printer(printer, fake, state, label):
    job = enqueue(printer, slip("A001"))
    fake.state = state
    expected = "offline" if state == "unreachable" else state
    assert process_next(printer.id) == expected
    held = PrintJob.get_by_id(job.id)
    assert (held.status, held.attempts, held.last_error) == ("pending", 1, label)
    row = Printer.get_by_id(printer.id)
    assert (row.state, row.state_label) == (expected, label)
    assert process_next(printer.id) == "waiting"  # backing off, not hammering the printer
    assert process_next(printer.id, now=later(1.5)) == expected
    assert PrintJob.get_by_id(job.id).attempts == 2
    fake.state = "ok"
    assert process_next(printer.id, now=later(60)) == "printed"
    assert fake.sent == [bytes_of("A001", printer)]
    assert Printer.get_by_id(printer.id).state == "ok"
    assert not any(fake.io_in_transaction)


def test_backoff_doubles_up_to_the_cap():
    assert [backoff_seconds(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 8, 8]
    assert backoff_seconds(10, cap=2) == 2


def test_a_held_job_keeps_later_jobs_behind_it(printer, fake):
    first = enqueue(printer, slip("A001"))
    enqueue(printer, slip("A002"))
    fake.state = "paper_out"
    process_next(printer.id)
    fake.state = "ok"
    assert process_next(printer.id) == "waiting"
    assert fake.sent == []
    assert process_next(printer.id, now=later(60)) == "printed"
    assert PrintJob.get_by_id(first.id).status == "printed"
    assert fake.sent == [bytes_of("A001", printer)]


def test_a_failed_send_is_retried_and_marked_printed_once(printer, fake):
    job = enqueue(printer, slip("A001"))
    fake.send_error = "connection reset"
    assert process_next(printer.id) == "offline"
    held = PrintJob.get_by_id(job.id)
    assert (held.status, held.last_error) == ("pending", "connection reset")
    assert Printer.get_by_id(printer.id).state_label == "离线"
    fake.send_error = None
    assert process_next(printer.id, now=later(60)) == "printed"
    assert process_next(printer.id, now=later(60)) == "idle"
    assert len(fake.sent) == 1 and PrintJob.get_by_id(job.id).attempts == 2


def test_an_unreadable_document_fails_without_blocking_the_queue(printer, fake):
    broken = PrintJob.create(hall=printer.hall_id, printer=printer, document='{"blocks": 5}')
    enqueue(printer, slip("A002"))
    assert process_next(printer.id) == "failed"
    assert process_next(printer.id) == "printed"
    failed = PrintJob.get_by_id(broken.id)
    assert failed.status == "failed" and failed.last_error.startswith("无法打印")
    assert fake.sent == [bytes_of("A002", printer)]


def test_bad_printer_settings_keep_the_job(printer, fake):
    Printer.update(dot_width=500).where(Printer.id == printer.id).execute()
    job = enqueue(printer, slip("A001"))
    assert process_next(printer.id) == "misconfigured"
    assert PrintJob.get_by_id(job.id).status == "pending"
    assert "打印机设置有误" in Printer.get_by_id(printer.id).last_error
    assert fake.sent == []


def test_cancel_only_before_printing_and_reprint_makes_a_new_job(printer, fake):
    waiting = enqueue(printer, slip("A001"))
    assert cancel(waiting) is True
    assert process_next(printer.id) == "idle" and fake.sent == []
    done = enqueue(printer, slip("A002"))
    process_next(printer.id)
    assert cancel(done) is False
    again = reprint(PrintJob.get_by_id(done.id))
    assert (again.id != done.id, again.status, again.document) == (True, "pending", done.document)
    assert process_next(printer.id) == "printed"
    assert fake.sent == [bytes_of("A002", printer)] * 2
    assert PrintJob.get_by_id(waiting.id).status == "cancelled"


def test_a_disabled_printer_keeps_its_jobs(printer, fake):
    enqueue(printer, slip("A001"))
    Printer.update(enabled=False).where(Printer.id == printer.id).execute()
    assert process_next(printer.id) == "disabled"
    assert fake.sent == [] and PrintJob.get().status == "pending"


def dead_owner() -> str:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}:dead"


def test_the_lease_keeps_other_processes_out_until_it_expires(printer):
    assert acquire_lease(printer.id, "hall-pc:4242:aaaa")
    assert acquire_lease(printer.id, "hall-pc:4242:aaaa")  # renewal
    assert not acquire_lease(printer.id, "other-pc:77:bbbb")
    assert acquire_lease(printer.id, "other-pc:77:bbbb", now=later(121))  # holder went silent


def test_a_dead_process_of_this_pc_loses_its_lease_at_once(printer):
    assert acquire_lease(printer.id, dead_owner())
    assert acquire_lease(printer.id, "this-server:1:new")
    assert Printer.get_by_id(printer.id).spool_owner == "this-server:1:new"


def test_a_job_left_printing_by_a_crash_is_printed_again_once(printer, fake):
    crashed = enqueue(printer, slip("A001"))
    PrintJob.update(status="printing").where(PrintJob.id == crashed.id).execute()
    enqueue(printer, slip("A002"))
    acquire_lease(printer.id, dead_owner())
    running = Spool(printer.hall_id, rescan_seconds=0.1).start()
    try:
        wait_until(lambda: PrintJob.select().where(PrintJob.status == "printed").count() == 2)
    finally:
        running.stop()
    # The interrupted slip is printed again with 【补打】 on top, so nobody holds two identical
    # tickets without knowing; the next one is printed as it was.
    marked = render(slip("A001").mark_reprint(spool.REPRINT_MARK), spool.printer_config(printer))
    assert fake.sent == [marked, bytes_of("A002", printer)]
    assert marked != bytes_of("A001", printer)
    assert PrintJob.get_by_id(crashed.id).last_error == INTERRUPTED
    assert Printer.get_by_id(printer.id).spool_owner == ""  # released on stop


def test_a_job_printing_in_another_live_process_is_left_alone(printer, fake):
    job = enqueue(printer, slip("A001"))
    PrintJob.update(status="printing").where(PrintJob.id == job.id).execute()
    enqueue(printer, slip("A002"))
    acquire_lease(printer.id, "other-pc:77:alive")
    running = Spool(printer.hall_id, rescan_seconds=0.1).start()
    try:
        time.sleep(0.5)
    finally:
        running.stop()
    assert PrintJob.get_by_id(job.id).status == "printing"
    assert fake.sent == []


def test_two_spools_never_print_a_job_twice(printer, fake):
    numbers = [f"A{n:03d}" for n in range(1, 21)]
    spools = [Spool(printer.hall_id, rescan_seconds=0.05).start() for _ in range(2)]
    try:
        for number in numbers:
            with write_transaction():
                enqueue(printer, slip(number))
        wait_until(lambda: PrintJob.select().where(PrintJob.status == "printed").count() == 20)
    finally:
        for running in spools:
            running.stop()
    assert fake.sent == [bytes_of(n, printer) for n in numbers]
    assert len(fake.senders) == 1  # only the lease holder sent


def test_jobs_pending_at_a_stop_print_once_after_a_restart(printer, fake):
    fake.state = "paper_out"
    first = Spool(printer.hall_id, rescan_seconds=0.05, max_backoff=0.5).start()
    try:
        for number in ("A001", "A002", "A003"):
            with write_transaction():
                enqueue(printer, slip(number))
        wait_until(lambda: Printer.get_by_id(printer.id).state == "paper_out")
    finally:
        first.stop()
    assert fake.sent == []
    assert [j.status for j in PrintJob.select()] == ["pending"] * 3
    fake.state = "ok"
    second = Spool(printer.hall_id, rescan_seconds=0.05, max_backoff=0.5).start()
    try:
        wait_until(lambda: PrintJob.select().where(PrintJob.status == "printed").count() == 3)
        time.sleep(0.3)
    finally:
        second.stop()
    assert fake.sent == [bytes_of(n, printer) for n in ("A001", "A002", "A003")]


def test_an_idle_printers_fault_shows_before_any_job(printer, fake):
    fake.state = "cover_open"
    running = Spool(printer.hall_id, rescan_seconds=0.05, idle_check_seconds=0.1).start()
    try:
        wait_until(lambda: Printer.get_by_id(printer.id).state_label == "纸仓盖打开")
    finally:
        running.stop()


def reprint_count(printer: Printer) -> int:
    from kiosk.printer_admin import printer_rows

    [row] = [r for r in printer_rows(printer.hall_id) if r["printer"].id == printer.id]
    return row["reprinted"]


def marked_bytes(number: str, printer: Printer) -> bytes:
    return render(slip(number).mark_reprint(spool.REPRINT_MARK), spool.printer_config(printer))


def test_a_crashed_job_that_then_meets_an_offline_printer_keeps_its_reprint_mark(printer, fake):
    crashed = enqueue(printer, slip("A001"))
    PrintJob.update(status="printing").where(PrintJob.id == crashed.id).execute()
    assert spool.recover_interrupted(printer.id) == 1
    fake.state = "unreachable"  # the printer is offline when the job comes round again
    assert process_next(printer.id) == "offline"
    held = PrintJob.get_by_id(crashed.id)
    assert held.status == "pending" and held.last_error != INTERRUPTED
    assert held.interrupted  # the hold's reason did not erase the 补打 mark
    fake.state = "ok"
    assert process_next(printer.id, now=later(60)) == "printed"
    assert fake.sent == [marked_bytes("A001", printer)]
    printed = PrintJob.get_by_id(crashed.id)
    assert printed.interrupted and printed.last_error == INTERRUPTED
    assert reprint_count(printer) == 1


def test_a_send_failing_midway_is_printed_again_as_a_reprint(printer, fake):
    job = enqueue(printer, slip("A001"))
    enqueue(printer, slip("A002"))
    fake.send_error = "connection reset"
    assert process_next(printer.id) == "offline"
    assert PrintJob.get_by_id(job.id).interrupted
    fake.send_error = None
    assert process_next(printer.id, now=later(60)) == "printed"
    assert process_next(printer.id, now=later(60)) == "printed"
    # The first may have come out in part: 补打 on paper; the second was never started.
    assert fake.sent == [marked_bytes("A001", printer), bytes_of("A002", printer)]
    assert reprint_count(printer) == 1


def test_a_fault_before_the_send_is_not_a_reprint(printer, fake):
    job = enqueue(printer, slip("A001"))
    fake.state = "paper_out"
    process_next(printer.id)
    fake.state = "ok"
    assert process_next(printer.id, now=later(60)) == "printed"
    assert not PrintJob.get_by_id(job.id).interrupted
    assert fake.sent == [bytes_of("A001", printer)] and reprint_count(printer) == 0

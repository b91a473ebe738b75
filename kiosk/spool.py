"""The persistent print spool (outbox): jobs are rows written in the same transaction as what
they print, and a worker thread per printer sends them.

- Before sending, the worker asks the printer's status (DLE EOT). On paper out, cover open or a
  refused connection the job stays pending and is retried with backoff (capped at MAX_BACKOFF so
  a cleared fault prints within seconds); the Printer row shows the fault to staff.
- A job is marked `printing` (committed) just before its bytes go out and `printed` right after.
  A job found `printing` at start-up was interrupted by a crash in that instant: it is sent
  again (a second slip is better than a resident with none) — at-least-once in that window,
  exactly once otherwise.
- No printer I/O ever happens inside a database transaction.
Workers start only when the app factory is asked to (START_PRINT_SPOOL), never on import.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

from printers import Document, PrinterConfig, PrinterError, query_status, send

from . import clock
from .db import connection, db
from .models import Printer, PrintJob

log = logging.getLogger(__name__)

MAX_BACKOFF = 5.0
IDLE_POLL = 0.5
_wakeups: dict[int, threading.Event] = {}


def printer_config(printer: Printer) -> PrinterConfig:
    return PrinterConfig(
        name=printer.name,
        connection=json.loads(printer.connection or "{}"),
        dot_width=printer.dot_width,
        mode=printer.mode,
        font_path=printer.font_path,
    )


def enqueue(
    printer: Printer, document: Document, source_kind: str = "", source_id: int | None = None
) -> PrintJob:
    """Write a job (call inside the caller's transaction: the outbox)."""
    job = PrintJob.create(
        hall=printer.hall_id,
        printer=printer,
        document=document.to_json(),
        source_kind=source_kind,
        source_id=source_id,
    )
    event = _wakeups.get(printer.id)
    if event is not None:
        event.set()  # harmless before commit: the worker just looks a little earlier
    return job


def reprint(job: PrintJob) -> PrintJob:
    """A new job with the same document (the old one keeps its history)."""
    with db.atomic():
        return enqueue(
            job.printer, Document.from_json(job.document), job.source_kind, job.source_id
        )


def cancel(job: PrintJob) -> bool:
    changed = (
        PrintJob.update(status="cancelled")
        .where((PrintJob.id == job.id) & (PrintJob.status == "pending"))
        .execute()
    )
    return bool(changed)


def backoff_seconds(attempts: int) -> float:
    return min(MAX_BACKOFF, 0.5 * (2 ** max(attempts - 1, 0)))


def _set_printer_state(printer_id: int, state: str, label: str, error: str = "") -> None:
    Printer.update(
        state=state, state_label=label, last_error=error, last_checked_at=clock.utcnow()
    ).where(Printer.id == printer_id).execute()


def recover_interrupted(printer_id: int) -> int:
    return (
        PrintJob.update(status="pending")
        .where((PrintJob.printer == printer_id) & (PrintJob.status == "printing"))
        .execute()
    )


def process_next(printer_id: int, *, now: dt.datetime | None = None) -> str:
    """Handle at most one due job of the printer; returns what happened (for tests/logs)."""
    now = now or clock.utcnow()
    printer = Printer.get_or_none(Printer.id == printer_id)
    if printer is None or not printer.enabled:
        return "disabled"
    job = (
        PrintJob.select()
        .where((PrintJob.printer == printer_id) & (PrintJob.status == "pending"))
        .order_by(PrintJob.id)
        .first()
    )
    if job is None:
        return "idle"
    if job.next_attempt_at > now:
        return "waiting"
    config = printer_config(printer)
    status = query_status(config)
    if not status.can_print:
        attempts = job.attempts + 1
        PrintJob.update(
            attempts=attempts,
            last_error=status.label,
            next_attempt_at=now + dt.timedelta(seconds=backoff_seconds(attempts)),
        ).where(PrintJob.id == job.id).execute()
        _set_printer_state(printer_id, status.state, status.label, status.detail)
        return status.state
    claimed = (
        PrintJob.update(status="printing")
        .where((PrintJob.id == job.id) & (PrintJob.status == "pending"))
        .execute()
    )
    if not claimed:
        return "cancelled"
    try:
        send(Document.from_json(job.document), config)
    except PrinterError as error:
        attempts = job.attempts + 1
        PrintJob.update(
            status="pending",
            attempts=attempts,
            last_error=error.message,
            next_attempt_at=clock.utcnow() + dt.timedelta(seconds=backoff_seconds(attempts)),
        ).where(PrintJob.id == job.id).execute()
        _set_printer_state(printer_id, "offline", "离线", error.message)
        return "offline"
    PrintJob.update(
        status="printed", printed_at=clock.utcnow(), attempts=job.attempts + 1, last_error=""
    ).where(PrintJob.id == job.id).execute()
    after = query_status(config)  # e.g. the roll ran out on this very ticket
    _set_printer_state(printer_id, after.state, after.label, after.detail)
    return "printed"


class PrinterWorker(threading.Thread):
    def __init__(self, printer_id: int, stop: threading.Event):
        super().__init__(name=f"print-spool-{printer_id}", daemon=True)
        self.printer_id = printer_id
        self.stop_event = stop
        self.wake = _wakeups.setdefault(printer_id, threading.Event())

    def run(self) -> None:
        with connection():
            recover_interrupted(self.printer_id)
        while not self.stop_event.is_set():
            try:
                with connection():
                    outcome = process_next(self.printer_id)
            except Exception:  # noqa: BLE001 - the worker must outlive any one bad job
                log.exception("print spool %s failed", self.printer_id)
                outcome = "error"
            if outcome in ("printed", "cancelled"):
                continue
            self.wake.wait(IDLE_POLL if outcome in ("idle", "disabled") else 0.25)
            self.wake.clear()


class Spool:
    """Starts a worker per enabled printer of the hall and picks up printers added later."""

    def __init__(self, hall_id: int | None = None, rescan_seconds: float = 5.0):
        self.hall_id = hall_id
        self.rescan_seconds = rescan_seconds
        self.stop_event = threading.Event()
        self.workers: dict[int, PrinterWorker] = {}
        self.thread = threading.Thread(target=self._run, name="print-spool", daemon=True)

    def start(self) -> Spool:
        self.thread.start()
        return self

    def _scan(self) -> None:
        with connection():
            query = Printer.select(Printer.id).where(Printer.enabled == True)  # noqa: E712
            if self.hall_id is not None:
                query = query.where(Printer.hall == self.hall_id)
            ids = [row.id for row in query]
        for printer_id in ids:
            if printer_id not in self.workers or not self.workers[printer_id].is_alive():
                worker = PrinterWorker(printer_id, self.stop_event)
                self.workers[printer_id] = worker
                worker.start()

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self._scan()
            except Exception:  # noqa: BLE001
                log.exception("print spool scan failed")
            self.stop_event.wait(self.rescan_seconds)

    def stop(self) -> None:
        self.stop_event.set()
        for event in _wakeups.values():
            event.set()
        for worker in self.workers.values():
            worker.join(timeout=10)
        self.thread.join(timeout=10)

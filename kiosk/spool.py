"""The persistent print spool (outbox pattern): a print job is a row written in the same
transaction as what it prints (the ticket, the case), and a worker thread per printer sends the
jobs in order. No Flask here; workers start only when the app factory asks (START_PRINT_SPOOL),
never on import.

How a job goes out (`process_next`):
1. The oldest pending job of the printer is rendered (a document that cannot be read or drawn
   is marked `failed` at once: retrying would not help).
2. The printer is asked its status (DLE EOT). Paper out, cover open, offline or not reachable:
   the job stays `pending`, `next_attempt_at` moves out with exponential backoff (capped at
   `max_backoff`, so a cleared fault prints within seconds), and the Printer row shows the
   state and its Chinese label for staff and the kiosk. Later jobs wait behind it: tickets
   come out in order.
3. The job is claimed (`pending` → `printing`, committed), the bytes are sent, and the job is
   marked `printed` (conditional update: once). Then the status is asked again (the roll may
   have run out on this very slip; the printer holds the rest until paper is back).
No printer I/O ever happens inside a database transaction: every write is its own short
transaction (`write_transaction`), between the printer calls.

Exactly once, and what a crash does:
- Only one worker in all server processes sends to a printer: it holds the printer's lease
  (Printer.spool_owner, renewed every `lease_seconds / 3`). Another process's worker takes the
  lease only when it is free, expired, or held by a process of this host that no longer runs
  (so a restarted server prints at once). Two processes never both print a job.
- A job found `printing` when a worker takes the lease was interrupted by the death of the
  previous holder somewhere between claiming it and recording it printed: the slip may have
  come out whole, in part, or not at all, and ESC/POS cannot tell us. It is sent again (a
  second slip with the same number is harmless; a resident with no slip is not), and its
  last_error says so. This window is the send itself (milliseconds to a second); everywhere
  else a job prints exactly once. A send that fails midway (connection dropped) is retried the
  same way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import time
import uuid

from peewee import Case

from printers import Document, DocumentError, PrinterConfig, PrinterError, query_status, send
from printers.render import render

from . import clock
from .db import connection, write_transaction
from .errors import ValidationError
from .labels import PRINTER_STATES
from .models import Hall, Printer, PrintJob
from .print_files import check_path
from .words import FINISHED_JOB_STATUSES, JobStatus

log = logging.getLogger(__name__)

MAX_BACKOFF = 8.0  # seconds between attempts at most, once a fault has lasted a while
IDLE_POLL = 0.5  # how often an idle worker looks for new jobs (enqueue also wakes it)
IDLE_CHECK_SECONDS = 30.0  # an idle printer's status is refreshed this often, for staff
LEASE_SECONDS = 120.0  # longer than any send can take (a long notice on a slow printer)
INTERRUPTED = "上次打印被中断，已重新打印"
EXPIRED = "打印机故障时间过长，号票已过期未打印"
REPRINT_MARK = "【补打】上次打印被中断；如已有同号号票，请交回一张"

_wakeups: dict[int, threading.Event] = {}


def _wakeup(printer_id: int) -> threading.Event:
    return _wakeups.setdefault(printer_id, threading.Event())


def printer_config(printer: Printer) -> PrinterConfig:
    """The paper layer's description of a Printer row (ValueError when its settings are bad).

    A file printer's path is checked again here, at every use: it must resolve inside the
    print-files folder (see kiosk/print_files.py), whatever the row says."""
    connection = json.loads(printer.connection or "{}")
    if connection.get("kind") == "file":
        try:
            connection["path"] = check_path(str(connection.get("path", "")))
        except ValidationError as error:
            raise ValueError(str(error)) from None
    return PrinterConfig(
        name=printer.name,
        connection=connection,
        dot_width=printer.dot_width,
        mode=printer.mode,
        font_path=printer.font_path,
    )


# --- jobs -----------------------------------------------------------------------------------


def enqueue(
    printer: Printer, document: Document, source_kind: str = "", source_id: int | None = None
) -> PrintJob:
    """Write a print job. Call it inside the caller's transaction (the outbox): the job is
    committed together with what it prints, or not at all."""
    job = PrintJob.create(
        hall=printer.hall_id,
        printer=printer,
        document=document.to_json(),
        source_kind=source_kind,
        source_id=source_id,
    )
    # Before the commit the worker cannot see the job yet; it looks again shortly (see run()).
    _wakeup(printer.id).set()
    return job


def reprint(job: PrintJob) -> PrintJob:
    """A new pending job with the same document (the old one keeps its history)."""
    with write_transaction():
        return enqueue(
            Printer.get_by_id(job.printer_id),
            Document.from_json(job.document),
            job.source_kind,
            job.source_id,
        )


def cancel(job: PrintJob) -> bool:
    """Cancel a job that has not started printing; False when it is printing or done."""
    with write_transaction():
        changed = (
            PrintJob.update(status=JobStatus.CANCELLED)
            .where((PrintJob.id == job.id) & (PrintJob.status == JobStatus.PENDING))
            .execute()
        )
    return bool(changed)


def backoff_seconds(attempts: int, cap: float = MAX_BACKOFF) -> float:
    """0.5, 1, 2, 4, … seconds after the 1st, 2nd, 3rd… failed attempt, at most `cap`."""
    return min(cap, 0.5 * (2 ** max(attempts - 1, 0)))


def _set_printer_state(printer_id: int, state: str, error: str = "") -> None:
    # state_label keeps release 1's column filled, from the one list of state words (labels).
    label = PRINTER_STATES.get(state, state)
    with write_transaction():
        Printer.update(
            state=state, state_label=label, last_error=error, last_checked_at=clock.utcnow()
        ).where(Printer.id == printer_id).execute()


def _hold(
    job: PrintJob,
    reason: str,
    now: dt.datetime,
    cap: float,
    *,
    was: str,
    interrupted: bool = False,
) -> None:
    """Keep the job pending and try again later. `interrupted`: the send had started (the slip
    may be out in part or whole); the 补打 mark, once set, is never cleared by a later hold."""
    attempts = job.attempts + 1
    changes = {
        "status": JobStatus.PENDING,
        "attempts": attempts,
        "last_error": reason,
        "next_attempt_at": now + dt.timedelta(seconds=backoff_seconds(attempts, cap)),
    }
    if interrupted:
        changes["interrupted"] = True
    with write_transaction():
        PrintJob.update(changes).where((PrintJob.id == job.id) & (PrintJob.status == was)).execute()


def _fail(job: PrintJob, reason: str) -> None:
    log.error("print job %s cannot be printed: %s", job.id, reason)
    with write_transaction():
        PrintJob.update(
            status=JobStatus.FAILED, attempts=job.attempts + 1, last_error=reason
        ).where((PrintJob.id == job.id) & (PrintJob.status == JobStatus.PENDING)).execute()


def refresh_state(printer: Printer) -> str:
    """Ask the printer its status and record it on the row; returns the state."""
    try:
        config = printer_config(printer)
    except ValueError as error:
        _set_printer_state(printer.id, "unknown", f"打印机设置有误：{error}")
        return "unknown"
    status = query_status(config)
    _set_printer_state(printer.id, status.state, status.detail)
    return status.state


def expire_held_tickets(printer: Printer, now: dt.datetime) -> int:
    """Ticket slips held (by a fault) longer than the hall allows are not printed later, for
    whoever happens to stand at the kiosk then: they are marked expired (printers page)."""
    minutes = Hall.get_by_id(printer.hall_id).print_hold_expiry_minutes
    if not minutes or minutes <= 0:
        return 0
    with write_transaction():
        return (
            PrintJob.update(status=JobStatus.EXPIRED, last_error=EXPIRED)
            .where(
                (PrintJob.printer == printer.id)
                & (PrintJob.status == JobStatus.PENDING)
                & (PrintJob.source_kind == "ticket")
                & (PrintJob.created_at < now - dt.timedelta(minutes=minutes))
            )
            .execute()
        )


def process_next(
    printer_id: int, *, now: dt.datetime | None = None, max_backoff: float = MAX_BACKOFF
) -> str:
    """Handle at most one due job of the printer. Returns what happened: printed, idle,
    waiting (backing off), disabled, failed, cancelled, misconfigured, or the printer's state
    that held the job (paper_out, cover_open, offline, …)."""
    now = now or clock.utcnow()
    printer = Printer.get_or_none(Printer.id == printer_id)
    if printer is None or not printer.enabled:
        return "disabled"
    if expire_held_tickets(printer, now):
        return JobStatus.EXPIRED
    # Ticket slips first: a resident is waiting at the kiosk for them; checklists can wait.
    job = (
        PrintJob.select()
        .where((PrintJob.printer == printer_id) & (PrintJob.status == JobStatus.PENDING))
        .order_by(Case(None, [(PrintJob.source_kind == "ticket", 0)], 1), PrintJob.id)
        .first()
    )
    if job is None:
        return "idle"
    if job.next_attempt_at > now:
        return "waiting"
    try:
        config = printer_config(printer)
    except ValueError as error:
        _set_printer_state(printer_id, "unknown", f"打印机设置有误：{error}")
        _hold(job, "打印机设置有误", now, max_backoff, was=JobStatus.PENDING)
        return "misconfigured"
    try:
        document = Document.from_json(job.document)
        if job.interrupted:  # it may have come out once already: say so on paper
            document.mark_reprint(REPRINT_MARK)
        data = render(document, config)
    except DocumentError as error:
        _fail(job, f"无法打印：{error}")
        return JobStatus.FAILED
    except PrinterError as error:  # no CJK font on this PC: fixable, so keep the job
        _set_printer_state(printer_id, "unknown", error.message)
        _hold(job, error.message, now, max_backoff, was=JobStatus.PENDING)
        return "misconfigured"

    status = query_status(config)
    if not status.can_print:
        _hold(job, status.label, now, max_backoff, was=JobStatus.PENDING)
        _set_printer_state(printer_id, status.state, status.detail)
        log.info("print job %s held: %s is %s", job.id, printer.name, status.state)
        return status.state

    with write_transaction():
        claimed = (
            PrintJob.update(status=JobStatus.PRINTING)
            .where((PrintJob.id == job.id) & (PrintJob.status == JobStatus.PENDING))
            .execute()
        )
    if not claimed:
        return JobStatus.CANCELLED
    try:
        send(data, config)
    except PrinterError as error:
        # The send had started: part of the slip (or all of it) may be out.
        _hold(
            job,
            error.message,
            clock.utcnow(),
            max_backoff,
            was=JobStatus.PRINTING,
            interrupted=True,
        )
        _set_printer_state(printer_id, "offline", error.message)
        return "offline"
    with write_transaction():
        PrintJob.update(
            status=JobStatus.PRINTED,
            printed_at=clock.utcnow(),
            attempts=job.attempts + 1,
            last_error=INTERRUPTED if job.interrupted else "",
        ).where((PrintJob.id == job.id) & (PrintJob.status == JobStatus.PRINTING)).execute()
    log.info("print job %s printed on %s", job.id, printer.name)
    after = query_status(config)  # e.g. the roll ran out on this very slip
    _set_printer_state(printer_id, after.state, after.detail)
    return JobStatus.PRINTED


# --- the lease: one sending worker per printer across processes -----------------------------


def owner_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _process_alive(pid: int) -> bool:
    if os.name == "nt":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder_gone(owner: str) -> bool:
    """True when `owner` names a process of this host that no longer runs."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return int(pid) != os.getpid() and not _process_alive(int(pid))


def acquire_lease(
    printer_id: int, owner: str, *, now: dt.datetime | None = None, seconds: float = LEASE_SECONDS
) -> bool:
    """Take or renew the printer's lease for `owner`; False while someone else holds it."""
    now = now or clock.utcnow()
    row = Printer.get_or_none(Printer.id == printer_id)
    if row is None:
        return False
    current, beat = row.spool_owner, row.spool_heartbeat_at
    free = (
        current in ("", owner)
        or beat is None
        or beat < now - dt.timedelta(seconds=seconds)
        or _holder_gone(current)
    )
    if not free:
        return False
    # Compare-and-set: another process may have taken or renewed it since the read.
    unchanged = Printer.spool_owner == current
    unchanged &= (
        Printer.spool_heartbeat_at.is_null()
        if beat is None
        else (Printer.spool_heartbeat_at == beat)
    )
    with write_transaction():
        taken = (
            Printer.update(spool_owner=owner, spool_heartbeat_at=now)
            .where((Printer.id == printer_id) & unchanged)
            .execute()
        )
    if taken and current != owner:
        log.info("print spool %s now sends to printer %s (was %r)", owner, printer_id, current)
    return bool(taken)


def release_lease(printer_id: int, owner: str) -> None:
    with write_transaction():
        Printer.update(spool_owner="", spool_heartbeat_at=None).where(
            (Printer.id == printer_id) & (Printer.spool_owner == owner)
        ).execute()


def recover_interrupted(printer_id: int) -> int:
    """Put jobs left `printing` by a previous lease holder back in the queue (see the module
    docstring). Call only right after taking the lease over."""
    with write_transaction():
        stuck = [
            job.id
            for job in PrintJob.select(PrintJob.id).where(
                (PrintJob.printer == printer_id) & (PrintJob.status == JobStatus.PRINTING)
            )
        ]
        if stuck:
            PrintJob.update(
                status=JobStatus.PENDING, last_error=INTERRUPTED, interrupted=True
            ).where(PrintJob.id.in_(stuck)).execute()
    if stuck:
        log.warning("print jobs %s were interrupted by a stop: printing them again", stuck)
    return len(stuck)


# --- threads --------------------------------------------------------------------------------


class PrinterWorker(threading.Thread):
    """Sends one printer's jobs while it holds the printer's lease."""

    def __init__(self, printer_id: int, spool: Spool):
        super().__init__(name=f"print-spool-{printer_id}", daemon=True)
        self.printer_id = printer_id
        self.spool = spool
        self.wake = _wakeup(printer_id)
        self.holding = False
        self.renewed_at = 0.0
        self.checked_at = 0.0

    def run(self) -> None:
        try:
            while not self.spool.stop_event.is_set():
                try:
                    with connection():
                        outcome = self._step()
                except Exception:  # the worker must outlive any one bad job
                    log.exception("print spool for printer %s failed", self.printer_id)
                    outcome = "error"
                if outcome == "disabled":
                    return  # the spool's scan starts a new worker when it is enabled again
                if outcome in FINISHED_JOB_STATUSES:
                    continue
                self._pause(outcome)
        finally:
            if self.holding:
                try:
                    with connection():
                        release_lease(self.printer_id, self.spool.owner)
                except Exception:
                    log.exception("releasing the lease of printer %s failed", self.printer_id)

    def _step(self) -> str:
        spool = self.spool
        if time.monotonic() - self.renewed_at > spool.lease_seconds / 3 or not self.holding:
            was_holding = self.holding
            self.holding = acquire_lease(self.printer_id, spool.owner, seconds=spool.lease_seconds)
            self.renewed_at = time.monotonic()
            if self.holding and not was_holding:
                recover_interrupted(self.printer_id)
                self.checked_at = 0.0
        if not self.holding:
            return "not_holder"
        outcome = process_next(self.printer_id, max_backoff=spool.max_backoff)
        if outcome == "idle" and time.monotonic() - self.checked_at > spool.idle_check_seconds:
            printer = Printer.get_or_none(Printer.id == self.printer_id)
            if printer is not None:
                refresh_state(printer)
            self.checked_at = time.monotonic()
        elif outcome == JobStatus.PRINTED:
            self.checked_at = time.monotonic()
        return outcome

    def _pause(self, outcome: str) -> None:
        if outcome == "idle":
            if self.wake.wait(IDLE_POLL):
                self.wake.clear()
                # Woken by enqueue before its transaction committed: look again soon.
                self.spool.stop_event.wait(0.05)
            return
        delay = {"not_holder": min(5.0, self.spool.lease_seconds / 3), "error": 1.0}.get(
            outcome, 0.25
        )
        self.spool.stop_event.wait(delay)


class Spool:
    """A worker per enabled printer (of one hall, or all), picking up printers added later."""

    def __init__(
        self,
        hall_id: int | None = None,
        *,
        rescan_seconds: float = 5.0,
        max_backoff: float = MAX_BACKOFF,
        idle_check_seconds: float = IDLE_CHECK_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ):
        self.hall_id = hall_id
        self.rescan_seconds = rescan_seconds
        self.max_backoff = max_backoff
        self.idle_check_seconds = idle_check_seconds
        self.lease_seconds = lease_seconds
        self.owner = owner_token()
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
            worker = self.workers.get(printer_id)
            if worker is None or not worker.is_alive():
                self.workers[printer_id] = PrinterWorker(printer_id, self)
                self.workers[printer_id].start()

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self._scan()
            except Exception:
                log.exception("print spool scan failed")
            self.stop_event.wait(self.rescan_seconds)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers; a job being sent is finished first, leases are released."""
        self.stop_event.set()
        for worker in list(self.workers.values()):
            worker.wake.set()
        self.thread.join(timeout)
        for worker in list(self.workers.values()):
            worker.join(timeout)

"""The printers as the admin pages see them: each printer with its queue and the slips of the
last 30 days printed again (补打) or expired, the latest jobs, and saving a printer's settings.
No Flask here; the print jobs themselves are kiosk/spool.py's."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from peewee import fn
from playhouse.shortcuts import model_to_dict

from . import audit, clock
from .db import write_transaction
from .errors import N_, ValidationError
from .maintenance import PRINT_JOB_DAYS
from .models import Hall, Printer, PrintJob, Staff
from .words import JobStatus

RECENT_JOBS = 30


class PrinterRow(TypedDict):
    printer: Printer
    pending: int
    reprinted: int
    expired: int


def _per_printer(hall: Hall | int, condition) -> dict[int, int]:
    return dict(
        PrintJob.select(PrintJob.printer, fn.COUNT(PrintJob.id))
        .where((PrintJob.hall == hall) & condition)
        .group_by(PrintJob.printer)
        .tuples()
    )


def printer_rows(hall: Hall | int, *, now: dt.datetime | None = None) -> list[PrinterRow]:
    """Every printer of the hall by name, with its pending jobs, and the slips printed again
    after an interruption (补打) and ticket slips that expired over the 30 days the daily
    housekeeping keeps finished jobs."""
    pending = _per_printer(hall, PrintJob.status == JobStatus.PENDING)
    since = (now or clock.utcnow()) - dt.timedelta(days=PRINT_JOB_DAYS)
    reprinted = _per_printer(
        hall,
        (PrintJob.status == JobStatus.PRINTED)
        & (PrintJob.created_at >= since)
        & (PrintJob.interrupted == True),  # noqa: E712 - SQL
    )
    expired = _per_printer(
        hall, (PrintJob.status == JobStatus.EXPIRED) & (PrintJob.created_at >= since)
    )
    return [
        {
            "printer": printer,
            "pending": pending.get(printer.id, 0),
            "reprinted": reprinted.get(printer.id, 0),
            "expired": expired.get(printer.id, 0),
        }
        for printer in Printer.select().where(Printer.hall == hall).order_by(Printer.name)
    ]


def recent_jobs(hall: Hall | int, limit: int = RECENT_JOBS):
    """The hall's latest print jobs, newest first, each with its printer."""
    return (
        PrintJob.select(PrintJob, Printer)
        .join(Printer)
        .where(PrintJob.hall == hall)
        .order_by(PrintJob.id.desc())
        .limit(limit)
    )


def check_printer_name(hall: Hall, printer: Printer | None, name: str) -> None:
    """A printer's name is unique in its hall."""
    clash = Printer.get_or_none((Printer.hall == hall) & (Printer.name == name))
    if clash is not None and (printer is None or clash.id != printer.id):
        raise ValidationError(N_("已有同名的打印机"), field="name")


def save_printer(hall: Hall, printer: Printer | None, data: dict, actor: Staff | None) -> Printer:
    """Create (`printer` None) or update a printer from validated `data`; audited."""
    with write_transaction():
        before = model_to_dict(printer, recurse=False) if printer else None
        if printer is None:
            printer = Printer.create(hall=hall, **data)
        else:
            Printer.update(**data).where(Printer.id == printer.id).execute()
        audit.record(hall, actor, "printer_save", "printer", printer.id, before=before, after=data)
    return printer

"""Administration and supervision: admins act, supervisors may only look.

The overview shows today's figures per service, who is on duty at which window, every
printer's state and queue, and whether the audit chain verifies. The printers page lets staff
see faults, print a test page, reprint and cancel jobs.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext
from peewee import fn
from playhouse.shortcuts import model_to_dict

from printers import templates as print_templates

from .. import audit, clock
from ..admin_forms import validate_printer
from ..db import write_transaction
from ..errors import N_, ValidationError
from ..htmx import render
from ..maintenance import PRINT_JOB_DAYS
from ..models import Printer, PrintJob, Service, Staff, Ticket, Window
from ..spool import cancel, enqueue, reprint
from ..web import (
    current_hall,
    current_staff,
    error_message,
    hall_row_or_404,
    read_only_for,
    require_roles,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_roles(bp, ("admin", "supervisor"))
read_only_for(bp, ("supervisor",))


def today_figures(hall) -> list[dict]:
    today = clock.local_date(clock.utcnow(), hall.timezone)
    rows = (
        Ticket.select(Ticket.service, Ticket.status, fn.COUNT(Ticket.id).alias("n"))
        .where((Ticket.hall == hall) & (Ticket.local_date == today))
        .group_by(Ticket.service, Ticket.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row.service_id, {})[row.status] = row.n
    figures = []
    for service in Service.select().where(Service.hall == hall).order_by(Service.sort_order):
        by_status = counts.get(service.id, {})
        figures.append(
            {
                "service": service,
                "issued": sum(by_status.values()),
                "waiting": by_status.get("waiting", 0),
                "serving": by_status.get("called", 0),
                "completed": by_status.get("completed", 0),
                "skipped": by_status.get("skipped", 0),
            }
        )
    return figures


def printer_rows(hall) -> list[dict]:
    pending = dict(
        PrintJob.select(PrintJob.printer, fn.COUNT(PrintJob.id))
        .where((PrintJob.hall == hall) & (PrintJob.status == "pending"))
        .group_by(PrintJob.printer)
        .tuples()
    )
    # Slips printed again after an interruption (补打) and ticket slips that expired, over the
    # 30 days the daily housekeeping keeps finished jobs.
    since = clock.utcnow() - dt.timedelta(days=PRINT_JOB_DAYS)
    reprinted = dict(
        PrintJob.select(PrintJob.printer, fn.COUNT(PrintJob.id))
        .where(
            (PrintJob.hall == hall)
            & (PrintJob.status == "printed")
            & (PrintJob.created_at >= since)
            & (PrintJob.interrupted == True)  # noqa: E712 - SQL
        )
        .group_by(PrintJob.printer)
        .tuples()
    )
    expired = dict(
        PrintJob.select(PrintJob.printer, fn.COUNT(PrintJob.id))
        .where(
            (PrintJob.hall == hall)
            & (PrintJob.status == "expired")
            & (PrintJob.created_at >= since)
        )
        .group_by(PrintJob.printer)
        .tuples()
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


@bp.get("")
@bp.get("/")
def home():
    hall = current_hall()
    windows = Window.select().where(Window.hall == hall).order_by(Window.number)
    on_duty = {s.id: s for s in Staff.select().where(Staff.hall == hall)}
    return render(
        "admin/home.html",
        "admin/_home.html",
        figures=today_figures(hall),
        windows=windows,
        on_duty=on_duty,
        printers=printer_rows(hall),
        chain=audit.verify_chain(hall, full=False),
    )


@bp.get("/printers")
def printers_page():
    hall = current_hall()
    jobs = (
        PrintJob.select(PrintJob, Printer)
        .join(Printer)
        .where(PrintJob.hall == hall)
        .order_by(PrintJob.id.desc())
        .limit(30)
    )
    return render(
        "admin/printers.html",
        "admin/_printers.html",
        printers=printer_rows(hall),
        jobs=jobs,
    )


def _printer(printer_id: int) -> Printer:
    printer = hall_row_or_404(Printer, printer_id)
    return printer


def _job(job_id: int) -> PrintJob:
    job = hall_row_or_404(PrintJob, job_id)
    return job


def _printer_form(printer: Printer | None, error: str = "", field: str = "", form=None):
    values = dict(form or {})
    if printer is not None and form is None:
        connection = json.loads(printer.connection or "{}")
        values = {
            "name": printer.name,
            "role": printer.role,
            "dot_width": printer.dot_width,
            "mode": printer.mode,
            "font_path": printer.font_path,
            "enabled": "on" if printer.enabled else "",
            **connection,
        }
    values.setdefault("kind", "network")
    values.setdefault("port", 9100)
    return render(
        "admin/printer_form.html",
        "admin/_printer_form.html",
        printer=printer,
        values=values,
        error=error,
        field=field,
    )


@bp.get("/printers/new")
def printer_new():
    return _printer_form(
        None, form={"enabled": "on", "dot_width": 576, "mode": "raster", "role": "kiosk"}
    )


@bp.get("/printers/<int:printer_id>/edit")
def printer_edit(printer_id: int):
    return _printer_form(_printer(printer_id))


@bp.post("/printers")
@bp.post("/printers/<int:printer_id>")
def printer_save(printer_id: int | None = None):
    hall = current_hall()
    printer = _printer(printer_id) if printer_id else None
    try:
        data = validate_printer(request.form)
        clash = Printer.get_or_none((Printer.hall == hall) & (Printer.name == data["name"]))
        if clash is not None and (printer is None or clash.id != printer.id):
            raise ValidationError(N_("已有同名的打印机"), field="name")
    except ValidationError as failure:
        return _printer_form(printer, error_message(failure), failure.field, request.form)
    with write_transaction():
        before = model_to_dict(printer, recurse=False) if printer else None
        if printer is None:
            printer = Printer.create(hall=hall, **data)
        else:
            Printer.update(**data).where(Printer.id == printer.id).execute()
        audit.record(
            hall, current_staff(), "printer_save", "printer", printer.id, before=before, after=data
        )
    flash(gettext("打印机设置已保存"))
    return redirect(url_for("admin.printers_page"), 303)


@bp.post("/printers/<int:printer_id>/test")
def printer_test(printer_id: int):
    printer = _printer(printer_id)
    document = print_templates.test_page(
        printer_name=printer.name, dot_width=printer.dot_width, mode=printer.mode
    )
    with write_transaction():
        enqueue(printer, document, "test", printer.id)
        audit.record(printer.hall_id, current_staff(), "printer_test", "printer", printer.name)
    flash(gettext("测试页已加入打印队列"))
    return redirect(url_for("admin.printers_page"), 303)


@bp.post("/print-jobs/<int:job_id>/reprint")
def print_job_reprint(job_id: int):
    job = _job(job_id)
    with write_transaction():
        reprint(job)
        audit.record(job.hall_id, current_staff(), "print_reprint", "print_job", job.id)
    flash(gettext("已重新打印"))
    return redirect(url_for("admin.printers_page"), 303)


@bp.post("/print-jobs/<int:job_id>/cancel")
def print_job_cancel(job_id: int):
    job = _job(job_id)
    with write_transaction():
        cancelled = cancel(job)
        if cancelled:
            audit.record(job.hall_id, current_staff(), "print_cancel", "print_job", job.id)
    message = gettext("已取消") if cancelled else gettext("该任务已在打印或已完成，无法取消")
    flash(message)
    return redirect(url_for("admin.printers_page"), 303)

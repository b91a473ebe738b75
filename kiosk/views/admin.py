"""Administration and supervision: admins act, supervisors may only look.

The overview shows today's figures per service, who is on duty at which window, every
printer's state and queue, and whether the audit chain verifies. The printers page lets staff
see faults, print a test page, reprint and cancel jobs.
"""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext

from printers import templates as print_templates

from .. import audit, clock, figures, lineup, printer_admin, staffing
from ..admin_forms import validate_printer
from ..db import write_transaction
from ..errors import ValidationError
from ..htmx import render
from ..models import Printer, PrintJob
from ..spool import cancel, enqueue, reprint
from ..web import (
    current_hall,
    current_staff,
    form_errors,
    hall_row_or_404,
    read_only_for,
    require_roles,
)
from ..words import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_roles(bp, (Role.ADMIN, Role.SUPERVISOR))
read_only_for(bp, (Role.SUPERVISOR,))


@bp.get("")
@bp.get("/")
def home():
    hall = current_hall()
    return render(
        "admin/home.html",
        "admin/_home.html",
        figures=figures.today_figures(hall, clock.hall_today(hall)),
        windows=lineup.all_windows(hall),
        on_duty=staffing.staff_by_id(hall),
        printers=printer_admin.printer_rows(hall),
        chain=audit.verify_chain(hall, full=False),
    )


@bp.get("/printers")
def printers_page():
    hall = current_hall()
    return render(
        "admin/printers.html",
        "admin/_printers.html",
        printers=printer_admin.printer_rows(hall),
        jobs=printer_admin.recent_jobs(hall),
    )


def _printer(printer_id: int) -> Printer:
    printer = hall_row_or_404(Printer, printer_id)
    return printer


def _to_printers(message: str):
    """Back to the printers page, which shows `message`."""
    flash(message)
    return redirect(url_for("admin.printers_page"), 303)


def _job(job_id: int) -> PrintJob:
    job = hall_row_or_404(PrintJob, job_id)
    return job


def _printer_form(printer: Printer | None, errors: dict[str, str] | None = None, form=None):
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
        errors=errors or {},
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
        printer_admin.check_printer_name(hall, printer, data["name"])
    except ValidationError as failure:
        return _printer_form(printer, form_errors(failure), request.form)
    printer_admin.save_printer(hall, printer, data, current_staff())
    return _to_printers(gettext("打印机设置已保存"))


@bp.post("/printers/<int:printer_id>/test")
def printer_test(printer_id: int):
    printer = _printer(printer_id)
    document = print_templates.test_page(
        printer_name=printer.name, dot_width=printer.dot_width, mode=printer.mode
    )
    with write_transaction():
        enqueue(printer, document, "test", printer.id)
        audit.record(printer.hall_id, current_staff(), "printer_test", "printer", printer.name)
    return _to_printers(gettext("测试页已加入打印队列"))


def _audit_job(job: PrintJob, action: str) -> None:
    audit.record(job.hall_id, current_staff(), action, "print_job", job.id)


@bp.post("/print-jobs/<int:job_id>/reprint")
def print_job_reprint(job_id: int):
    job = _job(job_id)
    with write_transaction():
        reprint(job)
        _audit_job(job, "print_reprint")
    return _to_printers(gettext("已重新打印"))


@bp.post("/print-jobs/<int:job_id>/cancel")
def print_job_cancel(job_id: int):
    job = _job(job_id)
    with write_transaction():
        cancelled = cancel(job)
        if cancelled:
            _audit_job(job, "print_cancel")
    return _to_printers(
        gettext("已取消") if cancelled else gettext("该任务已在打印或已完成，无法取消")
    )

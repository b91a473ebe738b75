"""Financial disclosure pages: the kiosk shows a month item by item with totals and running
balance (public); admins import a month from CSV or XLSX (all or nothing, bad lines named).
Routes join the kiosk and admin blueprints, whose guards apply."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext

from .. import clock, finance
from ..errors import N_, ValidationError
from ..htmx import render
from ..web import current_hall, current_staff, error_message
from .admin import bp as admin_bp
from .kiosk import bp as kiosk_bp


@kiosk_bp.get("/finance")
def finance_month():
    hall = current_hall()
    available = finance.months(hall)
    month = request.args.get("month") or (available[0] if available else "")
    if month not in available:
        month = available[0] if available else ""
    statement = finance.statement(hall, month) if month else None
    return render(
        "kiosk/finance.html",
        "kiosk/_finance.html",
        statement=statement,
        months=available,
        month=month,
    )


@admin_bp.get("/finance")
def finance_admin():
    hall = current_hall()
    default = clock.hall_today(hall).strftime("%Y-%m")
    return render(
        "admin/finance.html",
        "admin/_finance.html",
        months=finance.months(hall),
        month=request.args.get("month", default),
        problems=[],
        error="",
    )


@admin_bp.post("/finance")
def finance_import():
    hall = current_hall()
    month = request.form.get("month", "").strip()
    upload = request.files.get("file")
    problems: list[str] = []
    error = ""
    try:
        if upload is None or not upload.filename:
            raise ValidationError(N_("请选择要导入的 CSV 或 XLSX 文件"))
        count = finance.import_month(hall, month, upload.filename, upload.read(), current_staff())
    except finance.ImportProblems as failure:
        error = error_message(failure)
        problems = [
            gettext(message, line=line, **params) for line, message, params in failure.problems
        ]
    except ValidationError as failure:
        error = error_message(failure)
    else:
        flash(gettext("已导入 %(month)s 共 %(count)s 笔", month=month, count=count))
        return redirect(url_for("admin.finance_admin", month=month), 303)
    return render(
        "admin/finance.html",
        "admin/_finance.html",
        months=finance.months(hall),
        month=month,
        problems=problems,
        error=error,
    )

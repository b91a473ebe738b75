"""The three reports (三表), their charts and exports, the hall head's live dashboard and the
follow-ups of poor ratings. Routes join the admin blueprint (admins and supervisors; the
supervisors' read-only rule of that blueprint refuses them the one POST here).

Views only parse the query, call kiosk/reports.py, kiosk/charts.py and kiosk/ratings.py, and
render; a bad date or period gets a Chinese message and the report form again."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from .. import audit, charts, clock, lineup, ratings, reports, staffing, tickets
from ..db import write_transaction
from ..errors import N_, ValidationError
from ..htmx import render
from ..report_exports import cell_text, remembered, to_csv, to_xlsx
from ..web import current_hall, current_staff, error_message, requested_page
from .admin import bp

FORMATS = ("", "html", "csv", "xlsx")


def _today() -> dt.date:
    return clock.hall_today(current_hall())


def _form_page(error: str = "", status: int = 200):
    response = render(
        "admin/reports.html",
        "admin/_reports.html",
        error=error,
        today=_today(),
        values=request.args,
    )
    response.status_code = status
    return response


def _charts(report: reports.Report) -> list[Markup]:
    hall = current_hall()
    period = report.period
    chart_period = period if period.kind != "day" else reports.period_of("month", period.start)
    days = reports.tickets_per_day(hall, chart_period)
    # Every hour of a working day gets its slot (an empty hour shows as no bar).
    by_hour = {hour: mean for hour, mean, _count in reports.waits_by_hour(hall, period)}
    hour_range = range(min([8, *by_hour]), max([17, *by_hour]) + 1)
    trend = reports.satisfaction_by_day(hall, chart_period)
    months = reports.completion_by_month(hall, period.start)
    no_data = gettext("本期没有数据")
    return [
        Markup(
            charts.bar_chart(
                gettext("各时段平均等候（分钟）"),
                [f"{hour}" for hour in hour_range],
                [by_hour.get(hour) for hour in hour_range],
                unit=gettext("分钟"),
                empty_text=no_data,
            )
        ),
        Markup(
            charts.bar_chart(
                gettext("每日取号数（%(period)s）", period=chart_period.label()),
                [f"{day.day}" for day, _issued, _served in days],
                [issued for _day, issued, _served in days],
                unit=gettext("张"),
                empty_text=no_data,
            )
        ),
        Markup(
            charts.line_chart(
                gettext("满意率走势（%(period)s）", period=chart_period.label()),
                [f"{day.day}" for day, _rate in trend],
                [rate for _day, rate in trend],
                unit="%",
                empty_text=gettext("本期无人评价"),
            )
        ),
        Markup(
            charts.line_chart(
                gettext("受理件办结率（按月）"),
                [month[5:] for month, _rate, _on_time in months],
                [rate for _month, rate, _on_time in months],
                unit="%",
                empty_text=gettext("没有受理件"),
            )
        ),
    ]


def _export(report: reports.Report, fmt: str, name: str) -> Response:
    filename = f"{name}-{report.period.start.isoformat()}.{fmt}"
    translate = remembered(gettext)
    if fmt == "csv":
        body, mimetype = to_csv(report, translate), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(report, translate)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _show(report: reports.Report, name: str, endpoint: str, query: dict):
    fmt = request.args.get("format", "")
    if fmt not in FORMATS:
        return _form_page(gettext("未知的导出格式"), 400)
    if fmt in ("csv", "xlsx"):
        return _export(report, fmt, name)
    translate = remembered(gettext)
    return render(
        "admin/report.html",
        "admin/_report.html",
        report=report,
        charts=_charts(report),
        cell=lambda value: cell_text(value, translate),
        # Labels hold "%" ("满意率(%)"): Jinja's _() would %-format them, gettext does not.
        tr=gettext,
        printed_at=clock.to_local(clock.utcnow(), current_hall().timezone),
        export_csv=url_for(endpoint, **query, format="csv"),
        export_xlsx=url_for(endpoint, **query, format="xlsx"),
    )


@bp.get("/reports")
def reports_index():
    return _form_page()


@bp.get("/reports/daily")
def report_daily():
    try:
        period = reports.parse_period("day", request.args.get("date", ""), today=_today())
    except ValidationError as failure:
        return _form_page(error_message(failure), 400)
    report = reports.daily_report(current_hall(), period.start)
    return _show(report, "daily", "admin.report_daily", {"date": period.start.isoformat()})


@bp.get("/reports/period")
def report_period():
    kind = request.args.get("kind", "month")
    try:
        if kind not in ("week", "month"):
            raise ValidationError(N_("未知的报表周期"))
        period = reports.parse_period(kind, request.args.get("date", ""), today=_today())
    except ValidationError as failure:
        return _form_page(error_message(failure), 400)
    report = reports.period_report(current_hall(), period)
    query = {"kind": kind, "date": period.start.isoformat()}
    return _show(report, kind, "admin.report_period", query)


@bp.get("/reports/major")
def report_major():
    kind = request.args.get("kind", "month")
    try:
        period = reports.parse_period(kind, request.args.get("date", ""), today=_today())
    except ValidationError as failure:
        return _form_page(error_message(failure), 400)
    report = reports.major_report(current_hall(), period, today=_today())
    query = {"kind": kind, "date": period.start.isoformat()}
    return _show(report, "major", "admin.report_major", query)


# --- Live dashboard --------------------------------------------------------------------------


def _dashboard(template: str, fragment: str):
    hall = current_hall()
    staff = staffing.staff_by_id(hall)
    serving = tickets.serving_by_window(hall, _today())
    response = render(
        template,
        fragment,
        state=reports.live_state(hall),
        staff=staff,
        serving=serving,
        updated=clock.to_local(clock.utcnow(), hall.timezone),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/dashboard")
def dashboard():
    return _dashboard("admin/dashboard.html", "admin/_dashboard.html")


@bp.get("/dashboard/live")
def dashboard_live():
    return _dashboard("admin/dashboard.html", "admin/_dashboard.html")


# --- Follow-ups of poor ratings ----------------------------------------------------------------


def _follow_ups_page(error: str = "", error_id: int | None = None):
    hall = current_hall()
    listing = ratings.open_follow_ups(hall, requested_page())
    rows = listing.rows
    done = ratings.done_follow_ups(hall)
    numbers = tickets.display_numbers(
        [f.rating.ticket_id for f in rows + done if f.rating.ticket_id]
    )
    return render(
        "admin/follow_ups.html",
        "admin/_follow_ups.html",
        rows=rows,
        done=done,
        tickets=numbers,
        windows=lineup.window_numbers_by_id(hall),
        staff=staffing.staff_names(hall),
        grade_labels={
            grade.code: grade.label
            for scale in ratings.SCALES
            for grade in ratings.grades_for(scale)
        },
        today=_today(),
        error=error,
        error_id=error_id,
        listing=listing,
    )


@bp.get("/follow-ups")
def follow_ups_list():
    return _follow_ups_page()


@bp.post("/follow-ups/<int:follow_up_id>")
def follow_up_close(follow_up_id: int):
    follow_up = ratings.find_follow_up(current_hall(), follow_up_id)
    if follow_up is None:
        abort(404)
    try:
        with write_transaction():
            closed = ratings.close_follow_up(
                follow_up, request.form.get("outcome", ""), current_staff()
            )
            audit.record(
                current_hall(),
                current_staff(),
                "follow_up_close",
                "rating_follow_up",
                follow_up.id,
                after={"outcome": closed.outcome},
            )
    except ValidationError as failure:
        return _follow_ups_page(error_message(failure), follow_up_id)
    flash(gettext("已记录回访结果"))
    return redirect(url_for("admin.follow_ups_list", page=requested_page()), 303)

"""The resident kiosk (touch screen at the entrance): public, no sign-in.

Screens: home, take a ticket (service tiles → confirm with priority → the ticket), procedure
guides (办事指南) with a printable one-time checklist, service cards with contact QR codes, and
public notices. Every screen is a whole page on direct load; htmx swaps just the main panel.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext

from printers.templates import mecard

from .. import clock, queue
from ..db import write_transaction
from ..errors import QueueError
from ..htmx import render
from ..labels import NOTICE_CATEGORIES, PRIORITY_LABELS
from ..models import Notice, PrintJob, Service, Staff, StaffWindow, Ticket, Window
from ..printing import job_problem, print_checklist, print_ticket, windows_label
from ..qr import qr_svg
from ..web import current_hall, error_message

bp = Blueprint("kiosk", __name__)

PRIORITY_CHOICES = [
    (code, PRIORITY_LABELS[code]) for code in ("elderly", "disabled", "pregnant", "military")
]


def kiosk_id() -> str:
    """A stable id of this kiosk browser (for the per-kiosk rate limit)."""
    if "kiosk_id" not in session:
        session["kiosk_id"] = secrets.token_hex(8)
        session.permanent = True
    return session["kiosk_id"]


def public_base_url() -> str:
    # Never request.host_url: the Host header is whatever the client sends.
    from ..hall_setup import public_base_url as hall_base_url

    config = current_app.config
    return hall_base_url(current_hall(), config["PUBLIC_BASE_URL"], config["LAN_BASE_URL"])


def status_url(ticket: Ticket) -> str:
    return public_base_url() + url_for("public.ticket_status", code=ticket.public_code)


def services_with_counts():
    hall = current_hall()
    today = clock.local_date(clock.utcnow(), hall.timezone)
    counts = queue.waiting_counts(hall, today)
    services = (
        Service.select()
        .where((Service.hall == hall) & Service.retired_at.is_null())
        .order_by(Service.sort_order)
    )
    return [(service, counts.get(service.id, 0)) for service in services]


def hours_message() -> str:
    hours = queue.hall_hours(current_hall())
    if hours.open_now:
        return ""
    when = hours.next_open.strftime("%Y-%m-%d %H:%M") if hours.next_open else ""
    return gettext("大厅已停止取号，下次开放时间：%(when)s", when=when)


@bp.get("/")
def home():
    return render("kiosk/home.html", "kiosk/_home.html", closed=hours_message())


@bp.get("/take")
def take_ticket():
    return render(
        "kiosk/take.html",
        "kiosk/_take.html",
        services=services_with_counts(),
        closed=hours_message(),
        error=None,
    )


def _service_or_404(service_id: int) -> Service:
    service = Service.get_or_none((Service.id == service_id) & (Service.hall == current_hall()))
    if service is None:
        abort(404)
    return service


@bp.get("/take/<int:service_id>")
def take_confirm(service_id: int):
    service = _service_or_404(service_id)
    waiting = dict((s.id, n) for s, n in services_with_counts()).get(service.id, 0)
    return render(
        "kiosk/confirm.html",
        "kiosk/_confirm.html",
        service=service,
        waiting=waiting,
        windows=windows_label(service),
        priorities=PRIORITY_CHOICES,
        closed=hours_message(),
        error=None,
    )


@bp.post("/tickets")
def ticket_create():
    hall = current_hall()
    try:
        service_id = int(request.form.get("service_id", ""))
    except ValueError:
        service_id = 0
    service = Service.get_or_none((Service.id == service_id) & (Service.hall == hall))
    priority = request.form.get("priority", "")
    if service is None:
        return render(
            "kiosk/take.html",
            "kiosk/_take.html",
            services=services_with_counts(),
            closed=hours_message(),
            error=gettext("没有这项业务，请重新选择"),
        )
    try:
        with write_transaction():  # the ticket and its print job commit together (outbox)
            ticket = queue.issue_ticket(hall, service, priority=priority, kiosk=kiosk_id())
            print_ticket(ticket, status_url(ticket))
    except QueueError as error:
        return render(
            "kiosk/confirm.html",
            "kiosk/_confirm.html",
            service=service,
            waiting=dict((s.id, n) for s, n in services_with_counts()).get(service.id, 0),
            windows=windows_label(service),
            priorities=PRIORITY_CHOICES,
            closed=hours_message(),
            error=error_message(error),
        )
    return redirect(url_for("kiosk.ticket_show", code=ticket.public_code), 303)


def _ticket_or_404(code: str) -> Ticket:
    ticket = Ticket.get_or_none((Ticket.public_code == code) & (Ticket.hall == current_hall()))
    if ticket is None:
        abort(404)
    return ticket


def print_state(ticket: Ticket) -> dict:
    """Where the ticket slip is: printing, printed, or held by a printer fault (plain words)."""
    job = (
        PrintJob.select()
        .where((PrintJob.source_kind == "ticket") & (PrintJob.source_id == ticket.id))
        .order_by(PrintJob.id.desc())
        .first()
    )
    if job is None or job.status == "printed":
        return {"job": job, "pending": False, "problem": job_problem(job) if job is None else ""}
    return {
        "job": job,
        "pending": job.status in ("pending", "printing"),
        "problem": job_problem(job),
    }


@bp.get("/tickets/<code>")
def ticket_show(code: str):
    ticket = _ticket_or_404(code)
    wait = queue.estimated_wait_seconds(ticket)
    return render(
        "kiosk/ticket.html",
        "kiosk/_ticket.html",
        ticket=ticket,
        ahead=queue.people_ahead(ticket),
        wait_minutes=max(1, round(wait / 60)),
        windows=windows_label(ticket.service),
        print=print_state(ticket),
        qr=qr_svg(status_url(ticket), label=gettext("手机扫码查看排队进度")),
        status_url=status_url(ticket),
    )


@bp.get("/tickets/<code>/print")
def ticket_print_state(code: str):
    ticket = _ticket_or_404(code)
    response = render(
        "kiosk/ticket.html", "kiosk/_print_state.html", ticket=ticket, print=print_state(ticket)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/guide")
def guide_list():
    services = (
        Service.select()
        .where((Service.hall == current_hall()) & Service.retired_at.is_null())
        .order_by(Service.sort_order)
    )
    return render("kiosk/guide_list.html", "kiosk/_guide_list.html", services=services)


@bp.get("/guide/<int:service_id>")
def guide_show(service_id: int):
    service = _service_or_404(service_id)
    return render(
        "kiosk/guide.html",
        "kiosk/_guide.html",
        service=service,
        windows=windows_label(service),
        printed=request.args.get("printed"),
        steps=list(service.steps.order_by(service.steps.model.position)),
        materials=list(service.materials.order_by(service.materials.model.position)),
    )


@bp.post("/guide/<int:service_id>/print")
def guide_print(service_id: int):
    service = _service_or_404(service_id)
    guide_url = public_base_url() + url_for("kiosk.guide_show", service_id=service.id)
    with write_transaction():
        job = print_checklist(service, guide_url)
    outcome = "ok" if job is not None and not job_problem(job) else "problem"
    return redirect(url_for("kiosk.guide_show", service_id=service.id, printed=outcome), 303)


def service_cards():
    """One card per staff member on a window: name, post, windows, phone."""
    hall = current_hall()
    cards = []
    staff = (
        Staff.select()
        .where(
            (Staff.hall == hall)
            & (Staff.active == True)  # noqa: E712
            & (Staff.role == "staff")
        )
        .order_by(Staff.id)
    )
    for member in staff:
        numbers = sorted(
            link.window.number
            for link in StaffWindow.select(StaffWindow, Window)
            .join(Window)
            .where(StaffWindow.staff == member)
        )
        window_text = "、".join(f"{n}号" for n in numbers) + "窗口" if numbers else ""
        payload = mecard(
            member.display_name, member.phone, f"{member.post} {window_text}", hall.name
        )
        cards.append(
            {
                "staff": member,
                "windows": window_text,
                "payload": payload,
                "qr": qr_svg(payload, label=member.display_name),
            }
        )
    supervision = mecard(gettext("监督电话"), hall.supervision_phone, hall.name, hall.name)
    return cards, {"payload": supervision, "qr": qr_svg(supervision, label=gettext("监督卡"))}


@bp.get("/cards")
def cards_show():
    cards, supervision = service_cards()
    return render("kiosk/cards.html", "kiosk/_cards.html", cards=cards, supervision=supervision)


@bp.get("/notices")
def notices_list():
    hall = current_hall()
    today = clock.local_date(clock.utcnow(), hall.timezone)
    notices = (
        Notice.select()
        .where(
            (Notice.hall == hall)
            & (Notice.published == True)  # noqa: E712
            & ((Notice.valid_from.is_null()) | (Notice.valid_from <= today))
            & ((Notice.valid_until.is_null()) | (Notice.valid_until >= today))
        )
        .order_by(Notice.created_at.desc())
    )
    grouped: dict[str, list[Notice]] = {}
    for notice in notices:
        grouped.setdefault(notice.category, []).append(notice)
    return render(
        "kiosk/notices.html", "kiosk/_notices.html", grouped=grouped, categories=NOTICE_CATEGORIES
    )


@bp.get("/notices/images/<name>")
def notice_image(name: str):
    """Pictures attached to notices (stored re-encoded by the admin page)."""
    import re
    from pathlib import Path

    from flask import Response

    if not re.fullmatch(r"notice-\d+\.jpg", name):
        abort(404)
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "notices" / name
    if not path.is_file():
        abort(404)
    return Response(
        path.read_bytes(), mimetype="image/jpeg", headers={"Cache-Control": "max-age=300"}
    )

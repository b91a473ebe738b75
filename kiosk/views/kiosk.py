"""The resident kiosk (touch screen at the entrance): public, no sign-in.

Screens: home, take a ticket (service tiles → confirm with priority → the ticket), procedure
guides (办事指南) with a printable one-time checklist, service cards with contact QR codes, and
public notices. Every screen is a whole page on direct load; htmx swaps just the main panel.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext

from printers.templates import mecard

from .. import clock, lineup, notices, queue, queue_outlook, staffing, tickets
from ..db import write_transaction
from ..errors import N_, QueueError
from ..htmx import is_htmx, render
from ..labels import NOTICE_CATEGORIES, PRIORITY_LABELS
from ..limits import parse_id
from ..models import Service, Ticket
from ..printing import (
    PROBLEM_STATES,
    job_problem,
    latest_ticket_job,
    print_checklist,
    print_ticket,
    printer_for,
    window_numbers,
)
from ..qr import qr_svg
from ..ratelimit import GuessLimit, SlidingLimit
from ..web import current_hall, error_message, public_url
from ..words import JobStatus, TicketStatus

bp = Blueprint("kiosk", __name__)

PRIORITY_CHOICES = [
    (code, PRIORITY_LABELS[code]) for code in ("elderly", "disabled", "pregnant", "military")
]
OFFERED_PRIORITIES = {""} | {code for code, _label in PRIORITY_CHOICES}
# A second take from the same kiosk within this many seconds shows the first ticket instead of
# issuing another (a hurried double touch, or two requests in flight), unless the first was
# finished (完成). Checked in the database under the write lock (queue.issue_ticket).
DOUBLE_TAKE_SECONDS = 5.0


def limit(name: str):
    """The app's limits per client address, whatever cookie it sends (a fresh cookie must not
    reset them): tickets (the hall's per-kiosk rate), checklist prints, ratings; and re-queue
    guesses (5 wrong check codes per ticket number and 30 per address in 10 minutes)."""
    limits = current_app.extensions.get("kiosk_limits")
    if limits is None:
        limits = current_app.extensions.setdefault(
            "kiosk_limits",
            {
                "tickets": SlidingLimit(6, 60),
                "checklists": SlidingLimit(3, 60),
                "requeue": GuessLimit(5, 30, 600),
                "ratings": SlidingLimit(6, 60),
            },
        )
    return limits[name]


def client_address() -> str:
    return request.remote_addr or "?"


def windows_text(service: Service) -> str:
    """'1号、4号窗口' / 'Windows 1, 4' in the resident's language ('' when none), by the
    slips' rule (printing.window_numbers: the staffed ones, else all; never retired)."""
    numbers = window_numbers(service)
    if not numbers:
        return ""
    if len(numbers) == 1:
        return gettext("%(number)s号窗口", number=numbers[0])
    return gettext("%(numbers)s号窗口", numbers=gettext("、").join(str(n) for n in numbers))


def kiosk_printer_problem() -> str:
    """Said before the tap: the kiosk printer cannot print now ('' when it can, or none)."""
    printer = printer_for(current_hall().id, "kiosk", None)
    if printer is None or printer.state not in PROBLEM_STATES:
        return ""
    return gettext(
        "打印机%(reason)s，号码将显示在屏幕上，请用手机扫码或记下号码",
        reason=gettext(PROBLEM_STATES[printer.state]),
    )


def kiosk_id() -> str:
    """A stable id of this kiosk browser (for the per-kiosk rate limit)."""
    if "kiosk_id" not in session:
        session["kiosk_id"] = secrets.token_hex(8)
        session.permanent = True
    return session["kiosk_id"]


def status_url(ticket: Ticket) -> str:
    return public_url("public.ticket_status", code=ticket.public_code)


def services_with_counts():
    hall = current_hall()
    counts = queue.waiting_counts(hall, clock.hall_today(hall))
    return [(service, counts.get(service.id, 0)) for service in lineup.active_services(hall)]


def hours_message() -> str:
    hours = queue.hall_hours(current_hall())
    if hours.open_now:
        return ""
    when = hours.next_open.strftime("%Y-%m-%d %H:%M") if hours.next_open else ""
    return gettext("大厅已停止取号，下次开放时间：%(when)s", when=when)


@bp.get("/")
def home():
    return render("kiosk/home.html", "kiosk/_home.html", closed=hours_message())


@bp.get("/favicon.ico")
def favicon():
    from flask import Response

    icon = Path(current_app.static_folder) / "favicon.ico"
    return Response(
        icon.read_bytes(), mimetype="image/x-icon", headers={"Cache-Control": "max-age=86400"}
    )


@bp.get("/ping")
def ping():
    """What the kiosk and phone pages ask while the network is down, to know it is back."""
    return "ok", 200, {"Cache-Control": "no-store", "Content-Type": "text/plain"}


def _take_context(error: str | None = None) -> dict:
    return {
        "services": services_with_counts(),
        "closed": hours_message(),
        "printer_problem": kiosk_printer_problem(),
        "error": error,
    }


@bp.get("/take")
def take_ticket():
    return render("kiosk/take.html", "kiosk/_take.html", **_take_context())


def _service_or_404(service_id: int) -> Service:
    service = lineup.find_service(current_hall(), service_id)
    if service is None:
        abort(404)
    return service


def _confirm_context(service: Service, error: str | None = None) -> dict:
    return {
        "service": service,
        "waiting": dict((s.id, n) for s, n in services_with_counts()).get(service.id, 0),
        "windows": windows_text(service),
        "served": queue_outlook.service_is_served(current_hall(), service),
        "priorities": PRIORITY_CHOICES,
        "closed": hours_message(),
        "printer_problem": kiosk_printer_problem(),
        "error": error,
    }


@bp.get("/take/<int:service_id>")
def take_confirm(service_id: int):
    service = _service_or_404(service_id)
    kiosk_id()  # the cookie is set before the take: two takes in flight carry the same id
    return render("kiosk/confirm.html", "kiosk/_confirm.html", **_confirm_context(service))


def _finished_codes() -> tuple[str, ...]:
    """The ticket this kiosk's resident last closed with 完成 (a new take may follow at once)."""
    code = session.get("finished_take")
    return (code,) if isinstance(code, str) else ()


@bp.post("/tickets")
def ticket_create():
    hall = current_hall()
    service_id = request.form.get("service_id", "")
    service = lineup.find_service(hall, parse_id(service_id))
    if service is None:
        return render(
            "kiosk/take.html",
            "kiosk/_take.html",
            **_take_context(gettext("没有这项业务，请重新选择")),
        )
    priority = request.form.get("priority", "")
    if priority not in OFFERED_PRIORITIES:
        return render(
            "kiosk/confirm.html",
            "kiosk/_confirm.html",
            **_confirm_context(service, gettext("未知的优先类别")),
        )
    address = client_address()
    try:
        if not limit("tickets").allowed(address, limit=hall.kiosk_tickets_per_minute):
            raise QueueError(N_("取号过于频繁，请稍候一分钟再试"))
        with write_transaction():  # the ticket and its print job commit together (outbox)
            ticket = queue.issue_ticket(
                hall,
                service,
                priority=priority,
                kiosk=kiosk_id(),
                double_take_seconds=DOUBLE_TAKE_SECONDS,
                finished=_finished_codes(),
            )
            print_ticket(ticket, status_url(ticket))
    except queue.DoubleTake as double:  # show the ticket just taken, take no other
        return redirect(url_for("kiosk.ticket_show", code=double.ticket.public_code), 303)
    except QueueError as error:
        return render(
            "kiosk/confirm.html",
            "kiosk/_confirm.html",
            **_confirm_context(service, error_message(error)),
        )
    limit("tickets").hit(address)
    return redirect(url_for("kiosk.ticket_show", code=ticket.public_code), 303)


@bp.get("/tickets/<code>/done")
def ticket_done(code: str):
    """完成: the resident is finished with this ticket; the next touch may take a new one."""
    session["finished_take"] = code[:32]
    return redirect(url_for("kiosk.home"), 303)


def _ticket_or_404(code: str) -> Ticket:
    ticket = tickets.by_public_code(current_hall(), code)
    if ticket is None:
        abort(404)
    return ticket


def print_state(ticket: Ticket) -> dict:
    """Where the ticket slip is: printing, printed, expired, or held by a printer fault."""
    job = latest_ticket_job(ticket)
    if job is None:
        return {"job": None, "pending": False, "expired": False, "problem": job_problem(None)}
    pending = job.status in (JobStatus.PENDING, JobStatus.PRINTING)
    return {
        "job": job,
        "pending": pending,
        "expired": job.status in (JobStatus.EXPIRED, JobStatus.FAILED, JobStatus.CANCELLED),
        "problem": job_problem(job) if pending else "",
    }


def _ticket_context(ticket: Ticket, message: str = "") -> dict:
    return {
        "ticket": ticket,
        "outlook": queue_outlook.outlook(ticket),
        "priority_label": PRIORITY_LABELS.get(ticket.priority, ""),
        "windows": windows_text(ticket.service),
        "print": print_state(ticket),
        "qr": qr_svg(status_url(ticket), label=gettext("手机扫码查看排队进度")),
        "status_url": status_url(ticket),
        "message": message,
    }


@bp.get("/tickets/<code>")
def ticket_show(code: str):
    ticket = _ticket_or_404(code)
    return render("kiosk/ticket.html", "kiosk/_ticket.html", **_ticket_context(ticket))


@bp.get("/tickets/<code>/print")
def ticket_print_state(code: str):
    """The print state box of the ticket screen (htmx polls it); a plain visit gets the page."""
    ticket = _ticket_or_404(code)
    if not is_htmx():
        return redirect(url_for("kiosk.ticket_show", code=code))
    response = render(
        "kiosk/ticket.html", "kiosk/_print_state.html", ticket=ticket, print=print_state(ticket)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _requeue_page(error: str | None = None, number: str = ""):
    letters = sorted({service.prefix for service, _count in services_with_counts()})
    return render(
        "kiosk/requeue.html", "kiosk/_requeue.html", error=error, number=number, letters=letters
    )


@bp.get("/requeue")
def requeue_form():
    return _requeue_page()


@bp.post("/requeue")
def requeue():
    """过号重新排队 at the kiosk: the number and the slip's check code, typed on the keypad."""
    hall = current_hall()
    number = request.form.get("number", "")[:16]
    address, target = client_address(), tickets.normalize_number(number) or None
    error = None
    if not limit("requeue").allowed(address, target):
        error = gettext("尝试次数过多，请10分钟后再试或到窗口咨询")
    else:
        try:
            ticket = tickets.find_by_number(hall, number, request.form.get("check", "")[:16])
            if ticket.status == TicketStatus.WAITING:
                raise QueueError(
                    N_("号码 %(number)s 正在排队，无需重新排队"), number=ticket.display_number
                )
            with write_transaction():
                ticket = queue.reactivate(ticket)
        except QueueError as failure:
            if isinstance(failure, tickets.TicketNotFound):
                limit("requeue").miss(address, target)
            error = error_message(failure)
    if error:
        return _requeue_page(error, number)
    return render(
        "kiosk/ticket.html",
        "kiosk/_ticket.html",
        **_ticket_context(ticket, gettext("已重新排队，请留意叫号")),
    )


@bp.get("/guide")
def guide_list():
    services = lineup.active_services(current_hall())
    return render("kiosk/guide_list.html", "kiosk/_guide_list.html", services=services)


@bp.get("/guide/<int:service_id>")
def guide_show(service_id: int):
    service = _service_or_404(service_id)
    return render(
        "kiosk/guide.html",
        "kiosk/_guide.html",
        service=service,
        windows=windows_text(service),
        printed=request.args.get("printed"),
        steps=lineup.procedure_steps(service),
        materials=lineup.required_materials(service),
    )


@bp.post("/guide/<int:service_id>/print")
def guide_print(service_id: int):
    service = _service_or_404(service_id)
    guide_url = public_url("kiosk.guide_show", service_id=service.id)
    address = client_address()
    if not limit("checklists").allowed(address):
        return redirect(url_for("kiosk.guide_show", service_id=service.id, printed="busy"), 303)
    limit("checklists").hit(address)
    with write_transaction():
        job = print_checklist(service, guide_url)
    outcome = "ok" if job is not None and not job_problem(job) else "problem"
    return redirect(url_for("kiosk.guide_show", service_id=service.id, printed=outcome), 303)


def service_cards():
    """One card per staff member on a window: name, post, windows, phone."""
    hall = current_hall()
    cards = []
    for member, numbers in staffing.service_cards(hall):
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
    grouped = notices.notices_by_category(notices.current_notices(hall, clock.hall_today(hall)))
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

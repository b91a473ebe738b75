"""What the hall prints: adapts tickets, services and staff to printers/ documents and puts them
in the spool (inside the caller's transaction). No Flask here: URLs come in as arguments.
"""

from __future__ import annotations

from printers import Document, templates

from . import clock, queue_outlook
from .errors import N_
from .labels import PRINTER_STATES, PRIORITY_LABELS
from .models import (
    Case,
    Hall,
    Printer,
    PrintJob,
    ProcedureStep,
    RequiredMaterial,
    Service,
    Staff,
    Ticket,
    Window,
    WindowService,
)
from .spool import enqueue
from .tickets import check_code

# Printer faults a resident is told about, in the one list of state words (labels).
PROBLEM_STATES = {code: PRINTER_STATES[code] for code in ("paper_out", "cover_open", "offline")}
HANDLING_LABELS = {"instant": "即办（当场办结）", "joint": "联办", "approval": "报批"}


def printer_for(hall: Hall | int, role: str, fallback: str | None = "kiosk") -> Printer | None:
    for wanted in (role, fallback):
        if wanted is None:
            continue
        printer = Printer.get_or_none(
            (Printer.hall == hall) & (Printer.role == wanted) & (Printer.enabled == True)  # noqa: E712
        )
        if printer is not None:
            return printer
    return None


def handling_label(service: Service) -> str:
    if service.handling_type == "promised":
        return f"承诺件：{service.time_limit_days} 个工作日内办结"
    return HANDLING_LABELS.get(service.handling_type, service.handling_type)


def window_numbers(service: Service) -> list[int]:
    """The windows a resident is sent to for `service`, ascending, on the kiosk's screens and
    on the slips alike: those staffed now among the windows that serve it, else every window
    that serves it (nobody on duty yet). Never a retired window."""
    serving = sorted(
        {
            link.window.number
            for link in WindowService.select(WindowService, Window)
            .join(Window)
            .where((WindowService.service == service) & Window.retired_at.is_null())
        }
    )
    staffed = {window.number for window in queue_outlook.staffed_windows(service.hall_id)}
    return [number for number in serving if number in staffed] or serving


def windows_label(service: Service) -> str:
    """'1号、4号窗口' as printed on paper (slips are Chinese), by window_numbers' rule."""
    numbers = window_numbers(service)
    return "、".join(f"{n}号" for n in numbers) + "窗口" if numbers else ""


def ticket_document(ticket: Ticket, status_url: str) -> Document:
    hall = ticket.hall
    issued = clock.to_local(ticket.issued_at, hall.timezone).strftime("%Y-%m-%d %H:%M")
    outlook = queue_outlook.outlook(ticket)
    return templates.queue_ticket(
        hall_name=hall.name,
        service_name=ticket.service.name,
        number=ticket.display_number,
        people_ahead=outlook.ahead,
        wait_minutes=outlook.wait_minutes,
        issued_at=issued,
        status_url=status_url,
        windows=windows_label(ticket.service),
        priority_label=PRIORITY_LABELS.get(ticket.priority, ""),
        check_code=check_code(ticket),
    )


def print_ticket(ticket: Ticket, status_url: str) -> PrintJob | None:
    """Queue the ticket slip on the kiosk printer; None when the hall has no kiosk printer."""
    printer = printer_for(ticket.hall_id, "kiosk", None)
    if printer is None:
        return None
    return enqueue(printer, ticket_document(ticket, status_url), "ticket", ticket.id)


def checklist_document(service: Service, guide_url: str = "") -> Document:
    hall = service.hall
    return templates.one_time_checklist(
        hall_name=hall.name,
        service_name=service.name,
        handling=handling_label(service),
        materials=[
            (m.name, m.form, m.copies, m.note)
            for m in service.materials.order_by(RequiredMaterial.position)
        ],
        steps=[
            s.title + (f"：{s.detail}" if s.detail else "")
            for s in service.steps.order_by(ProcedureStep.position)
        ],
        windows=windows_label(service),
        consultation_phone=service.consultation_phone or hall.consultation_phone,
        supervision_phone=service.supervision_phone or hall.supervision_phone,
        fees=service.fees,
        guide_url=guide_url,
    )


def print_checklist(service: Service, guide_url: str = "") -> PrintJob | None:
    printer = printer_for(service.hall_id, "kiosk", None)
    if printer is None:
        return None
    return enqueue(printer, checklist_document(service, guide_url), "checklist", service.id)


def job_problem(job: PrintJob | None) -> str:
    """A plain-words reason the slip may not come out now ('' when the printer looks fine)."""
    if job is None:
        return N_("本机未连接打印机")
    printer = Printer.get_by_id(job.printer_id)
    return PROBLEM_STATES.get(printer.state, "")


def html_to_text(body: str) -> str:
    """The notice's sanitized HTML as plain paragraphs for paper."""
    import html
    import re

    import nh3

    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</h[34]>", "\n", body or "")
    return html.unescape(nh3.clean(text, tags=set())).strip()


def print_notice(notice, url: str = "") -> PrintJob | None:
    """Queue a notice on the notice printer (or the kiosk's when the hall has none)."""
    printer = printer_for(notice.hall_id, "notice", "kiosk")
    if printer is None:
        return None
    hall = Hall.get_by_id(notice.hall_id)
    published = clock.to_local(notice.created_at, hall.timezone).strftime("%Y年%m月%d日")
    document = templates.notice(
        hall_name=hall.name,
        title=notice.title,
        body=html_to_text(notice.body),
        published_on=published,
        url=url,
    )
    return enqueue(printer, document, "notice", notice.id)


def receipt_document(case: Case, status_url: str) -> Document:
    hall = Hall.get_by_id(case.hall_id)
    agent = Staff.get_or_none(Staff.id == case.agent_id) if case.agent_id else None
    accepted_by = (
        Staff.get_or_none(Staff.id == case.accepted_by_id) if case.accepted_by_id else None
    )
    service = Service.get_or_none(Service.id == case.service_id) if case.service_id else None
    titles = {"petition": "信访受理回执", "complaint": "意见建议回执", "suggestion": "意见建议回执"}
    return templates.acceptance_receipt(
        hall_name=hall.name,
        case_number=case.number,
        resident_name=case.resident_name,
        service_name=service.name if service else case.subject,
        subject=case.subject,
        accepted_by=accepted_by.display_name if accepted_by else "",
        accepted_on=clock.to_local(case.accepted_at, hall.timezone).strftime("%Y-%m-%d"),
        deadline=case.deadline.strftime("%Y-%m-%d") if case.deadline else "",
        tracking_url=status_url,
        supervision_phone=(service.supervision_phone if service else "") or hall.supervision_phone,
        lookup_code=case.lookup_code,
        agent=agent.display_name if agent and case.kind in ("case", "petition") else "",
        agent_phone=agent.phone if agent and case.kind in ("case", "petition") else "",
        missing_materials=[m for m in case.materials_missing.splitlines() if m],
        title=titles.get(case.kind, "受理回执"),
    )


def print_receipt(case: Case, status_url: str) -> tuple[PrintJob | None, bool]:
    """Queue the receipt at the accepting window's printer (`window:N`), else the kiosk's.

    Returns the job (None without any printer) and whether it fell back to the kiosk printer,
    so the clerk can be told where the slip comes out."""
    role = f"window:{case.window_number}" if case.window_number else None
    printer = printer_for(case.hall_id, role, None) if role else None
    fell_back = printer is None
    if printer is None:
        printer = printer_for(case.hall_id, "kiosk", None)
    if printer is None:
        return None, fell_back
    return enqueue(printer, receipt_document(case, status_url), "receipt", case.id), fell_back


def latest_ticket_job(ticket: Ticket) -> PrintJob | None:
    """The ticket slip's latest print job (a reprint makes a new one), or None."""
    return (
        PrintJob.select()
        .where((PrintJob.source_kind == "ticket") & (PrintJob.source_id == ticket.id))
        .order_by(PrintJob.id.desc())
        .first()
    )

"""Finding a resident's ticket without a phone, and closing the day (no Flask here).

- A slip carries the ticket number and a 4-digit check code derived from the ticket's secret
  public code, so a resident who missed their call (过号) can re-queue at the kiosk's keypad by
  typing both; the number alone is public (the board shows it), the check code is only on paper.
- At the hall's local midnight every ticket of a past day that is still waiting, called or
  skipped is closed with an event: nobody is left "waiting" for a day that is over, the board
  and consoles start each morning empty, and the phone page says the number has lapsed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from . import clock
from .db import write_transaction
from .errors import N_, QueueError
from .models import Hall, QueueEvent, Staff, Ticket, Window
from .words import OPEN_TICKET_STATUSES, TicketStatus

OPEN_STATUSES = OPEN_TICKET_STATUSES


class TicketNotFound(QueueError):
    """No ticket of today matches the number and check code typed (counted against guessing)."""


def check_code(ticket: Ticket) -> str:
    """Four digits printed on the slip; only someone holding the slip (or its QR) knows them."""
    digest = hashlib.sha256(("check:" + ticket.public_code).encode()).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 10000:04d}"


def normalize_number(text: str) -> str:
    """'a 3', 'A003', 'ａ００３' -> 'A003'-style lookups: letters upper-cased, digits padded."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text or "").strip().upper().replace(" ", "")
    letters = "".join(ch for ch in text if "A" <= ch <= "Z")
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if not letters or not digits or len(letters) > 2 or len(digits) > 4:
        return ""
    if letters + digits != text:
        return ""
    return f"{letters}{int(digits):03d}"


def find_by_number(hall: Hall, number: str, code: str, *, now: dt.datetime | None = None):
    """Today's ticket with this number and check code; QueueError with one message for a wrong
    number or a wrong code (the answer must not tell which one was wrong)."""
    now = now or clock.utcnow()
    wanted = normalize_number(number)
    code = (code or "").strip()
    not_found = TicketNotFound(N_("号码或核验码不正确，请核对号票后重试"))
    if not wanted or not (len(code) == 4 and code.isascii() and code.isdigit()):
        raise not_found
    today = clock.local_date(now, hall.timezone)
    for ticket in Ticket.select().where(
        (Ticket.hall == hall) & (Ticket.local_date == today) & (Ticket.display_number == wanted)
    ):
        if hmac.compare_digest(check_code(ticket), code):
            return ticket
    raise not_found


def close_past_days(hall: Hall | int, *, now: dt.datetime | None = None) -> int:
    """Close every open ticket of a local day before today; returns how many were closed."""
    now = now or clock.utcnow()
    hall = hall if isinstance(hall, Hall) else Hall.get_by_id(hall)
    today = clock.local_date(now, hall.timezone)
    stale = (Ticket.hall == hall) & (Ticket.local_date < today) & Ticket.status.in_(OPEN_STATUSES)
    if not Ticket.select(Ticket.id).where(stale).limit(1).exists():
        return 0
    closed = 0
    with write_transaction():
        for ticket in Ticket.select(Ticket.id, Ticket.status, Ticket.window).where(stale):
            changed = (
                Ticket.update(status=TicketStatus.CLOSED, version=Ticket.version + 1)
                .where((Ticket.id == ticket.id) & (Ticket.status == ticket.status))
                .execute()
            )
            if changed:
                closed += 1
                QueueEvent.create(
                    hall=hall,
                    ticket=ticket.id,
                    window=ticket.window_id,
                    kind="closed",
                    at=now,
                    detail=f"day ended while {ticket.status}",
                )
    return closed


def is_past_day(ticket: Ticket, *, now: dt.datetime | None = None) -> bool:
    hall = Hall.get_by_id(ticket.hall_id)
    return ticket.local_date < clock.local_date(now or clock.utcnow(), hall.timezone)


# --- lookups for the pages -----------------------------------------------------------------------


def by_public_code(hall: Hall | int, code: str) -> Ticket | None:
    """The ticket a resident's phone or the kiosk names by its unguessable code."""
    return Ticket.get_or_none((Ticket.public_code == code) & (Ticket.hall == hall))


def in_hall(hall: Hall | int, ticket_id: int | None) -> Ticket | None:
    """The ticket with this id in this hall (another hall's are as good as missing)."""
    if ticket_id is None:
        return None
    return Ticket.get_or_none((Ticket.id == ticket_id) & (Ticket.hall == hall))


def of_day(
    hall: Hall, today: dt.date, *, ticket_id: int | None = None, number: str = ""
) -> Ticket | None:
    """A ticket of the hall's day named by id, else by its number (the latest with it)."""
    query = Ticket.select().where((Ticket.hall == hall) & (Ticket.local_date == today))
    if ticket_id is not None:
        return query.where(Ticket.id == ticket_id).first()
    return query.where(Ticket.display_number == number).order_by(Ticket.id.desc()).first()


def last_event_id(ticket: Ticket) -> int:
    """The id of the ticket's latest queue event (0 when none): changes whenever it moves."""
    event = (
        QueueEvent.select(QueueEvent.id)
        .where(QueueEvent.ticket == ticket)
        .order_by(QueueEvent.id.desc())
        .first()
    )
    return event.id if event else 0


def transfer_source(ticket: Ticket) -> tuple[Window | None, Staff | None] | None:
    """Where the ticket was last transferred from: (window, staff member), either None when
    no longer known; None when it was never transferred."""
    moved = (
        QueueEvent.select(QueueEvent.window, QueueEvent.from_staff)
        .where((QueueEvent.ticket == ticket) & (QueueEvent.kind == "transferred"))
        .order_by(QueueEvent.id.desc())
        .first()
    )
    if moved is None:
        return None
    return (
        Window.get_or_none(Window.id == moved.window_id),
        Staff.get_or_none(Staff.id == moved.from_staff_id),
    )


def serving_by_window(hall: Hall, today: dt.date) -> dict[int, Ticket]:
    """The tickets being served now, by window id."""
    return {
        t.window_id: t
        for t in Ticket.select().where(
            (Ticket.hall == hall)
            & (Ticket.status == TicketStatus.CALLED)
            & (Ticket.local_date == today)
        )
    }


def display_numbers(ticket_ids: list[int]) -> dict[int, str]:
    """The numbers (A005) of these tickets, by id."""
    return {
        t.id: t.display_number
        for t in Ticket.select(Ticket.id, Ticket.display_number).where(
            Ticket.id.in_(ticket_ids or [0])
        )
    }

"""One source for each stored word (issue 15): staff roles and the statuses of tickets, cases,
rating follow-ups and print jobs, as `enum.StrEnum`s (no Flask).

The members are str, so they are written, compared and queried as the very strings the
database already holds ("waiting", "admin", …): no migration, and SQLite and psycopg2 both take
them as text. kiosk/models.py keeps the old tuples (`Ticket.STATUSES`, `Staff.ROLES`, …) as
values derived from these; templates may go on comparing plain strings.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Word(StrEnum):
    """A stored word: its members are the only values its column may hold."""

    @classmethod
    def of(cls, value: object) -> Self | None:
        """The member spelled `value` (as typed in a form), None when there is none: the one
        membership check of the validators."""
        try:
            return cls(value)
        except (ValueError, TypeError):
            return None


class Role(Word):
    ADMIN = "admin"
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    OVERSEER = "overseer"  # the central overview of many halls


class TicketStatus(Word):
    WAITING = "waiting"
    CALLED = "called"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    # Still waiting, called or skipped when its local day ended (closed by the day change).
    CLOSED = "closed"


# A ticket in one of these states still belongs to its day's queue.
OPEN_TICKET_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SKIPPED)


class CaseStatus(Word):
    # accepted = registered (已受理); returned = 退回 with a reason. A transfer to another agent
    # is an event, not a state: the case stays open with its new agent.
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# An open case runs against its deadline; a final one no longer does.
OPEN_CASE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)
FINAL_CASE_STATUSES = tuple(status for status in CaseStatus if status not in OPEN_CASE_STATUSES)


class FollowUpStatus(Word):
    """回访/整改 of a poor rating (RatingFollowUp)."""

    OPEN = "open"
    DONE = "done"


class JobStatus(Word):
    PENDING = "pending"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # A ticket slip held by a printer fault longer than the hall allows is not printed later
    # for whoever stands at the kiosk then.
    EXPIRED = "expired"


# A print job in one of these states is over: the spool sends it no more.
FINISHED_JOB_STATUSES = (
    JobStatus.PRINTED,
    JobStatus.CANCELLED,
    JobStatus.FAILED,
    JobStatus.EXPIRED,
)

"""One source for each stored word (issue 15): the enums of kiosk/words.py spell exactly the
strings the database holds, so nothing stored before them needs migrating."""

from __future__ import annotations

import pytest

from kiosk import schema_v1
from kiosk.models import Case, PrintJob, RatingFollowUp, Staff, Ticket
from kiosk.words import (
    FINAL_CASE_STATUSES,
    FINISHED_JOB_STATUSES,
    OPEN_CASE_STATUSES,
    OPEN_TICKET_STATUSES,
    CaseStatus,
    FollowUpStatus,
    JobStatus,
    Role,
    TicketStatus,
)

# The tuples of kiosk/models.py as they were written out before the enums (issue 15), in order.
WRITTEN_OUT = [
    (Role, ("admin", "staff", "supervisor", "overseer")),
    (TicketStatus, ("waiting", "called", "completed", "skipped", "closed")),
    (CaseStatus, ("accepted", "in_progress", "completed", "returned", "rejected", "withdrawn")),
    (FollowUpStatus, ("open", "done")),
    (JobStatus, ("pending", "printing", "printed", "failed", "cancelled", "expired")),
]
# Each enum, the column that stores it, and release 1's list of the same words.
COLUMNS = [
    (Role, Staff.role, schema_v1.Staff.ROLES),
    (TicketStatus, Ticket.status, schema_v1.Ticket.STATUSES),
    (CaseStatus, Case.status, schema_v1.Case.STATUSES),
    (FollowUpStatus, RatingFollowUp.status, ()),
    (JobStatus, PrintJob.status, schema_v1.PrintJob.STATUSES),
]


@pytest.mark.parametrize(("enum", "words"), WRITTEN_OUT, ids=lambda v: getattr(v, "__name__", ""))
def test_the_enums_spell_the_stored_words(enum, words):
    assert tuple(member.value for member in enum) == words
    assert all(type(member.value) is str and member == member.value for member in enum)


def test_the_models_tuples_are_the_enums():
    assert Staff.ROLES == tuple(Role)
    assert Ticket.STATUSES == tuple(TicketStatus)
    assert Case.STATUSES == tuple(CaseStatus)
    assert Case.OPEN_STATUSES == OPEN_CASE_STATUSES == ("accepted", "in_progress")
    assert RatingFollowUp.STATUSES == tuple(FollowUpStatus)
    assert PrintJob.STATUSES == tuple(JobStatus)


@pytest.mark.parametrize(
    ("enum", "column", "released"), COLUMNS, ids=lambda v: getattr(v, "__name__", "")
)
def test_every_word_fits_its_column_and_released_words_stay_valid(enum, column, released):
    """A member longer than its column would be refused by kiosk/limits.py; a word release 1
    stored that is no member any more would leave old rows with an unknown status."""
    assert all(len(member) <= column.max_length for member in enum), enum
    assert column.default in set(enum)
    assert set(released) <= set(enum), set(released) - set(enum)


def test_the_groups_of_statuses():
    from kiosk.maintenance import FINISHED_JOBS
    from kiosk.overview import FINAL_CASE_STATUSES as overview_final
    from kiosk.tickets import OPEN_STATUSES

    assert OPEN_STATUSES == OPEN_TICKET_STATUSES == ("waiting", "called", "skipped")
    assert set(FINAL_CASE_STATUSES) == {"completed", "returned", "rejected", "withdrawn"}
    assert set(FINAL_CASE_STATUSES) | set(OPEN_CASE_STATUSES) == set(CaseStatus)
    assert overview_final == FINAL_CASE_STATUSES
    assert FINISHED_JOBS == FINISHED_JOB_STATUSES
    assert set(FINISHED_JOB_STATUSES) == {"printed", "cancelled", "failed", "expired"}


def test_every_status_has_its_label():
    from kiosk.cases import STATUS_LABELS
    from kiosk.labels import JOB_STATUSES

    assert list(STATUS_LABELS) == list(CaseStatus)
    assert list(JOB_STATUSES) == list(JobStatus)
    assert STATUS_LABELS.get("in_progress") is STATUS_LABELS[CaseStatus.IN_PROGRESS]


def test_of_reads_a_typed_word():
    assert Role.of("supervisor") is Role.SUPERVISOR
    assert Role.of(Role.ADMIN) is Role.ADMIN
    for wrong in ("", "Admin", "root", None, 3, ["admin"]):
        assert Role.of(wrong) is None, wrong
    assert TicketStatus.of("closed") is TicketStatus.CLOSED
    assert JobStatus.of("waiting") is None


def test_members_are_written_and_read_as_the_plain_words(demo):
    """SQLite and psycopg2 (PostgreSQL pass) both take a member as its text: written, compared
    in a query, and read back as a plain str."""
    from kiosk.db import db

    supervisor = Staff.get(Staff.username == "supervisor")
    Staff.update(role=Role.OVERSEER).where(Staff.id == supervisor.id).execute()
    sql = f"SELECT role FROM staff WHERE id = {db.obj.param}"
    raw = db.execute_sql(sql, (supervisor.id,)).fetchone()
    assert raw[0] == "overseer" and type(raw[0]) is str
    reread = Staff.get_by_id(supervisor.id)
    assert reread.role == Role.OVERSEER and type(reread.role) is str
    assert Staff.select().where(Staff.role == Role.OVERSEER).count() == 1
    assert Staff.select().where(Staff.role.in_(Staff.ROLES)).count() == Staff.select().count()
    admins = Staff.select().where(Staff.role == "admin").count()
    assert admins == Staff.select().where(Staff.role == Role.ADMIN).count() >= 1

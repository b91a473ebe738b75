"""The peewee models: every table of the hall server, each row belonging to a hall.

One database can serve many halls (one PostgreSQL server for a county), so every table carries
`hall` (directly or through its parent row) and every unique key includes it. Times are stored
as naive UTC datetimes; `local_date` columns hold the hall's own calendar day (Asia/Shanghai by
default), which is what numbering and reports are keyed on. Money is Decimal.

Tables for matters not finished on the spot (cases, complaints, petitions), ratings, notices,
printing and the audit trail are defined here from the start so the model is shaped for them.
"""

from __future__ import annotations

import datetime as dt

import peewee
from peewee import (
    SQL,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
)

from . import clock
from .db import db
from .limits import DEFAULT_TEXT_LIMIT, check_row
from .words import (
    OPEN_CASE_STATUSES,
    CaseStatus,
    FollowUpStatus,
    JobStatus,
    Role,
    TicketStatus,
)


def utcnow() -> dt.datetime:
    """Column defaults read the hall's clock, so a shifted clock (soak runs) shifts them too."""
    return clock.utcnow()


class TextField(peewee.TextField):
    """TEXT with a declared maximum length, checked before writing (kiosk/limits.py); None
    only for text the server writes itself (print documents, audit snapshots)."""

    def __init__(self, *args, max_length: int | None = DEFAULT_TEXT_LIMIT, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length


class BaseModel(Model):
    """Every write goes through `check_row` first: a value its column cannot hold (too long,
    NUL, out of range) raises ValidationError on SQLite and PostgreSQL alike, before any SQL."""

    class Meta:
        database = db
        legacy_table_names = False

    def save(self, *args, **kwargs):
        check_row(type(self), self.__data__)
        return super().save(*args, **kwargs)

    @classmethod
    def insert(cls, _row=None, **insert):
        check_row(cls, cls._normalize_data(_row, insert))
        return super().insert(_row, **insert)

    @classmethod
    def update(cls, _row=None, **update):
        check_row(cls, cls._normalize_data(_row, update))
        return super().update(_row, **update)

    @classmethod
    def insert_many(cls, rows, fields=None):
        rows = list(rows)
        for row in rows:
            if isinstance(row, dict):
                check_row(cls, row)
            elif fields is not None:
                check_row(cls, dict(zip(fields, row, strict=False)))
        return super().insert_many(rows, fields)


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    name = CharField()
    applied_at = DateTimeField(default=utcnow)


class Hall(BaseModel):
    code = CharField(max_length=32, unique=True)
    name = CharField()
    name_en = CharField(default="")
    address = CharField(default="")
    timezone = CharField(default="Asia/Shanghai")
    consultation_phone = CharField(default="")
    supervision_phone = CharField(default="")
    opens_at = CharField(max_length=5, default="08:30")  # local "HH:MM"
    closes_at = CharField(max_length=5, default="17:30")
    # Lunch break (午休): no tickets between these local times; both "" = no break.
    break_starts_at = CharField(max_length=5, default="")
    break_ends_at = CharField(max_length=5, default="")
    weekend_service = BooleanField(default=False)  # 延时服务: also open on non-working days
    always_open = BooleanField(default=False)  # 24-hour self-service halls and demos
    announcement_template = CharField(default="请{number}号到{window}号窗口办理")
    # Fairness: after this many priority tickets in a row at one window, a waiting normal
    # ticket is called next, so normal tickets are never starved.
    priority_streak_limit = SmallIntegerField(default=3)
    skip_reactivation_minutes = SmallIntegerField(default=30)
    skip_requeue_behind = SmallIntegerField(default=3)
    kiosk_tickets_per_minute = SmallIntegerField(default=6)
    personal_data_retention_days = IntegerField(default=365)
    created_at = DateTimeField(default=utcnow)
    # Settings staff change in 管理 (migration 3); IT settings live in kiosk/config.py.
    kiosk_idle_seconds = SmallIntegerField(default=60)  # kiosk returns home after this
    public_base_url = CharField(default="")  # "http://192.168.1.10:8000": the QR codes' address
    # Set with the hall's first audit entry (migration 11): an audit trail emptied later, head
    # and all, is reported as emptied instead of verifying as "0 entries, OK".
    audit_started = BooleanField(default=False)
    # A ticket slip held by a printer fault for longer than this is not printed when the fault
    # clears (the resident has long gone; someone else would take it): it is marked expired.
    print_hold_expiry_minutes = SmallIntegerField(default=10)
    # 意见箱 answer deadlines in calendar days: a general matter within a week, a major one
    # within a month (seed 003).
    complaint_general_days = SmallIntegerField(default=7)
    complaint_major_days = SmallIntegerField(default=30)
    # Ratings and reports (migration 9): the rating scale residents see (national 好差评 five
    # levels, or the source documents' 好/较好/一般/差 10-point scale) and the wait alert.
    rating_scale = CharField(max_length=16, default="national")
    wait_alert_minutes = SmallIntegerField(default=30)


class Service(BaseModel):
    """A service category (业务类别) with its procedure guide (办事指南)."""

    HANDLING_TYPES = ("instant", "promised", "joint", "approval")  # 即办/承诺/联办/报批

    hall = ForeignKeyField(Hall, backref="services", on_delete="CASCADE")
    code = CharField(max_length=32)
    prefix = CharField(max_length=2)  # ticket letter(s): A, B, …
    name = CharField()
    name_en = CharField(default="")
    icon = CharField(default="")
    summary = TextField(default="")
    sort_order = IntegerField(default=0)
    active = BooleanField(default=True)  # False = paused, no tickets
    daily_cap = IntegerField(default=0)  # 0 = no cap
    legal_basis = TextField(default="")
    conditions = TextField(default="")
    handling_type = CharField(max_length=16, default="instant")
    # Retired (停用): hidden from the kiosk and the consoles, kept for reports; never deleted.
    retired_at = DateTimeField(null=True)
    time_limit_days = SmallIntegerField(default=0)  # working days for promised matters
    fees = CharField(default="不收费")
    consultation_phone = CharField(default="")
    supervision_phone = CharField(default="")

    class Meta:
        indexes = ((("hall", "code"), True), (("hall", "prefix"), True))


class ProcedureStep(BaseModel):
    service = ForeignKeyField(Service, backref="steps", on_delete="CASCADE")
    position = SmallIntegerField()
    title = CharField()
    detail = TextField(default="")

    class Meta:
        indexes = ((("service", "position"), True),)


class RequiredMaterial(BaseModel):
    FORMS = ("original", "copy", "original_and_copy")

    service = ForeignKeyField(Service, backref="materials", on_delete="CASCADE")
    position = SmallIntegerField()
    name = CharField()
    form = CharField(max_length=20, default="original")
    copies = SmallIntegerField(default=1)
    note = CharField(default="")

    class Meta:
        indexes = ((("service", "position"), True),)


class Staff(BaseModel):
    ROLES = tuple(Role)  # kiosk/words.py; overseer: the central overview

    hall = ForeignKeyField(Hall, backref="staff", on_delete="CASCADE")
    username = CharField(max_length=64)
    display_name = CharField()
    post = CharField(default="")  # 岗位
    phone = CharField(default="")
    role = CharField(max_length=16, default=Role.STAFF)
    password_hash = CharField(default="")
    photo = CharField(default="")
    active = BooleanField(default=True)
    failed_logins = SmallIntegerField(default=0)
    # Bumped by sign-out, a password, role or status change: every session cookie signed with
    # an older number stops working at once (Flask's cookies cannot be revoked one by one).
    session_version = IntegerField(default=1)
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("hall", "username"), True),)


class Window(BaseModel):
    hall = ForeignKeyField(Hall, backref="windows", on_delete="CASCADE")
    number = SmallIntegerField()
    name = CharField(default="")
    paused = BooleanField(default=False)
    priority_streak = SmallIntegerField(default=0)
    on_duty = ForeignKeyField(Staff, null=True, on_delete="SET NULL")  # 挂牌上岗
    on_duty_since = DateTimeField(null=True)
    retired_at = DateTimeField(null=True)  # retired windows keep their history

    class Meta:
        indexes = ((("hall", "number"), True),)


class WindowService(BaseModel):
    """The ordered list of services a window serves (position 1 first)."""

    window = ForeignKeyField(Window, backref="service_links", on_delete="CASCADE")
    service = ForeignKeyField(Service, backref="window_links", on_delete="CASCADE")
    position = SmallIntegerField(default=1)

    class Meta:
        indexes = ((("window", "service"), True),)


class StaffWindow(BaseModel):
    """Which windows a staff member may sign in to."""

    staff = ForeignKeyField(Staff, backref="window_links", on_delete="CASCADE")
    window = ForeignKeyField(Window, backref="staff_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("staff", "window"), True),)


class DailyCounter(BaseModel):
    """The last number issued per hall, service and local day; locked to number a ticket."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    service = ForeignKeyField(Service, on_delete="CASCADE")
    local_date = DateField()
    last_number = IntegerField(default=0)

    class Meta:
        indexes = ((("hall", "service", "local_date"), True),)


class CaseCounter(BaseModel):
    """The last case number given per hall, number prefix (SL受理件, YJ意见) and local day;
    bumped by one UPSERT so concurrent registrations never get the same number."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    prefix = CharField(max_length=8)
    local_date = DateField()
    last_number = IntegerField(default=0)

    class Meta:
        indexes = ((("hall", "prefix", "local_date"), True),)


class Ticket(BaseModel):
    STATUSES = tuple(TicketStatus)  # kiosk/words.py, with what each word means
    PRIORITIES = ("", "elderly", "disabled", "pregnant", "military", "appointment")

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    service = ForeignKeyField(Service, on_delete="CASCADE")  # current (changes on transfer)
    issued_service = ForeignKeyField(Service, on_delete="CASCADE")  # whose counter numbered it
    local_date = DateField()
    sequence = IntegerField()
    display_number = CharField(max_length=16)
    public_code = CharField(max_length=32, unique=True)
    priority = CharField(max_length=16, default="")
    status = CharField(max_length=16, default=TicketStatus.WAITING)
    issued_at = DateTimeField(default=utcnow)
    # Ordering key: the arrival time, kept on transfer, moved back on re-activation after a skip.
    queue_at = DateTimeField(default=utcnow)
    window = ForeignKeyField(Window, null=True, backref="tickets", on_delete="SET NULL")
    target_window = ForeignKeyField(Window, null=True, on_delete="SET NULL")
    called_at = DateTimeField(null=True)  # the last call (cleared on transfer and re-activation)
    # The first call, set once and kept through recall, transfer and re-activation: the wait
    # (issue to first call) of the reports (migration 17; before, read from the queue events).
    first_called_at = DateTimeField(null=True)
    completed_at = DateTimeField(null=True)
    skipped_at = DateTimeField(null=True)
    recall_count = SmallIntegerField(default=0)
    first_staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")  # 首问负责
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    outcome = CharField(max_length=16, default="")  # done / registered (handed to a case)
    kiosk = CharField(max_length=64, default="")
    version = IntegerField(default=1)  # bumped on every change: stale actions are refused

    class Meta:
        indexes = (
            (("hall", "issued_service", "local_date", "sequence"), True),
            (("hall", "local_date", "status"), False),
            (("status", "service", "queue_at"), False),
            # Request paths (migration 10): the kiosk rate limit, a service's recent handling
            # times, the ticket at a window, past days' open tickets.
            (("hall", "kiosk", "issued_at"), False),
            (("service", "status", "completed_at"), False),
            (("window", "status", "local_date"), False),
            (("hall", "status", "local_date"), False),
        )


# At most one ticket is being served (status "called") at a window: the database refuses a
# second one whatever the code does (the row lock in queue.call_next keeps it from trying).
ONE_CALLED_PER_WINDOW = "ticket_one_called_per_window"
Ticket.add_index(
    Ticket.index(
        Ticket.window,
        unique=True,
        where=(Ticket.status == TicketStatus.CALLED),
        name=ONE_CALLED_PER_WINDOW,
    )
)


class QueueEvent(BaseModel):
    """Every state change of a ticket or a window: wait and handling times derive from these."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, null=True, backref="events", on_delete="CASCADE")
    window = ForeignKeyField(Window, null=True, on_delete="SET NULL")
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    kind = CharField(max_length=16)
    at = DateTimeField(default=utcnow)
    from_service = ForeignKeyField(Service, null=True, on_delete="SET NULL")
    to_service = ForeignKeyField(Service, null=True, on_delete="SET NULL")
    to_window = ForeignKeyField(Window, null=True, on_delete="SET NULL")
    from_staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    detail = CharField(default="")

    class Meta:
        indexes = (
            (("hall", "id"), False),
            (("ticket", "kind"), False),
            (("hall", "at"), False),  # today's calls for the board (migration 10)
        )


# The reports' transfers (issue 14): a period's "transferred" events found without reading the
# year's other events (PostgreSQL read all of them, 0.2–0.6 s; partial, so no other query's
# plan changes).
TRANSFERRED_EVENTS = "queue_event_transferred"
QueueEvent.add_index(
    QueueEvent.index(
        QueueEvent.ticket, where=(QueueEvent.kind == "transferred"), name=TRANSFERRED_EVENTS
    )
)


class CalendarDay(BaseModel):
    """An exception to Mon-Fri: a public holiday, or a make-up working day (调休)."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    day = DateField()
    kind = CharField(max_length=16)  # holiday / workday
    name = CharField(default="")

    class Meta:
        indexes = ((("hall", "day"), True),)


class Case(BaseModel):
    """A matter not finished on the spot: accepted case, complaint, petition or suggestion."""

    KINDS = ("case", "complaint", "petition", "suggestion")
    STATUSES = tuple(CaseStatus)  # kiosk/words.py, with what each word means
    OPEN_STATUSES = OPEN_CASE_STATUSES

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    kind = CharField(max_length=16, default="case")
    number = CharField(max_length=32)
    tracking_code = CharField(max_length=32, unique=True)
    service = ForeignKeyField(Service, null=True, on_delete="SET NULL")
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    resident_name = CharField(default="")
    resident_phone = CharField(default="")
    resident_id_number = CharField(default="")
    subject = CharField(default="")
    description = TextField(default="")
    severity = CharField(max_length=16, default="general")  # general / major (complaints)
    real_name = BooleanField(default=True)
    first_responsible = ForeignKeyField(Staff, null=True, on_delete="SET NULL")  # 首问
    accepted_by = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    agent = ForeignKeyField(Staff, null=True, on_delete="SET NULL")  # 代办员
    accepted_at = DateTimeField(default=utcnow)
    time_limit_days = SmallIntegerField(default=0)
    deadline = DateField(null=True)  # computed from working days
    status = CharField(max_length=16, default=CaseStatus.ACCEPTED)
    completed_at = DateTimeField(null=True)
    resident_confirmed_at = DateTimeField(null=True)
    result = TextField(default="")
    personal_data_purged_at = DateTimeField(null=True)
    # Issue 13: the full workflow.
    lookup_code = CharField(max_length=12, default="")  # digits typed on the kiosk keypad
    level = CharField(max_length=16, default="")  # community / town / county (限时办结)
    window_number = SmallIntegerField(null=True)  # window that accepted it (its receipt printer)
    materials_received = TextField(default="", max_length=4000)  # one material a line
    materials_missing = TextField(default="", max_length=4000)
    category = CharField(max_length=32, default="")  # complaints and suggestions
    about = CharField(default="")  # the window, staff member or service complained about
    extended_days = SmallIntegerField(default=0)
    extension_reason = TextField(default="", max_length=1000)
    notified_via = CharField(max_length=16, default="")  # how the resident was told
    confirmed_via = CharField(max_length=16, default="")  # window / kiosk / phone
    form_token = CharField(max_length=64, default="")  # refuses a double submission

    class Meta:
        indexes = (
            (("hall", "number"), True),
            (("hall", "status", "deadline"), False),
            (("hall", "lookup_code"), False),
            (("hall", "accepted_at"), False),
            # The reports' cases completed in a period (migration 18).
            (("hall", "completed_at"), False),
        )


# The open cases (办理中) written out as literals, not bound parameters: SQLite matches a
# partial index only to the same literal condition. A year in, the open cases are a few hundred
# of tens of thousands, and the planner, seeing two statuses spread evenly (ANALYZE keeps no
# more), otherwise read every case of the hall or of the agent to find them (migration 20).
CASE_IS_OPEN = Case.status.in_(
    SQL("(" + ", ".join(f"'{status.value}'" for status in OPEN_CASE_STATUSES) + ")")
)
Case.add_index(
    Case.index(Case.hall, Case.deadline, where=CASE_IS_OPEN, name="case_open_by_deadline")
)


class CaseEvent(BaseModel):
    case = ForeignKeyField(Case, backref="events", on_delete="CASCADE")
    at = DateTimeField(default=utcnow)
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    kind = CharField(max_length=16)
    from_staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    to_staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    detail = TextField(default="")


class Rating(BaseModel):
    """群众评议 / 好差评. Every rating is stored on both scales so reports compare across a
    switch of the hall's scale: `score` out of 10 (好 10-9, 较好 8-7, 一般 6-5, 差 4-3) and
    `level` 1-5 (非常不满意 … 非常满意); `scale` and `grade` say what the resident touched.
    At most one rating per ticket and per case (unique indexes)."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, null=True, unique=True, on_delete="SET NULL")
    case = ForeignKeyField(Case, null=True, unique=True, on_delete="SET NULL")
    window = ForeignKeyField(Window, null=True, on_delete="SET NULL")
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    score = SmallIntegerField()
    comment = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    local_date = DateField()
    # Migration 9: both scales, the in-person indicators (1-5, optional) and where it came from.
    scale = CharField(max_length=16, default="ten_point")
    grade = CharField(max_length=24, default="")
    level = SmallIntegerField(default=0)
    efficiency = SmallIntegerField(null=True)  # 服务效率
    competence = SmallIntegerField(null=True)  # 服务水平
    attitude = SmallIntegerField(null=True)  # 服务态度
    source = CharField(max_length=16, default="")  # window_pad / kiosk / phone

    class Meta:
        indexes = ((("hall", "local_date"), False),)


class RatingFollowUp(BaseModel):
    """回访/整改: a poor rating opens an item for the hall head with a working-day deadline."""

    STATUSES = tuple(FollowUpStatus)  # kiosk/words.py

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    rating = ForeignKeyField(Rating, unique=True, on_delete="CASCADE")
    opened_at = DateTimeField(default=utcnow)
    local_date = DateField()  # the hall's day it was opened
    deadline = DateField()
    status = CharField(max_length=16, default=FollowUpStatus.OPEN)
    outcome = TextField(default="")
    done_at = DateTimeField(null=True)
    done_on = DateField(null=True)  # the hall's day it was closed: on time when <= deadline
    done_by = ForeignKeyField(Staff, null=True, on_delete="SET NULL")

    class Meta:
        indexes = (
            (("hall", "status", "deadline"), False),
            (("hall", "local_date"), False),
            # The closed ones newest first (回访/整改, 已办结; migration 20).
            (("hall", "status", "done_at"), False),
        )


class Notice(BaseModel):
    CATEGORIES = ("party", "residence", "finance", "service", "policy", "integrity", "deliberation")

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    category = CharField(max_length=16)
    title = CharField()
    body = TextField(default="", max_length=50_000)  # sanitized HTML
    valid_from = DateField(null=True)
    valid_until = DateField(null=True)
    published = BooleanField(default=True)
    created_by = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class FinanceEntry(BaseModel):
    """财务按月逐笔公开: one line of a month's itemized disclosure."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    month = CharField(max_length=7)  # YYYY-MM
    day = DateField()
    item = CharField()
    direction = CharField(max_length=8)  # income / expense
    amount = DecimalField(max_digits=14, decimal_places=2, auto_round=False)
    handler = CharField(default="")
    voucher = CharField(max_length=64)

    class Meta:
        indexes = ((("hall", "month", "voucher"), True),)


class Meeting(BaseModel):
    """居民议政: a deliberation meeting (by default on the 5th of the month)."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    held_on = DateField()
    title = CharField()
    attendees = SmallIntegerField(default=0)
    representatives = SmallIntegerField(default=0)  # residents' representatives among them
    published_notice = ForeignKeyField(Notice, null=True, on_delete="SET NULL")


class AgendaItem(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="items", on_delete="CASCADE")
    position = SmallIntegerField()
    title = CharField()
    support = SmallIntegerField(null=True)  # null until voted
    oppose = SmallIntegerField(null=True)
    abstain = SmallIntegerField(null=True)
    passed = BooleanField(null=True)

    class Meta:
        indexes = ((("meeting", "position"), True),)


class DisplaySlide(BaseModel):
    """An education or policy slide the hall board shows while nobody is being called."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    image = CharField()  # file name under the upload folder
    caption = CharField(default="")
    position = SmallIntegerField(default=1)
    active = BooleanField(default=True)


class Printer(BaseModel):
    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    name = CharField()
    role = CharField(max_length=32, default="kiosk")  # kiosk / window:<n> / notice
    connection = TextField(default="{}")  # JSON: {"kind": "network", "host": …, "port": 9100}
    dot_width = SmallIntegerField(default=576)
    mode = CharField(max_length=8, default="raster")  # raster / text
    font_path = CharField(default="")
    enabled = BooleanField(default=True)
    state = CharField(max_length=16, default="unknown")
    state_label = CharField(default="")
    last_error = TextField(default="")
    last_checked_at = DateTimeField(null=True)
    # The print spool's lease (kiosk/spool.py): which spool process sends to this printer, and
    # when it last said it was alive. Only the holder sends, so two server processes never
    # both print, and a job left `printing` by a dead holder is known to be interrupted.
    spool_owner = CharField(default="")  # "host:pid:token"; "" = free
    spool_heartbeat_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("hall", "name"), True),)


class PrintJob(BaseModel):
    STATUSES = tuple(JobStatus)  # kiosk/words.py, with what each word means

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    printer = ForeignKeyField(Printer, backref="jobs", on_delete="CASCADE")
    document = TextField(max_length=None)  # JSON of a printers.Document
    status = CharField(max_length=16, default=JobStatus.PENDING)
    attempts = SmallIntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    last_error = TextField(default="")
    # 补打: a send was started and not confirmed finished (a crash, a connection failing
    # midway), so the slip may have come out already; it is marked on paper when sent again
    # and counted on the printers page. Kept whatever later holds write in last_error.
    interrupted = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    printed_at = DateTimeField(null=True)
    source_kind = CharField(max_length=16, default="")
    source_id = IntegerField(null=True)

    class Meta:
        indexes = (
            (("printer", "status", "id"), False),
            # The ticket screen's print state, and the printers page's counts (migration 10).
            (("source_kind", "source_id", "id"), False),
            (("hall", "status"), False),
        )


# The printers' counts on 管理 and 打印机 (migration 18): pending, 补打 and expired jobs per
# printer from partial indexes holding only those rare rows. A year in, the planner otherwise
# read every job through the printer index to group them (0.2 s a page). Partial, so the jobs
# list keeps its id order.
PRINT_JOB_COUNT_INDEXES = {
    "print_job_pending_per_printer": (("hall", "printer"), PrintJob.status == JobStatus.PENDING),
    "print_job_interrupted_per_printer": (
        ("hall", "printer", "created_at"),
        PrintJob.interrupted == True,  # noqa: E712 - SQL
    ),
    "print_job_expired_per_printer": (
        ("hall", "printer", "created_at"),
        PrintJob.status == JobStatus.EXPIRED,
    ),
}
for _name, (_columns, _where) in PRINT_JOB_COUNT_INDEXES.items():
    PrintJob.add_index(
        PrintJob.index(*(getattr(PrintJob, c) for c in _columns), where=_where, name=_name)
    )


class AuditEntry(BaseModel):
    """Append-only, hash-chained log of every staff and admin action."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    at = DateTimeField(default=utcnow)
    actor = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    actor_name = CharField(default="")
    action = CharField(max_length=64)
    object_type = CharField(max_length=32, default="")
    object_id = CharField(max_length=64, default="")
    before = TextField(default="", max_length=None)
    after = TextField(default="", max_length=None)
    prev_hash = CharField(max_length=64, default="")
    entry_hash = CharField(max_length=64, default="")


class AuditHead(BaseModel):
    """The end of each hall's audit chain (count and last hash), written with every entry, so
    that cutting entries off the end of the chain is detected too."""

    hall = ForeignKeyField(Hall, unique=True, on_delete="CASCADE")
    entries = IntegerField(default=0)
    last_hash = CharField(max_length=64, default="")
    # The point up to which the chain was last verified (migration 11): page views check only
    # the entries after it; the full walk stays in scripts/audit_verify.py and behind a button.
    verified_id = IntegerField(default=0)
    verified_hash = CharField(max_length=64, default="")
    verified_entries = IntegerField(default=0)


class ReportDay(BaseModel):
    """A local day of a hall whose report figures are kept in `DayFigure` (migration 19):
    written once the day is over and its tickets are closed (`kiosk/day_figures.py`)."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    local_date = DateField()
    summarised_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("hall", "local_date"), True),)


class DayFigure(BaseModel):
    """The reports' figures of one finished local day, summed per (service, window, staff,
    step): derived from the tickets, queue events and ratings of that day, so a month's report
    reads some thousand of these instead of every ticket (`kiosk/day_figures.py` says what each
    measure holds). Plain ids, not foreign keys: a summary outlives nothing it summarises."""

    hall = ForeignKeyField(Hall, on_delete="CASCADE")
    local_date = DateField()
    measure = CharField(max_length=16)
    service_id = IntegerField(null=True)
    window_id = IntegerField(null=True)
    staff_id = IntegerField(null=True)
    step = IntegerField(default=0)
    n = IntegerField(default=0)
    total = FloatField(default=0)

    class Meta:
        indexes = ((("hall", "measure", "local_date"), False),)


ALL_MODELS = [
    SchemaVersion,
    Hall,
    Service,
    ProcedureStep,
    RequiredMaterial,
    Staff,
    Window,
    WindowService,
    StaffWindow,
    DailyCounter,
    CaseCounter,
    Ticket,
    QueueEvent,
    CalendarDay,
    Case,
    CaseEvent,
    Rating,
    RatingFollowUp,
    Notice,
    FinanceEntry,
    Meeting,
    AgendaItem,
    DisplaySlide,
    Printer,
    PrintJob,
    AuditEntry,
    AuditHead,
    ReportDay,
    DayFigure,
]

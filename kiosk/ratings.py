"""群众评议 / 好差评: residents rate the service of one ticket or one case, once.

Two scales, chosen per hall (`Hall.rating_scale`):
- "national": the national 好差评 five levels 非常满意, 满意, 基本满意, 不满意, 非常不满意, with
  the in-person indicators 整体满意度 (the grade itself), 服务效率, 服务水平, 服务态度 (1-5);
- "ten_point": the source documents' 好 / 较好 / 一般 / 差 (10, 8, 6, 4 on the 10-point scale).
Every rating stores both a 10-point `score` and a 1-5 `level`, so reports compare across a switch:
the score is the total over the raters (two decimals), the satisfaction rate the share rated
基本满意 (or 一般) and better. A poor rating (不满意, 非常不满意, 差) opens a follow-up (回访/整改)
for the hall head, due in 5 working days. A suggestion left with a rating becomes a case of
kind "suggestion" (意见箱). No Flask here.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peewee import IntegrityError, fn

from . import clock
from .calendar import working_days_after
from .cases import next_case_number
from .db import write_transaction
from .errors import N_, ValidationError
from .models import Case, Hall, Rating, RatingFollowUp, Staff, Ticket, Window
from .paging import Page, paginate
from .words import CaseStatus, FollowUpStatus, TicketStatus

SCALES = ("national", "ten_point")
SCALE_LABELS = {
    "national": N_("五级满意度（好差评）"),
    "ten_point": N_("好/较好/一般/差（10分制）"),
}


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    score: int  # out of 10
    level: int  # 1 (very dissatisfied) … 5 (very satisfied)


GRADES_BY_SCALE: dict[str, tuple[Grade, ...]] = {
    "national": (
        Grade("very_satisfied", N_("非常满意"), 10, 5),
        Grade("satisfied", N_("满意"), 8, 4),
        Grade("basically_satisfied", N_("基本满意"), 6, 3),
        Grade("dissatisfied", N_("不满意"), 4, 2),
        Grade("very_dissatisfied", N_("非常不满意"), 3, 1),
    ),
    "ten_point": (
        Grade("good", N_("好"), 10, 5),
        Grade("fairly_good", N_("较好"), 8, 4),
        Grade("average", N_("一般"), 6, 3),
        Grade("poor", N_("差"), 4, 2),
    ),
}
# Kept for the old callers: the 10-point grades and their labels.
GRADES = {grade.code: grade.score for grade in GRADES_BY_SCALE["ten_point"]}
GRADE_LABELS = {grade.code: grade.label for grade in GRADES_BY_SCALE["ten_point"]}
INDICATORS = {
    "efficiency": N_("服务效率"),
    "competence": N_("服务水平"),
    "attitude": N_("服务态度"),
}
POOR_LEVEL = 2  # level <= this is a poor rating
SATISFIED_LEVEL = 3  # level >= this counts as satisfied
FOLLOW_UP_WORKING_DAYS = 5
PAD_SECONDS = 60  # the window screen shows the rating pad this long after completion
MAX_SUGGESTION = 500


def grades_for(scale: str) -> tuple[Grade, ...]:
    return GRADES_BY_SCALE.get(scale, GRADES_BY_SCALE["national"])


def find_grade(scale: str, code: str) -> Grade:
    for grade in grades_for(scale):
        if grade.code == code:
            return grade
    raise ValidationError(N_("请选择一个评价"), field="grade")


def _indicator_values(indicators: dict | None) -> dict[str, int | None]:
    values: dict[str, int | None] = {}
    for name in INDICATORS:
        raw = (indicators or {}).get(name)
        if raw in (None, ""):
            values[name] = None
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise ValidationError(N_("分项评价应为 1 至 5"), field=name)
        values[name] = value
    return values


def _clean_suggestion(suggestion: str) -> str:
    suggestion = (suggestion or "").strip()
    if len(suggestion) > MAX_SUGGESTION:
        raise ValidationError(
            N_("意见请不要超过 %(count)s 字"), field="suggestion", count=MAX_SUGGESTION
        )
    return suggestion


def _suggestion_case(hall: Hall, suggestion: str, today: dt.date, now: dt.datetime) -> None:
    Case.create(
        hall=hall,
        kind="suggestion",
        number=next_case_number(hall.id, today, "YJ"),
        tracking_code=secrets.token_urlsafe(12),
        subject=suggestion[:200],
        description=suggestion,
        accepted_at=now,
        status=CaseStatus.ACCEPTED,
        deadline=today + dt.timedelta(days=7),
        real_name=False,
    )


ALREADY_RATED_TICKET = N_("该号码已评价过，每个号码只能评价一次")
ALREADY_RATED_CASE = N_("该受理件已评价过，只能评价一次")


def _store(
    hall: Hall,
    grade: Grade,
    scale: str,
    suggestion: str,
    now,
    *,
    duplicate: str = ALREADY_RATED_TICKET,
    **links,
) -> Rating:
    today = clock.local_date(now, hall.timezone)
    with write_transaction():
        try:
            rating = Rating.create(
                hall=hall,
                score=grade.score,
                level=grade.level,
                scale=scale,
                grade=grade.code,
                comment=suggestion,
                created_at=now,
                local_date=today,
                **links,
            )
        except IntegrityError:
            # The unique index decides when two screens rate the same ticket (case) at once.
            raise ValidationError(duplicate) from None
        if grade.level <= POOR_LEVEL:
            RatingFollowUp.create(
                hall=hall,
                rating=rating,
                opened_at=now,
                local_date=today,
                deadline=working_days_after(hall, today, FOLLOW_UP_WORKING_DAYS),
            )
        if suggestion:
            _suggestion_case(hall, suggestion, today, now)
    return rating


def rate_ticket(
    hall: Hall, ticket: Ticket, grade_code: str, suggestion: str = "", **answer
) -> Rating:
    """Rate the service of a completed ticket of today, once. The window and the staff member
    who completed it are the ones rated. `answer`: see `_rate`."""
    return _rate(hall, grade_code, suggestion, functools.partial(_ticket_rated, ticket), **answer)


def rate_case(hall: Hall, case: Case, grade_code: str, suggestion: str = "", **answer) -> Rating:
    """Rate a completed case (受理件), once; the staff member who accepted it is rated."""
    return _rate(hall, grade_code, suggestion, functools.partial(_case_rated, case), **answer)


def _rate(
    hall: Hall,
    grade_code: str,
    suggestion: str,
    subject,
    *,
    indicators: dict | None = None,
    source: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """The answer is checked first (grade on the hall's scale, indicators, suggestion), then
    `subject(hall, now)` checks what is rated and returns its links for the rating row."""
    now = now or clock.utcnow()
    grade = find_grade(hall.rating_scale, grade_code)
    values = _indicator_values(indicators)
    suggestion = _clean_suggestion(suggestion)
    return _store(
        hall,
        grade,
        hall.rating_scale,
        suggestion,
        now,
        source=source,
        **subject(hall, now),
        **values,
    )


def _ticket_rated(ticket: Ticket, hall: Hall, now: dt.datetime) -> dict:
    ticket = Ticket.get_by_id(ticket.id)
    if ticket.hall_id != hall.id:
        raise ValidationError(N_("该号码不属于本大厅"))
    if ticket.status != TicketStatus.COMPLETED:
        raise ValidationError(
            N_("号码 %(number)s 尚未办结，办结后才能评价"), number=ticket.display_number
        )
    if ticket.local_date != clock.local_date(now, hall.timezone):
        raise ValidationError(N_("只能在取号当天评价"))
    if Rating.select().where(Rating.ticket == ticket).exists():
        raise ValidationError(ALREADY_RATED_TICKET)
    return {"ticket": ticket, "window": ticket.window_id, "staff": ticket.staff_id}


def _case_rated(case: Case, hall: Hall, now: dt.datetime) -> dict:
    case = Case.get_by_id(case.id)
    if case.hall_id != hall.id or not case_is_rateable(case):
        raise ValidationError(N_("该受理件不能评价"))
    if case.status != CaseStatus.COMPLETED:
        raise ValidationError(N_("受理件尚未办结，办结后才能评价"))
    if case_is_rated(case):
        raise ValidationError(ALREADY_RATED_CASE)
    staff = case.accepted_by_id or case.first_responsible_id
    return {"case": case, "staff": staff, "duplicate": ALREADY_RATED_CASE}


def case_is_rateable(case: Case) -> bool:
    """Kinds of case a resident rates (a suggestion is itself feedback, not a service)."""
    return case.kind != "suggestion"


def case_is_rated(case: Case) -> bool:
    return Rating.select().where(Rating.case == case).exists()


def case_rating_state(case: Case) -> dict:
    """What a case's public page offers: the rating form (completed, rateable, not yet rated)
    or the thanks once rated; the grades on the hall's current scale."""
    if case.status != CaseStatus.COMPLETED or not case_is_rateable(case):
        return {"can_rate": False, "rated": False}
    rated = case_is_rated(case)
    scale = Hall.get_by_id(case.hall_id).rating_scale
    return {
        "can_rate": not rated,
        "rated": rated,
        "rate_grades": grades_for(scale),
        "rate_indicators": INDICATORS if scale == "national" else {},
    }


def rate(hall: Hall, window: Window, grade: str, suggestion: str = "", *, now=None) -> Rating:
    """A rating of a window without a ticket (release 1's kiosk page; kept for scripts and old
    tests). Residents rate through `rate_ticket` now: one rating per ticket."""
    if grade not in GRADES:
        raise ValidationError(N_("请选择一个评价"), field="grade")
    if window.hall_id != hall.id:
        raise ValidationError(N_("该窗口不属于本大厅"), field="window")
    suggestion = _clean_suggestion(suggestion)
    now = now or clock.utcnow()
    return _store(
        hall,
        find_grade("ten_point", grade),
        "ten_point",
        suggestion,
        now,
        window=window,
        staff=window.on_duty_id,
    )


def is_rated(ticket: Ticket) -> bool:
    return Rating.select().where(Rating.ticket == ticket).exists()


def pad_ticket(window: Window, *, now: dt.datetime | None = None) -> Ticket | None:
    """The ticket the window screen asks a rating for: completed at this window in the last
    minute and not rated yet."""
    now = now or clock.utcnow()
    ticket = (
        Ticket.select()
        .where(
            (Ticket.window == window)
            & (Ticket.status == TicketStatus.COMPLETED)
            & (Ticket.completed_at >= now - dt.timedelta(seconds=PAD_SECONDS))
        )
        .order_by(Ticket.completed_at.desc())
        .first()
    )
    if ticket is None or is_rated(ticket):
        return None
    return ticket


def recently_rated(window: Window, seconds: int = 5, *, now: dt.datetime | None = None) -> bool:
    """A rating given at this window's pad in the last few seconds: the screen says thanks."""
    now = now or clock.utcnow()
    return (
        Rating.select()
        .where(
            (Rating.window == window)
            & (Rating.source == "window_pad")
            & (Rating.created_at >= now - dt.timedelta(seconds=seconds))
        )
        .exists()
    )


def pad_seconds_left(ticket: Ticket, *, now: dt.datetime | None = None) -> int:
    left = PAD_SECONDS - ((now or clock.utcnow()) - ticket.completed_at).total_seconds()
    return max(int(left), 0)


def score_of(total, raters) -> Decimal:
    if not raters:
        return Decimal("0.00")
    return (Decimal(total) / Decimal(raters)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def monthly_score(hall: Hall, year: int, month: int, window: Window | None = None) -> Decimal:
    """Total score over the number of raters, two decimals (0 when nobody rated)."""
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    query = Rating.select(fn.SUM(Rating.score), fn.COUNT(Rating.id)).where(
        (Rating.hall == hall) & (Rating.local_date >= start) & (Rating.local_date < end)
    )
    if window is not None:
        query = query.where(Rating.window == window)
    total, raters = query.scalar(as_tuple=True)
    return score_of(total, raters)


# --- Follow-ups (回访/整改) -------------------------------------------------------------------


FOLLOW_UPS_PER_PAGE = 50


def open_follow_ups(hall: Hall, page: int = 1) -> Page:
    """One page of the open follow-ups with their ratings, nearest deadline first (so the
    overdue ones lead): a neglected year of them is never loaded."""
    query = (
        RatingFollowUp.select(RatingFollowUp, Rating)
        .join(Rating)
        .where((RatingFollowUp.hall == hall) & (RatingFollowUp.status == FollowUpStatus.OPEN))
        .order_by(RatingFollowUp.deadline, RatingFollowUp.id)
    )
    return paginate(query, page, FOLLOW_UPS_PER_PAGE)


def close_follow_up(
    follow_up: RatingFollowUp, outcome: str, staff: Staff | None, *, now=None
) -> RatingFollowUp:
    """Record what the 回访/整改 found and did; the item is on time when closed by its deadline."""
    now = now or clock.utcnow()
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError(N_("请填写回访或整改结果"), field="outcome")
    if len(outcome) > MAX_SUGGESTION:
        raise ValidationError(
            N_("意见请不要超过 %(count)s 字"), field="outcome", count=MAX_SUGGESTION
        )
    hall = Hall.get_by_id(follow_up.hall_id)
    with write_transaction():
        changed = (
            RatingFollowUp.update(
                status=FollowUpStatus.DONE,
                outcome=outcome,
                done_at=now,
                done_on=clock.local_date(now, hall.timezone),
                done_by=staff,
            )
            .where(
                (RatingFollowUp.id == follow_up.id) & (RatingFollowUp.status == FollowUpStatus.OPEN)
            )
            .execute()
        )
        if not changed:
            raise ValidationError(N_("该回访已办结"))
    return RatingFollowUp.get_by_id(follow_up.id)


def done_follow_ups(hall: Hall, limit: int = 30) -> list[RatingFollowUp]:
    """The latest closed follow-ups with their ratings (one query), newest first."""
    return list(
        RatingFollowUp.select(RatingFollowUp, Rating)
        .join(Rating)
        .where((RatingFollowUp.hall == hall) & (RatingFollowUp.status == FollowUpStatus.DONE))
        .order_by(RatingFollowUp.done_at.desc())
        .limit(limit)
    )


def find_follow_up(hall: Hall | int, follow_up_id: int) -> RatingFollowUp | None:
    return RatingFollowUp.get_or_none(
        (RatingFollowUp.id == follow_up_id) & (RatingFollowUp.hall == hall)
    )

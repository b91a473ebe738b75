"""群众评议 at the kiosk: a resident rates a window 好 / 较好 / 一般 / 差 (10, 8, 6, 4 on the
source documents' 10-point scale) and may leave a suggestion (意见箱), which becomes a case of
kind "suggestion" (answered within a week, or a month when major). The monthly score is the
total over the number of raters, to two decimals. No Flask here."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal

from peewee import fn

from . import clock
from .cases import next_case_number
from .db import write_transaction
from .errors import N_, ValidationError
from .models import Case, Hall, Rating, Window

GRADES = {"good": 10, "fairly_good": 8, "average": 6, "poor": 4}
GRADE_LABELS = {
    "good": N_("好"),
    "fairly_good": N_("较好"),
    "average": N_("一般"),
    "poor": N_("差"),
}
MAX_SUGGESTION = 500


def rate(hall: Hall, window: Window, grade: str, suggestion: str = "", *, now=None) -> Rating:
    if grade not in GRADES:
        raise ValidationError(N_("请选择一个评价"), field="grade")
    if window.hall_id != hall.id:
        raise ValidationError(N_("该窗口不属于本大厅"), field="window")
    suggestion = suggestion.strip()
    if len(suggestion) > MAX_SUGGESTION:
        raise ValidationError(
            N_("意见请不要超过 %(count)s 字"), field="suggestion", count=MAX_SUGGESTION
        )
    now = now or clock.utcnow()
    today = clock.local_date(now, hall.timezone)
    with write_transaction():
        rating = Rating.create(
            hall=hall,
            window=window,
            staff=window.on_duty_id,
            score=GRADES[grade],
            comment=suggestion,
            created_at=now,
            local_date=today,
        )
        if suggestion:
            Case.create(
                hall=hall,
                kind="suggestion",
                number=next_case_number(hall.id, today, "YJ"),
                tracking_code=secrets.token_urlsafe(12),
                subject=suggestion[:200],
                description=suggestion,
                accepted_at=now,
                status="accepted",
                deadline=today + dt.timedelta(days=7),
                real_name=False,
            )
    return rating


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
    if not raters:
        return Decimal("0.00")
    return (Decimal(total) / Decimal(raters)).quantize(Decimal("0.01"), ROUND_HALF_UP)

"""群众评议: 好/较好/一般/差 are 10/8/6/4; the score is the total over the raters, 2 decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kiosk import ratings
from kiosk.errors import ValidationError
from kiosk.models import Case, Rating, Window

NOW = dt.datetime(2026, 11, 24, 2, 0)


def test_monthly_score_is_total_over_raters(hall):
    window = Window.get(Window.number == 1)
    for grade in ("good", "fairly_good", "fairly_good"):
        ratings.rate(hall, window, grade, now=NOW)
    assert ratings.monthly_score(hall, 2026, 11) == Decimal("8.67")
    assert ratings.monthly_score(hall, 2026, 11, Window.get(Window.number == 2)) == Decimal("0")
    assert ratings.monthly_score(hall, 2026, 12) == Decimal("0.00")


def test_a_suggestion_becomes_a_case_answered_within_a_week(hall):
    window = Window.get(Window.number == 3)
    ratings.rate(hall, window, "average", "  希望增加周末服务  ", now=NOW)
    case = Case.get(Case.kind == "suggestion")
    assert (case.subject, case.deadline) == ("希望增加周末服务", dt.date(2026, 12, 1))
    assert Rating.get().score == 6


def test_bad_input_changes_nothing(hall):
    window = Window.get(Window.number == 1)
    with pytest.raises(ValidationError, match="请选择一个评价"):
        ratings.rate(hall, window, "excellent", now=NOW)
    with pytest.raises(ValidationError, match="500"):
        ratings.rate(hall, window, "good", "长" * 501, now=NOW)
    assert Rating.select().count() == 0 and Case.select().count() == 0

"""The three reports (三表) and the figures the hall is judged by. No Flask here.

- 工作日报表 (`daily_report`): one local day — tickets issued, served, no-shows, transfers,
  cases registered and completed, per service, window and staff member; mean and 90th
  percentile (nearest rank) of the wait (issue to first call) and of the handling time (last
  call to completion); satisfaction.
- 分类项目周报/月报 (`period_report`): a week (Monday first) or a calendar month by service
  category, the same measures and the change against the previous period, the windows' ranking.
- 重大疑难问题专报 (`major_report`): cases flagged major, overdue cases, complaints, petitions,
  poor ratings and their follow-up (回访/整改), 办结率 and the on-time rate of cases.

Every figure is read in SQL over indexed columns (ticket: hall + local_date; rating: hall +
local_date; case: hall + accepted_at) — a year holds ~500,000 tickets and a report must stay
under a second. Counts and sums are aggregated in SQL; the waits and handling times (means and
90th percentiles) are counted here from one row per ticket of the period, which both databases
return faster than they group it four ways (`_durations`). Periods are the hall's local days.
A ticket counts under the service it ended in (after a transfer, the new one) and the window and
staff member who last served it; a no-show is a ticket skipped (过号) and never completed — one
re-activated and then served is not.

A report is a list of `Section`s (title, columns, rows): the page, the CSV and the XLSX all
write the same sections, so they hold the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import clock, day_figures
from .cases import STATUS_LABELS
from .db import is_postgres
from .errors import N_, ValidationError
from .models import Case, Hall, Rating, RatingFollowUp, Service, Staff, Ticket, Window
from .ratings import GRADES_BY_SCALE, POOR_LEVEL, SATISFIED_LEVEL, score_of
from .words import OPEN_CASE_STATUSES, FollowUpStatus, TicketStatus

KINDS = ("day", "week", "month")
GRADE_NAMES = {grade.code: grade.label for scale in GRADES_BY_SCALE.values() for grade in scale}
OPEN_CASE = OPEN_CASE_STATUSES


class Label(str):
    """A text of a report row built from a message and its values ("1 号窗口"): it reads as the
    Chinese text, and `translated` gives it in the page's language (the domain has no gettext)."""

    def __new__(cls, message: str, **params):
        label = super().__new__(cls, message % params)
        label.message, label.params = message, params
        return label

    def translated(self, translate) -> str:
        return translate(self.message) % self.params


@dataclass(frozen=True)
class Period:
    kind: str  # day / week / month
    start: dt.date
    end: dt.date  # exclusive

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()} – {self.last_day.isoformat()}"

    def previous(self) -> Period:
        return period_of(self.kind, self.start - dt.timedelta(days=1))


def period_of(kind: str, day: dt.date) -> Period:
    if kind == "day":
        return Period(kind, day, day + dt.timedelta(days=1))
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=7))
    if kind == "month":
        start = day.replace(day=1)
        end = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return Period(kind, start, end)
    raise ValidationError(N_("未知的报表周期"), field="kind")


def parse_period(kind: str, text: str, *, today: dt.date) -> Period:
    """The period of `kind` holding the day `text` (YYYY-MM-DD, or YYYY-MM for a month; empty:
    today). A bad date or an unknown kind raises ValidationError with a Chinese message."""
    if kind not in KINDS:
        raise ValidationError(N_("未知的报表周期"), field="kind")
    text = (text or "").strip()
    if not text:
        return period_of(kind, today)
    try:
        if kind == "month" and len(text) == 7:
            day = dt.date.fromisoformat(text + "-01")
        else:
            day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            N_("日期格式不正确，请按 年-月-日（如 2026-11-24）填写"), field="date"
        ) from None
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise ValidationError(N_("日期超出范围"), field="date")
    return period_of(kind, day)


# --- SQL helpers ---------------------------------------------------------------------------


_rows = day_figures.sql_rows
_offset_minutes = day_figures.offset_minutes
PERCENTILE_STEP = day_figures.PERCENTILE_STEP
DURATIONS = day_figures.DURATIONS


def _utc_bounds(hall: Hall, period: Period) -> tuple[str, str]:
    start = clock.from_local(dt.datetime.combine(period.start, dt.time()), hall.timezone)
    end = clock.from_local(dt.datetime.combine(period.end, dt.time()), hall.timezone)
    return str(start), str(end)


def _key(value, by: str = ""):
    # SQLite returns dates as text, PostgreSQL as date objects: one form for both.
    if by == "total":
        return 0
    return value.isoformat() if isinstance(value, dt.date) else value


# Where each dimension's group stands in a row of `day_figures` (day, measure, service, window,
# staff, step, n, total); "total" is the whole hall, group 0.
POSITIONS = {"total": None, "day": 0, "service": 2, "window": 3, "staff": 4}


def _figures(hall: Hall, period: Period, measures: tuple[str, ...]) -> list[tuple]:
    return day_figures.rows(hall, period.start, period.end, measures)


def _of(found: dict[str, list[tuple]], *measures: str):
    """The rows of `measures` from a `_by_measure` split."""
    return (row for measure in measures for row in found.get(measure, ()))


def _by_measure(found: list[tuple]) -> dict[str, list[tuple]]:
    split: dict[str, list[tuple]] = {}
    for row in found:
        split.setdefault(row[1], []).append(row)
    return split


def _group(row: tuple, dim: str):
    position = POSITIONS[dim]
    return 0 if position is None else row[position]


def _ticket_counts_by(found, dims: tuple[str, ...]) -> dict[str, dict]:
    """{dimension: {group: {"issued", "served", "no_shows"}}} for the groups that had tickets."""
    names = {"issued": "issued", "served": "served", "no_show": "no_shows"}
    result: dict[str, dict] = {dim: {} for dim in dims}
    for row in _of(found, *day_figures.COUNTS):
        for dim in dims:
            counts = result[dim].setdefault(
                _group(row, dim), {"issued": 0, "served": 0, "no_shows": 0}
            )
            counts[names[row[1]]] += row[6]
    return result


def _transfers_by(found, dims: tuple[str, ...]) -> dict[str, dict]:
    """{dimension: {group: transfers}}, by the service transferred from."""
    result: dict[str, dict] = {dim: {} for dim in dims}
    for row in _of(found, "transfer"):
        for dim in dims:
            group = _group(row, dim)
            result[dim][group] = result[dim].get(group, 0) + row[6]
    return result


def _durations(
    found, dims: tuple[str, ...], *, percentiles: bool = True
) -> dict[str, dict[str, dict]]:
    """{"wait"/"handling": {dimension: {group: (count, mean seconds, 90th percentile
    seconds)}}}.

    The 90th percentile is the nearest rank, the ceil(0.9·n)-th smallest value, found in a
    histogram of 6-second steps (the reports show minutes to one decimal, so the step is
    exactly what is displayed: ROUND(s / 6) / 10 minutes): the rows of `day_figures` are the
    histograms per (day, service, window, staff), summed here into each dimension's groups.
    Without `percentiles` only the mean."""
    cells: dict[str, dict[tuple, list]] = {kind: {} for kind in DURATIONS}
    for _day, kind, service_id, window_id, staff_id, step, n, total in _of(found, *DURATIONS):
        key = (service_id, window_id, staff_id, step if percentiles else 0)
        cell = cells[kind].get(key)
        if cell is None:
            cells[kind][key] = [n, total]
        else:
            cell[0] += n
            cell[1] += total
    return {kind: _histogram_figures(cells[kind], dims, percentiles) for kind in DURATIONS}


def _histogram_figures(cells: dict, dims: tuple[str, ...], percentiles: bool) -> dict:
    """(count, mean, 90th percentile) per dimension and group from the per-(service, window,
    staff, step) counts and sums."""
    positions = {"total": None, "service": 0, "window": 1, "staff": 2}
    histograms: dict[str, dict] = {dim: {} for dim in dims}  # {dim: {group: {step: [n, sum]}}}
    for key, (count, total) in cells.items():
        step = key[3]
        for dim in dims:
            position = positions[dim]
            steps = histograms[dim].setdefault(0 if position is None else key[position], {})
            cell = steps.get(step)
            if cell is None:
                steps[step] = [count, total]
            else:
                cell[0] += count
                cell[1] += total
    result: dict[str, dict] = {dim: {} for dim in dims}
    for dim, groups in histograms.items():
        for grp, steps in groups.items():
            count = sum(c for c, _total in steps.values())
            mean = sum(float(total) for _c, total in steps.values()) / count
            p90 = None
            if percentiles:
                rank, seen = (9 * count + 9) // 10, 0
                for step in sorted(steps):
                    seen += steps[step][0]
                    if seen >= rank:
                        p90 = step * PERCENTILE_STEP
                        break
            result[dim][_key(grp, dim)] = (count, mean, p90)
    return result


def _ratings(found, by: str) -> dict:
    """{group: {"raters", "total" (score summed), "satisfied", "poor"}}; `by` total, day,
    service (of the rated ticket or case), window or staff."""
    result: dict = {}
    for row in _of(found, "rating"):
        level, n, total = row[5], row[6], row[7]
        item = result.setdefault(
            _group(row, by), {"raters": 0, "total": 0, "satisfied": 0, "poor": 0}
        )
        item["raters"] += n
        item["total"] += int(round(total))
        if level >= SATISFIED_LEVEL:
            item["satisfied"] += n
        if level <= POOR_LEVEL:
            item["poor"] += n
    return result


@dataclass
class CaseFigures:
    registered: int = 0
    completed: int = 0  # of those registered in the period, completed by now
    completed_in_period: int = 0
    completed_on_time: int = 0  # of those completed in the period
    completed_late: int = 0

    @property
    def completion_rate(self) -> Decimal | None:  # 办结率
        return _percent(self.completed, self.registered)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _percent(self.completed_on_time, self.completed_in_period)


def _case_figures(hall: Hall, periods: list[Period], by_service: bool) -> list[dict]:
    """{0: the hall's CaseFigures, service id: that service's (with `by_service`)} for each of
    `periods`, counted in SQL through the indexes on (hall, accepted_at) and (hall,
    completed_at): registered in the period and completed by now (办结率), and completed in the
    period on time or late. The local day of a completion is its UTC time moved by the hall's
    offset, as for the hours of the waits. (Reading a month's cases into Python cost 76 ms a
    call, four calls a monthly report; the 办结率 chart's twelve months 0.5 s.)"""
    bounds = [bound for period in periods for bound in _utc_bounds(hall, period)]
    stamp = "CAST(? AS TIMESTAMP)" if is_postgres() else "?"
    spans = ", ".join(f"({index}, {stamp}, {stamp})" for index in range(len(periods)))
    offset = _offset_minutes(hall, periods[0].start)
    if is_postgres():
        done_on = f"CAST(c.completed_at + INTERVAL '{offset} minutes' AS DATE)"
    else:
        done_on = f"date(c.completed_at, '{offset:+d} minutes')"
    group = "c.service_id" if by_service else "0"
    grouped = "p.i, c.service_id" if by_service else "p.i"
    accepted = _rows(
        f"""
        WITH p(i, s, e) AS (VALUES {spans})
        SELECT p.i, {group}, COUNT(*), SUM(CASE WHEN c.status = 'completed' THEN 1 ELSE 0 END)
        FROM p JOIN "case" c ON c.hall_id = ? AND c.kind = 'case'
          AND c.accepted_at >= p.s AND c.accepted_at < p.e
        GROUP BY {grouped}""",
        (*bounds, hall.id),
    )
    completed = _rows(
        f"""
        WITH p(i, s, e) AS (VALUES {spans})
        SELECT p.i, {group}, COUNT(*),
               SUM(CASE WHEN c.deadline IS NULL OR {done_on} <= c.deadline THEN 1 ELSE 0 END)
        FROM p JOIN "case" c ON c.hall_id = ? AND c.kind = 'case' AND c.status = 'completed'
          AND c.completed_at >= p.s AND c.completed_at < p.e
        GROUP BY {grouped}""",
        (*bounds, hall.id),
    )
    results: list[dict] = [{} for _ in periods]
    for index, grp, registered, completed_by_now in accepted:
        for key in {0, grp}:
            item = results[index].setdefault(key, CaseFigures())
            item.registered += registered
            item.completed += int(completed_by_now or 0)
    for index, grp, done, on_time in completed:
        for key in {0, grp}:
            item = results[index].setdefault(key, CaseFigures())
            item.completed_in_period += done
            item.completed_on_time += int(on_time or 0)
            item.completed_late += done - int(on_time or 0)
    return results


def _cases(hall: Hall, period: Period, by_service: bool) -> dict:
    return _case_figures(hall, [period], by_service)[0]


def _as_datetime(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


# --- Figures -------------------------------------------------------------------------------


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _minutes(seconds) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)


def measures_by(
    hall: Hall, period: Period, dims: tuple[str, ...], *, percentiles: bool = True
) -> dict[str, dict]:
    """Every measure of the period, per group, for each dimension asked
    (total/service/window/staff): {dimension: {group: figures}}."""
    found = _by_measure(
        _figures(hall, period, (*day_figures.COUNTS, "transfer", *DURATIONS, "rating"))
    )
    durations = _durations(found, dims, percentiles=percentiles)
    waits, handling = durations["wait"], durations["handling"]
    counts = _ticket_counts_by(found, dims)
    transfers = _transfers_by(found, dims)
    result = {}
    for by in dims:
        result[by] = _combine(
            hall,
            period,
            by,
            waits[by],
            handling[by],
            counts[by],
            transfers[by],
            _ratings(found, by),
            with_cases=by in ("total", "service"),
        )
    return result


def measures(hall: Hall, period: Period, by: str) -> dict:
    """Every measure of the period, per group (`by`: total/service/window/staff)."""
    return measures_by(hall, period, (by,))[by]


def _combine(hall, period, by, waits, handling, counts, transfers, rated, *, with_cases) -> dict:
    cases = _cases(hall, period, by == "service") if with_cases else {}
    if by == "service":
        cases.pop(0, None)  # the hall's total, not a service
    groups = set(counts) | set(transfers) | set(rated) | set(cases)
    result = {}
    for grp in groups:
        count = counts.get(grp, {"issued": 0, "served": 0, "no_shows": 0})
        wait = waits.get(grp, (0, None, None))
        handle = handling.get(grp, (0, None, None))
        rating = rated.get(grp, {"raters": 0, "total": 0, "satisfied": 0, "poor": 0})
        case = cases.get(grp, CaseFigures())
        result[grp] = {
            **count,
            "transfers": transfers.get(grp, 0),
            "wait_mean": _minutes(wait[1]),
            "wait_p90": _minutes(wait[2]),
            "handling_mean": _minutes(handle[1]),
            "handling_p90": _minutes(handle[2]),
            "cases_registered": case.registered,
            "cases_completed": case.completed_in_period,
            "completion_rate": case.completion_rate,
            "on_time_rate": case.on_time_rate,
            "raters": rating["raters"],
            "score": score_of(rating["total"], rating["raters"]) if rating["raters"] else None,
            "satisfaction_rate": _percent(rating["satisfied"], rating["raters"]),
            "poor_ratings": rating["poor"],
        }
    return result


# --- Reports as sections -------------------------------------------------------------------


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, Chinese label marked for translation)
    rows: list[dict]
    note: str = ""


@dataclass
class Report:
    kind: str  # daily / period / major
    title: str
    hall_name: str
    period: Period
    sections: list[Section]
    empty: bool
    extra: dict = field(default_factory=dict)


TICKET_COLUMNS = [
    ("issued", N_("取号数")),
    ("served", N_("办结数")),
    ("no_shows", N_("过号未办")),
    ("transfers", N_("转移")),
    ("wait_mean", N_("平均等候(分)")),
    ("wait_p90", N_("90%等候(分)")),
    ("handling_mean", N_("平均办理(分)")),
    ("handling_p90", N_("90%办理(分)")),
]
CASE_COLUMNS = [("cases_registered", N_("受理件登记")), ("cases_completed", N_("受理件办结"))]
RATING_COLUMNS = [
    ("raters", N_("评价人数")),
    ("score", N_("得分(10分制)")),
    ("satisfaction_rate", N_("满意率(%)")),
    ("poor_ratings", N_("差评")),
]


def _names(hall: Hall) -> dict[str, dict]:
    return {
        "service": {s.id: s.name for s in Service.select().where(Service.hall == hall)},
        "window": {
            w.id: Label(N_("%(window)s 号窗口"), window=w.number)
            for w in Window.select().where(Window.hall == hall)
        },
        "staff": {s.id: s.display_name for s in Staff.select().where(Staff.hall == hall)},
    }


def _ordered_rows(hall: Hall, figures: dict, by: str, names: dict) -> list[dict]:
    labels = names[by]
    order = list(labels)
    rows = []
    for grp in sorted(figures, key=lambda g: (order.index(g) if g in order else 10**9, str(g))):
        label = labels.get(grp) or ("—" if grp is None else str(grp))
        rows.append({"name": label, **figures[grp]})
    return rows


def _total_row(figures: dict) -> dict:
    return {"name": N_("合计"), **figures.get(0, measures_empty())}


def measures_empty() -> dict:
    return {
        "issued": 0,
        "served": 0,
        "no_shows": 0,
        "transfers": 0,
        "wait_mean": None,
        "wait_p90": None,
        "handling_mean": None,
        "handling_p90": None,
        "cases_registered": 0,
        "cases_completed": 0,
        "completion_rate": None,
        "on_time_rate": None,
        "raters": 0,
        "score": None,
        "satisfaction_rate": None,
        "poor_ratings": 0,
    }


def _is_empty(total: dict) -> bool:
    return not (total["issued"] or total["raters"] or total["cases_registered"])


def daily_report(hall: Hall, day: dt.date) -> Report:
    period = period_of("day", day)
    names = _names(hall)
    figures = measures_by(hall, period, ("total", "service", "window", "staff"))
    total, by_service = figures["total"], figures["service"]
    by_window, by_staff = figures["window"], figures["staff"]
    name = [("name", N_("项目"))]
    sections = [
        Section(
            "by_service",
            N_("按业务"),
            name + TICKET_COLUMNS + CASE_COLUMNS + RATING_COLUMNS,
            [*_ordered_rows(hall, by_service, "service", names), _total_row(total)],
        ),
        Section(
            "by_window",
            N_("按窗口"),
            name + TICKET_COLUMNS[1:] + RATING_COLUMNS,
            _ordered_rows(hall, {k: v for k, v in by_window.items() if k}, "window", names),
        ),
        Section(
            "by_staff",
            N_("按工作人员"),
            name + TICKET_COLUMNS[1:] + RATING_COLUMNS,
            _ordered_rows(hall, {k: v for k, v in by_staff.items() if k}, "staff", names),
        ),
    ]
    summary = total.get(0, measures_empty())
    return Report(
        "daily",
        N_("工作日报表"),
        hall.name,
        period,
        sections,
        _is_empty(summary),
        extra={"total": summary},
    )


def _change(now, before):
    if now is None or before is None:
        return None
    return now - before


def period_report(hall: Hall, period: Period) -> Report:
    """分类项目周报/月报: by service, with the previous period and the change."""
    names = _names(hall)
    previous = period.previous()
    figures = measures_by(hall, period, ("total", "service", "window", "staff"))
    # The previous period is compared on counts, means and scores: no percentiles needed.
    earlier = measures_by(hall, previous, ("total", "service"), percentiles=False)
    current, before = figures["service"], earlier["service"]
    total = figures["total"].get(0, measures_empty())
    total_before = earlier["total"].get(0, measures_empty())
    order = list(names["service"])
    ids = sorted(
        set(current) | set(before),
        key=lambda g: (order.index(g) if g in order else 10**9, str(g)),
    )
    empty = measures_empty()
    rows = [
        _compare_row(
            names["service"].get(grp, "—"), current.get(grp, empty), before.get(grp, empty)
        )
        for grp in ids
    ]
    rows.append(_compare_row(N_("合计"), total, total_before))
    comparison_columns = [
        ("name", N_("业务类别")),
        ("issued", N_("取号数")),
        ("issued_prev", N_("上期取号")),
        ("issued_change", N_("取号增减")),
        ("served", N_("办结数")),
        ("served_prev", N_("上期办结")),
        ("served_change", N_("办结增减")),
        ("no_shows", N_("过号未办")),
        ("transfers", N_("转移")),
        ("wait_mean", N_("平均等候(分)")),
        ("wait_mean_prev", N_("上期平均等候(分)")),
        ("wait_p90", N_("90%等候(分)")),
        ("handling_mean", N_("平均办理(分)")),
        ("handling_p90", N_("90%办理(分)")),
        ("cases_registered", N_("受理件登记")),
        ("cases_completed", N_("受理件办结")),
        ("score", N_("得分(10分制)")),
        ("score_prev", N_("上期得分")),
        ("satisfaction_rate", N_("满意率(%)")),
    ]
    by_window, by_staff = figures["window"], figures["staff"]
    name = [("name", N_("项目"))]
    sections = [
        Section("by_service", N_("分类项目（与上期比较）"), comparison_columns, rows),
        Section(
            "satisfaction_window",
            N_("满意度：按窗口"),
            name + [("served", N_("办结数"))] + RATING_COLUMNS,
            _ordered_rows(hall, {k: v for k, v in by_window.items() if k}, "window", names),
        ),
        Section(
            "satisfaction_staff",
            N_("满意度：按工作人员"),
            name + [("served", N_("办结数"))] + RATING_COLUMNS,
            _ordered_rows(hall, {k: v for k, v in by_staff.items() if k}, "staff", names),
        ),
        Section(
            "ranking",
            N_("窗口排名"),
            [("rank", N_("名次")), ("name", N_("窗口")), ("served", N_("办结数"))]
            + RATING_COLUMNS
            + [("wait_mean", N_("平均等候(分)"))],
            window_ranking(hall, period, by_window, names),
            note=N_("按得分、满意率、办结数排序；无人评价的窗口排在后面"),
        ),
    ]
    title = N_("分类项目周报表") if period.kind == "week" else N_("分类项目月报表")
    return Report(
        "period",
        title,
        hall.name,
        period,
        sections,
        _is_empty(total),
        extra={"total": total, "previous": previous, "total_prev": total_before},
    )


def _compare_row(name: str, now: dict, before: dict) -> dict:
    return {
        "name": name,
        **now,
        "issued_prev": before["issued"],
        "issued_change": now["issued"] - before["issued"],
        "served_prev": before["served"],
        "served_change": now["served"] - before["served"],
        "wait_mean_prev": before["wait_mean"],
        "score_prev": before["score"],
    }


def window_ranking(hall: Hall, period: Period, by_window=None, names=None) -> list[dict]:
    """The windows of the period ranked by rating score, satisfaction rate, then served."""
    by_window = by_window if by_window is not None else measures(hall, period, "window")
    names = names or _names(hall)
    rows = [
        {"name": names["window"].get(grp, str(grp)), **figures}
        for grp, figures in by_window.items()
        if grp
    ]
    rows.sort(
        key=lambda row: (
            row["score"] is None,
            -(row["score"] or 0),
            -(row["satisfaction_rate"] or 0),
            -row["served"],
            row["name"],
        )
    )
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def major_report(hall: Hall, period: Period, *, today: dt.date) -> Report:
    """重大疑难问题专报: kept to what the Case model holds (kind, severity, status, deadline)."""
    start_utc, end_utc = _utc_bounds(hall, period)
    in_period = (Case.hall == hall) & (Case.accepted_at >= start_utc) & (Case.accepted_at < end_utc)
    names = _names(hall)
    kind_labels = {
        "case": N_("受理件"),
        "complaint": N_("投诉"),
        "petition": N_("信访"),
        "suggestion": N_("建议"),
    }

    def case_row(case: Case) -> dict:
        overdue = case.status in OPEN_CASE and case.deadline is not None and case.deadline < today
        return {
            "number": case.number,
            "kind": kind_labels.get(case.kind, case.kind),
            "subject": case.subject,
            "service": names["service"].get(case.service_id, ""),
            "severity": N_("重大") if case.severity == "major" else N_("一般"),
            "deadline": case.deadline.isoformat() if case.deadline else "",
            "status": STATUS_LABELS.get(case.status, case.status),
            "overdue": N_("超期") if overdue else "",
        }

    case_columns = [
        ("number", N_("编号")),
        ("kind", N_("类别")),
        ("subject", N_("事由")),
        ("service", N_("业务")),
        ("severity", N_("程度")),
        ("deadline", N_("办结期限")),
        ("status", N_("状态")),
        ("overdue", N_("超期")),
    ]
    major = list(
        Case.select().where(in_period & (Case.severity == "major")).order_by(Case.accepted_at)
    )
    complaints = list(
        Case.select()
        .where(in_period & Case.kind.in_(("complaint", "petition")))
        .order_by(Case.accepted_at)
    )
    overdue = list(
        Case.select()
        .where(
            (Case.hall == hall)
            & Case.status.in_(OPEN_CASE)
            & Case.deadline.is_null(False)
            & (Case.deadline < min(today, period.end))
        )
        .order_by(Case.deadline)
        .limit(500)
    )
    poor = list(
        Rating.select(Rating, RatingFollowUp)
        .join(RatingFollowUp)
        .where(
            (Rating.hall == hall)
            & (Rating.local_date >= period.start)
            & (Rating.local_date < period.end)
        )
        .order_by(Rating.created_at)
    )
    tickets = {
        t.id: t.display_number
        for t in Ticket.select(Ticket.id, Ticket.display_number).where(
            Ticket.id.in_([r.ticket_id for r in poor if r.ticket_id] or [0])
        )
    }
    poor_rows = []
    in_time = 0
    for rating in poor:
        follow = rating.ratingfollowup
        on_time = follow.status == FollowUpStatus.DONE and follow.done_on <= follow.deadline
        in_time += on_time
        late_open = follow.status == FollowUpStatus.OPEN and follow.deadline < today
        poor_rows.append(
            {
                "day": rating.local_date.isoformat(),
                "ticket": tickets.get(rating.ticket_id, ""),
                "window": names["window"].get(rating.window_id, ""),
                "staff": names["staff"].get(rating.staff_id, ""),
                "grade": GRADE_NAMES.get(rating.grade, rating.grade),
                "deadline": follow.deadline.isoformat(),
                "status": N_("已回访") if follow.status == FollowUpStatus.DONE else N_("待回访"),
                "on_time": N_("按时")
                if on_time
                else (N_("超期") if late_open or follow.status == FollowUpStatus.DONE else ""),
                "outcome": follow.outcome,
            }
        )
    cases = _cases(hall, period, False).get(0, CaseFigures())
    summary = {
        "cases_registered": cases.registered,
        "cases_completed": cases.completed,
        "completion_rate": cases.completion_rate,
        "completed_in_period": cases.completed_in_period,
        "completed_on_time": cases.completed_on_time,
        "completed_late": cases.completed_late,
        "on_time_rate": cases.on_time_rate,
        "major": len(major),
        "complaints": sum(1 for c in complaints if c.kind == "complaint"),
        "petitions": sum(1 for c in complaints if c.kind == "petition"),
        "overdue": len(overdue),
        "poor_ratings": len(poor_rows),
        "followed_up_in_time": in_time,
    }
    summary_columns = [
        ("cases_registered", N_("受理件登记")),
        ("cases_completed", N_("其中已办结")),
        ("completion_rate", N_("办结率(%)")),
        ("completed_in_period", N_("本期办结")),
        ("completed_late", N_("其中超期办结")),
        ("on_time_rate", N_("按时办结率(%)")),
        ("major", N_("重大事项")),
        ("complaints", N_("投诉")),
        ("petitions", N_("信访")),
        ("overdue", N_("超期未办结")),
        ("poor_ratings", N_("差评")),
        ("followed_up_in_time", N_("按时回访")),
    ]
    sections = [
        Section("summary", N_("概况"), summary_columns, [summary]),
        Section("major", N_("重大疑难事项"), case_columns, [case_row(c) for c in major]),
        Section("overdue", N_("超期未办结"), case_columns, [case_row(c) for c in overdue]),
        Section("complaints", N_("投诉与信访"), case_columns, [case_row(c) for c in complaints]),
        Section(
            "poor_ratings",
            N_("差评及回访整改"),
            [
                ("day", N_("日期")),
                ("ticket", N_("号码")),
                ("window", N_("窗口")),
                ("staff", N_("工作人员")),
                ("grade", N_("评价")),
                ("deadline", N_("回访期限")),
                ("status", N_("状态")),
                ("on_time", N_("是否按时")),
                ("outcome", N_("回访/整改结果")),
            ],
            poor_rows,
        ),
    ]
    empty = not (major or complaints or overdue or poor_rows or cases.registered)
    return Report(
        "major",
        N_("重大疑难问题专报表"),
        hall.name,
        period,
        sections,
        empty,
        extra={"summary": summary},
    )


# --- Chart series --------------------------------------------------------------------------


def waits_by_hour(hall: Hall, period: Period) -> list[tuple[int, Decimal | None, int]]:
    """(local hour, mean wait in minutes, tickets called) for the hours that had tickets."""
    hours: dict[int, list] = {}
    for row in _figures(hall, period, ("wait_hour",)):
        cell = hours.setdefault(int(row[5]), [0, 0.0])
        cell[0] += row[6]
        cell[1] += row[7]
    return [(hour, _minutes(total / n), n) for hour, (n, total) in sorted(hours.items())]


def tickets_per_day(hall: Hall, period: Period) -> list[tuple[dt.date, int, int]]:
    found = _by_measure(_figures(hall, period, day_figures.COUNTS))
    figures = _ticket_counts_by(found, ("day",))["day"]
    days = []
    day = period.start
    while day < period.end:
        item = figures.get(day.isoformat(), {"issued": 0, "served": 0})
        days.append((day, item["issued"], item["served"]))
        day += dt.timedelta(days=1)
    return days


def satisfaction_by_day(hall: Hall, period: Period) -> list[tuple[dt.date, Decimal | None]]:
    rated = _ratings(_by_measure(_figures(hall, period, ("rating",))), "day")
    days = []
    day = period.start
    while day < period.end:
        item = rated.get(day.isoformat())
        days.append((day, _percent(item["satisfied"], item["raters"]) if item else None))
        day += dt.timedelta(days=1)
    return days


def completion_by_month(hall: Hall, last_month: dt.date, months: int = 12) -> list[tuple]:
    """(YYYY-MM, 办结率 %, on-time %) of the `months` months up to the one holding last_month."""
    start = last_month.replace(day=1)
    for _ in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    periods = []
    for _ in range(months):
        periods.append(period_of("month", start))
        start = periods[-1].end
    series = []
    for period, found in zip(periods, _case_figures(hall, periods, False), strict=True):
        figures = found.get(0, CaseFigures())
        series.append((f"{period.start:%Y-%m}", figures.completion_rate, figures.on_time_rate))
    return series


# --- Live dashboard ------------------------------------------------------------------------


def live_state(hall: Hall, *, now: dt.datetime | None = None) -> dict:
    """What the hall head watches: waiting now per service with the longest current wait,
    windows open and staffed, served today, and the alerts."""
    now = now or clock.utcnow()
    today = clock.local_date(now, hall.timezone)
    threshold = max(int(hall.wait_alert_minutes or 0), 0)
    waiting = _rows(
        """
        SELECT t.service_id, COUNT(*), MIN(t.issued_at)
        FROM ticket t WHERE t.hall_id = ? AND t.local_date = ? AND t.status = 'waiting'
        GROUP BY t.service_id""",
        (hall.id, today.isoformat()),
    )
    served = dict(
        _rows(
            """
        SELECT t.service_id, COUNT(*) FROM ticket t
        WHERE t.hall_id = ? AND t.local_date = ? AND t.status = 'completed'
        GROUP BY t.service_id""",
            (hall.id, today.isoformat()),
        )
    )
    waiting_by_service = {
        service_id: (count, _as_datetime(oldest)) for service_id, count, oldest in waiting
    }
    services = []
    alerts = []
    for service in (
        Service.select()
        .where((Service.hall == hall) & Service.retired_at.is_null())
        .order_by(Service.sort_order, Service.id)
    ):
        count, oldest = waiting_by_service.get(service.id, (0, None))
        longest = int((now - oldest).total_seconds() // 60) if oldest else 0
        alert = bool(threshold and oldest and longest >= threshold)
        services.append(
            {
                "service": service,
                "waiting": count,
                "longest_minutes": longest,
                "served": served.get(service.id, 0),
                "alert": alert,
            }
        )
        if alert:
            alerts.append(
                {
                    "kind": "wait",
                    "service": service.name,
                    "minutes": longest,
                    "threshold": threshold,
                }
            )
    windows = list(
        Window.select()
        .where((Window.hall == hall) & Window.retired_at.is_null())
        .order_by(Window.number)
    )
    open_follow_ups = (
        RatingFollowUp.select()
        .where((RatingFollowUp.hall == hall) & (RatingFollowUp.status == FollowUpStatus.OPEN))
        .count()
    )
    late_follow_ups = (
        RatingFollowUp.select()
        .where(
            (RatingFollowUp.hall == hall)
            & (RatingFollowUp.status == FollowUpStatus.OPEN)
            & (RatingFollowUp.deadline < today)
        )
        .count()
    )
    overdue_cases = (
        Case.select()
        .where(
            (Case.hall == hall)
            & Case.status.in_(OPEN_CASE)
            & Case.deadline.is_null(False)
            & (Case.deadline < today)
        )
        .count()
    )
    if late_follow_ups:
        alerts.append({"kind": "follow_up", "count": late_follow_ups})
    if overdue_cases:
        alerts.append({"kind": "cases", "count": overdue_cases})
    return {
        "now": now,
        "today": today,
        "threshold": threshold,
        "services": services,
        "waiting_total": sum(row["waiting"] for row in services),
        "longest_minutes": max((row["longest_minutes"] for row in services), default=0),
        "served_total": sum(served.values()),
        "windows": windows,
        "windows_open": sum(1 for w in windows if not w.paused),
        "windows_staffed": sum(1 for w in windows if w.on_duty_id and not w.paused),
        "open_follow_ups": open_follow_ups,
        "alerts": alerts,
    }


def wait_alerts(hall: Hall, service_ids: list[int], *, now: dt.datetime | None = None) -> list:
    """(service name, minutes) of the given services whose longest current wait passed the
    hall's threshold: what a window console serving them shows."""
    now = now or clock.utcnow()
    threshold = int(hall.wait_alert_minutes or 0)
    if not threshold or not service_ids:
        return []
    today = clock.local_date(now, hall.timezone)
    limit = now - dt.timedelta(minutes=threshold)
    rows = (
        Ticket.select(Ticket.service, Ticket.issued_at)
        .where(
            (Ticket.hall == hall)
            & (Ticket.local_date == today)
            & (Ticket.status == TicketStatus.WAITING)
            & Ticket.service.in_(service_ids)
            & (Ticket.issued_at <= limit)
        )
        .order_by(Ticket.issued_at)
    )
    oldest: dict[int, dt.datetime] = {}
    for row in rows.limit(200):
        oldest.setdefault(row.service_id, row.issued_at)
    names = {s.id: s.name for s in Service.select().where(Service.id.in_(list(oldest) or [0]))}
    return [
        (names.get(sid, ""), int((now - at).total_seconds() // 60)) for sid, at in oldest.items()
    ]

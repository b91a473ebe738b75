"""One page of a list kept on the server (no Flask): the admin and staff lists that grow with
the hall's history (cases, follow-ups) are read a page at a time, never whole."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    rows: list
    total: int  # rows in the whole list; with `more`, the rows counted (there are more)
    number: int  # this page, from 1
    pages: int  # at least 1, even for an empty list; with `more`, the pages counted
    more: bool = False  # the list goes on past `total` (counted only as far as needed)


def paginate(query, requested: int, per_page: int, *, count_upto: int | None = None) -> Page:
    """The `requested` page of a peewee query (a page past the end is the last one, one before
    the first is the first), with the count of the whole list (see `paginate_chain` for
    `count_upto`)."""
    return paginate_chain([query], requested, per_page, count_upto=count_upto)


def paginate_chain(
    queries: list, requested: int, per_page: int, *, count_upto: int | None = None
) -> Page:
    """`paginate` for a list that is several ordered queries one after the other (open cases
    by deadline, then finished ones newest first): each is counted, and only the parts that
    fall on the page are read, so no query has to sort one part against the other.

    `count_upto`: a list that only grows with the years (a clerk's finished cases) is counted
    no further than this many rows, or than the page asked for needs: the count of a year of
    them would cost more than the page. The page then says there are more (`more`), and the
    next page is still reachable, counted as far as it needs."""
    requested = max(requested, 1)
    counts: list[int] = []
    more = False
    if count_upto is None:
        counts = [query.count() for query in queries]
    else:
        room = max(count_upto, requested * per_page) + 1  # one more tells that there are more
        for query in queries:
            counts.append(query.limit(room).count())
            room -= counts[-1]
            if room == 0:
                more = True
                break
    total = sum(counts) - (1 if more else 0)
    pages = max(1, -(-total // per_page))
    number = min(requested, pages)
    start = (number - 1) * per_page
    rows: list = []
    for query, count in zip(queries, counts, strict=False):
        if start < count and len(rows) < per_page:
            rows += list(query.limit(per_page - len(rows)).offset(start))
        start = max(0, start - count)
    return Page(rows, total, number, pages, more)

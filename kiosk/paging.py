"""One page of a list kept on the server (no Flask): the admin and staff lists that grow with
the hall's history (cases, follow-ups) are read a page at a time, never whole."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    rows: list
    total: int  # rows in the whole list
    number: int  # this page, from 1
    pages: int  # at least 1, even for an empty list


def paginate(query, requested: int, per_page: int) -> Page:
    """The `requested` page of a peewee query (a page past the end is the last one, one before
    the first is the first), with the count of the whole list."""
    return paginate_chain([query], requested, per_page)


def paginate_chain(queries: list, requested: int, per_page: int) -> Page:
    """`paginate` for a list that is several ordered queries one after the other (open cases
    by deadline, then finished ones newest first): each is counted, and only the parts that
    fall on the page are read, so no query has to sort one part against the other."""
    counts = [query.count() for query in queries]
    total = sum(counts)
    pages = max(1, -(-total // per_page))
    number = min(max(requested, 1), pages)
    start = (number - 1) * per_page
    rows: list = []
    for query, count in zip(queries, counts, strict=True):
        if start < count and len(rows) < per_page:
            rows += list(query.limit(per_page - len(rows)).offset(start))
        start = max(0, start - count)
    return Page(rows, total, number, pages)

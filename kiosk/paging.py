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
    total = query.count()
    pages = max(1, -(-total // per_page))
    number = min(max(requested, 1), pages)
    return Page(list(query.paginate(number, per_page)), total, number, pages)

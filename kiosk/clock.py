"""Time for the hall: UTC in the database, the hall's own zone for days and display."""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
# Soak runs only (scripts/soak.py): shift this process's clock so the hall's local midnight
# falls while it runs. Never set on a hall PC.
OFFSET = dt.timedelta(seconds=float(os.environ.get("HALL_CLOCK_OFFSET_SECONDS") or 0))


@lru_cache(maxsize=16)
def zone(name: str = DEFAULT_ZONE) -> ZoneInfo:
    return ZoneInfo(name)


def utcnow() -> dt.datetime:
    """Naive UTC, the form stored in the database."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) + OFFSET


def to_local(moment: dt.datetime, zone_name: str = DEFAULT_ZONE) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone(zone(zone_name))


def local_date(moment: dt.datetime, zone_name: str = DEFAULT_ZONE) -> dt.date:
    return to_local(moment, zone_name).date()


def from_local(moment: dt.datetime, zone_name: str = DEFAULT_ZONE) -> dt.datetime:
    """A naive local datetime of the hall, as naive UTC."""
    aware = moment.replace(tzinfo=zone(zone_name))
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def parse_hhmm(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def hall_today(hall) -> dt.date:
    """Today in the hall: its local date now (any object with the hall's `timezone`)."""
    return local_date(utcnow(), hall.timezone)

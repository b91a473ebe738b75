"""Housekeeping the running server does by itself (no Flask here).

Every `interval` seconds, for every hall: close the tickets of local days that have ended
(`tickets.close_past_days`), so a hall open past midnight, or one left running overnight, starts
each local day with an empty queue; then store the report figures of the days that have ended
(`day_figures.summarise_finished_days`, a month of days a round until it has caught up). Once
a local day (the first round after midnight, and at
start): erase residents' personal data past the hall's retention period and delete finished
print jobs older than PRINT_JOB_DAYS (the document JSON is the bulk of the table), so a server
that runs for months does not depend on being restarted. A failure is logged and retried at the
next round; the thread never takes the server down.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from . import clock, day_figures
from .db import connection, write_transaction
from .models import Hall, PrintJob
from .privacy import purge_personal_data
from .tickets import close_past_days
from .words import FINISHED_JOB_STATUSES

log = logging.getLogger(__name__)
PRINT_JOB_DAYS = 30
FINISHED_JOBS = FINISHED_JOB_STATUSES


def prune_print_jobs(hall: Hall, *, now: dt.datetime | None = None) -> int:
    """Delete this hall's finished print jobs older than PRINT_JOB_DAYS; pending ones stay."""
    cutoff = (now or clock.utcnow()) - dt.timedelta(days=PRINT_JOB_DAYS)
    with write_transaction():
        return (
            PrintJob.delete()
            .where(
                (PrintJob.hall == hall)
                & PrintJob.status.in_(FINISHED_JOBS)
                & (PrintJob.created_at < cutoff)
            )
            .execute()
        )


def daily(hall: Hall, *, now: dt.datetime | None = None) -> dict[str, int]:
    """The once-a-day housekeeping of one hall."""
    return {
        "personal_data_erased": purge_personal_data(hall, now=now),
        "print_jobs_deleted": prune_print_jobs(hall, now=now),
    }


def run_once(
    hall_id: int | None = None,
    *,
    done_days: dict[int, dt.date] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """One round over the halls (or one hall); returns how many tickets were closed.
    `done_days` remembers, per hall, the local day whose daily housekeeping has run."""
    closed = 0
    now = now or clock.utcnow()
    with connection():
        halls = Hall.select() if hall_id is None else Hall.select().where(Hall.id == hall_id)
        for hall in halls:
            count = close_past_days(hall, now=now)
            if count:
                log.info("closed %s ticket(s) of past days in hall %s", count, hall.code)
            closed += count
            summarised = day_figures.summarise_finished_days(hall, now=now)
            if summarised:
                log.info(
                    "report figures of hall %s stored for %s day(s), up to %s",
                    hall.code,
                    len(summarised),
                    summarised[-1],
                )
            today = clock.local_date(now, hall.timezone)
            if done_days is not None and done_days.get(hall.id) != today:
                log.info("daily housekeeping of hall %s: %s", hall.code, daily(hall, now=now))
                done_days[hall.id] = today
    return closed


class Maintenance:
    def __init__(self, hall_id: int | None = None, interval: float = 30.0):
        self.hall_id = hall_id
        self.interval = interval
        self._stop = threading.Event()
        self.done_days: dict[int, dt.date] = {}
        self._thread = threading.Thread(target=self._run, name="hall-maintenance", daemon=True)

    def start(self) -> Maintenance:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                run_once(self.hall_id, done_days=self.done_days)
            except Exception:  # keep the server up; retried next round
                log.exception("maintenance round failed")
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

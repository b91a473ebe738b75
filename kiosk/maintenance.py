"""Housekeeping the running server does by itself (no Flask here).

Every `interval` seconds, for every hall: close the tickets of local days that have ended
(`tickets.close_past_days`), so a hall open past midnight, or one left running overnight, starts
each local day with an empty queue. A failure is logged and retried at the next round; the
thread never takes the server down.
"""

from __future__ import annotations

import logging
import threading

from .db import connection
from .models import Hall
from .tickets import close_past_days

log = logging.getLogger(__name__)


def run_once(hall_id: int | None = None) -> int:
    """One round over the halls (or one hall); returns how many tickets were closed."""
    closed = 0
    with connection():
        halls = Hall.select() if hall_id is None else Hall.select().where(Hall.id == hall_id)
        for hall in halls:
            count = close_past_days(hall)
            if count:
                log.info("closed %s ticket(s) of past days in hall %s", count, hall.code)
            closed += count
    return closed


class Maintenance:
    def __init__(self, hall_id: int | None = None, interval: float = 30.0):
        self.hall_id = hall_id
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hall-maintenance", daemon=True)

    def start(self) -> Maintenance:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                run_once(self.hall_id)
            except Exception:  # noqa: BLE001 - keep the server up; retried next round
                log.exception("maintenance round failed")
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

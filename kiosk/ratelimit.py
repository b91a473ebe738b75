"""In-process sliding-window limits for the public pages (no Flask here).

The kiosk and the phone pages need no sign-in, so a device on the hall LAN could take tickets
with fresh cookies, queue checklist prints, or guess re-queue codes. Each limit counts events
per key (the client address, and the kiosk cookie where there is one) over a window of
seconds. Counting is in memory: a restart forgets it, which only ever lets a resident through.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class SlidingLimit:
    """At most `limit` events per key within `seconds`."""

    def __init__(self, limit: int, seconds: float, *, max_keys: int = 10_000):
        self.limit = limit
        self.seconds = seconds
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:  # bounded memory: forget the stalest keys
                self._events = {
                    k: v for k, v in self._events.items() if v and v[-1] > now - self.seconds
                }
            events = self._events[key] = deque()
        while events and events[0] <= now - self.seconds:
            events.popleft()
        return events

    def allowed(self, key: str, *, now: float | None = None, limit: int | None = None) -> bool:
        """Whether one more event for `key` fits (does not count it)."""
        now = time.monotonic() if now is None else now
        wanted = self.limit if limit is None else limit
        with self._lock:
            return wanted <= 0 or len(self._recent(key, now)) < wanted

    def hit(self, key: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(key, now).append(now)

    def reset(self) -> None:
        with self._lock:
            self._events.clear()


class GuessLimit:
    """Wrong answers to a secret typed at a shared kiosk (a ticket's check code, a case's
    lookup code), counted twice: tightly per target (the ticket number, the code's prefix),
    so guessing one resident's secret stops after a few tries from anywhere; and loosely per
    client address, which stops a device scanning many targets. Every resident uses the same
    kiosk address, so a tight per-address count would let a few mistypes lock out the hall.
    Only wrong answers count; a target of None (input that names nothing) counts per address.
    """

    def __init__(self, per_target: int, per_address: int, seconds: float):
        self.targets = SlidingLimit(per_target, seconds)
        self.addresses = SlidingLimit(per_address, seconds)

    def allowed(self, address: str, target: str | None, *, now: float | None = None) -> bool:
        if not self.addresses.allowed(address, now=now):
            return False
        return target is None or self.targets.allowed(target, now=now)

    def miss(self, address: str, target: str | None, *, now: float | None = None) -> None:
        self.addresses.hit(address, now=now)
        if target is not None:
            self.targets.hit(target, now=now)

    def reset(self) -> None:
        self.targets.reset()
        self.addresses.reset()

"""Property-based test of the queue: random sequences of issue, call, recall, skip, re-activate,
transfer, complete, pause and resume, checked against an independent in-memory model.

The model decides which ticket must be called next (priority, fairness rule, the window's
service order, arrival) and the engine must agree; every ticket is at all times waiting, called
(at one window only), skipped or completed, and nothing changes when the engine refuses.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk import queue
from kiosk.db import db, init_database
from kiosk.demo import load_demo
from kiosk.errors import QueueError
from kiosk.migrations import migrate_database
from kiosk.models import Hall, QueueEvent, Service, Ticket, Window, WindowService

START = dt.datetime(2026, 11, 24, 1, 0)  # 09:00 in Shanghai, a Tuesday
STREAK_LIMIT = 2
REQUEUE_BEHIND = 2


@dataclass
class ModelTicket:
    id: int
    service: int
    priority: bool
    status: str
    queue_at: dt.datetime
    window: int | None = None
    target: int | None = None
    skipped_at: dt.datetime | None = None
    version: int = 1


class QueueMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="hall-sm-"))
        init_database(str(self.tmp / "hall.sqlite3"))
        migrate_database()
        db.connect(reuse_if_open=True)
        self.hall = load_demo(always_open=True, password_for=lambda _u: "statemachine").hall
        Hall.update(
            priority_streak_limit=STREAK_LIMIT, skip_requeue_behind=REQUEUE_BEHIND
        ).execute()
        self.hall = Hall.get_by_id(self.hall.id)
        self.services = [s.id for s in Service.select().order_by(Service.id)]
        self.windows = {w.id: w for w in Window.select().order_by(Window.number)}
        self.window_order = {
            wid: [
                link.service_id
                for link in WindowService.select()
                .where(WindowService.window == wid)
                .order_by(WindowService.position)
            ]
            for wid in self.windows
        }
        self.paused = {wid: False for wid in self.windows}
        self.streak = {wid: 0 for wid in self.windows}
        self.tickets: dict[int, ModelTicket] = {}
        self.now = START

    def teardown(self):
        db.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def tick(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=7)
        return self.now

    def serving(self, wid: int) -> ModelTicket | None:
        return next(
            (t for t in self.tickets.values() if t.status == "called" and t.window == wid), None
        )

    def expected_next(self, wid: int) -> ModelTicket | None:
        order = self.window_order[wid]

        def eligible(t: ModelTicket) -> bool:
            return t.status == "waiting" and (
                (t.target is None and t.service in order) or t.target == wid
            )

        def key(t: ModelTicket):
            position = order.index(t.service) + 1 if t.service in order else 0
            return (0 if t.priority else 1, position, t.queue_at, t.id)

        candidates = sorted(filter(eligible, self.tickets.values()), key=key)
        if not candidates:
            return None
        if candidates[0].priority and self.streak[wid] >= STREAK_LIMIT:
            normal = [t for t in candidates if not t.priority]
            if normal:
                return normal[0]
        return candidates[0]

    def engine_ticket(self, model: ModelTicket) -> Ticket:
        return Ticket.get_by_id(model.id)

    # --- rules ---------------------------------------------------------------------------

    @rule(service_index=st.integers(0, 5), priority=st.booleans())
    def issue(self, service_index, priority):
        service = Service.get_by_id(self.services[service_index])
        ticket = queue.issue_ticket(
            self.hall, service, priority="elderly" if priority else "", now=self.tick()
        )
        self.tickets[ticket.id] = ModelTicket(
            ticket.id, service.id, priority, "waiting", ticket.queue_at
        )

    @rule(window_index=st.integers(0, 5))
    def call_next(self, window_index):
        wid = list(self.windows)[window_index]
        window = Window.get_by_id(wid)
        if self.paused[wid] or self.serving(wid) is not None:
            try:
                queue.call_next(window, now=self.tick())
            except QueueError:
                return
            raise AssertionError("call_next should refuse on a paused or busy window")
        expected = self.expected_next(wid)
        called = queue.call_next(window, now=self.tick())
        if expected is None:
            assert called is None
            return
        assert called is not None and called.id == expected.id, (
            f"window {window.number} called {called and called.display_number}, "
            f"expected {Ticket.get_by_id(expected.id).display_number}"
        )
        expected.status, expected.window, expected.target = "called", wid, None
        expected.version += 1
        self.streak[wid] = self.streak[wid] + 1 if expected.priority else 0

    def called_tickets(self):
        return [t for t in self.tickets.values() if t.status == "called"]

    @precondition(lambda self: self.called_tickets())
    @rule(data=st.data(), action=st.sampled_from(["recall", "skip", "complete", "register"]))
    def act_on_called(self, data, action):
        model = data.draw(st.sampled_from(self.called_tickets()))
        window = Window.get_by_id(model.window)
        ticket = self.engine_ticket(model)
        now = self.tick()
        if action == "recall":
            queue.recall(ticket, window, now=now)
        elif action == "skip":
            queue.skip(ticket, window, now=now)
            model.status, model.skipped_at, model.window = "skipped", now, None
        else:
            outcome = "registered" if action == "register" else "done"
            queue.complete(ticket, window, outcome=outcome, now=now)
            model.status = "completed"
        model.version += 1

    @precondition(lambda self: self.called_tickets())
    @rule(
        data=st.data(),
        to_service=st.integers(0, 5),
        to_window=st.one_of(st.none(), st.integers(0, 5)),
    )
    def transfer(self, data, to_service, to_window):
        model = data.draw(st.sampled_from(self.called_tickets()))
        window = Window.get_by_id(model.window)
        target = Window.get_by_id(list(self.windows)[to_window]) if to_window is not None else None
        service = Service.get_by_id(self.services[to_service])
        queue.transfer(
            self.engine_ticket(model), window, to_service=service, to_window=target, now=self.tick()
        )
        model.status, model.window, model.service = "waiting", None, service.id
        model.target = target.id if target else None
        model.version += 1

    @precondition(lambda self: any(t.status == "skipped" for t in self.tickets.values()))
    @rule(data=st.data())
    def reactivate(self, data):
        model = data.draw(
            st.sampled_from([t for t in self.tickets.values() if t.status == "skipped"])
        )
        now = self.tick()
        same = sorted(
            (
                t
                for t in self.tickets.values()
                if t.status == "waiting"
                and t.service == model.service
                and t.priority == model.priority
            ),
            key=lambda t: (t.queue_at, t.id),
        )
        queue.reactivate(self.engine_ticket(model), now=now)
        if len(same) >= REQUEUE_BEHIND:
            model.queue_at = same[REQUEUE_BEHIND - 1].queue_at + dt.timedelta(microseconds=1)
        else:
            model.queue_at = now
        model.status, model.window, model.skipped_at = "waiting", None, None
        model.version += 1

    @precondition(
        lambda self: any(t.status in ("waiting", "completed") for t in self.tickets.values())
    )
    @rule(data=st.data(), action=st.sampled_from(["recall", "skip", "complete"]))
    def illegal_action_changes_nothing(self, data, action):
        model = data.draw(
            st.sampled_from(
                [t for t in self.tickets.values() if t.status in ("waiting", "completed")]
            )
        )
        before = self.engine_ticket(model)
        events = QueueEvent.select().count()
        window = Window.get_by_id(list(self.windows)[0])
        try:
            getattr(queue, action)(before, window, now=self.tick())
        except QueueError:
            pass
        else:
            raise AssertionError(f"{action} on a {model.status} ticket was accepted")
        after = self.engine_ticket(model)
        assert (after.status, after.version) == (before.status, before.version)
        assert QueueEvent.select().count() == events

    @rule(window_index=st.integers(0, 5))
    def toggle_pause(self, window_index):
        wid = list(self.windows)[window_index]
        window = Window.get_by_id(wid)
        if self.paused[wid]:
            queue.resume_window(window, now=self.tick())
        else:
            queue.pause_window(window, now=self.tick())
        self.paused[wid] = not self.paused[wid]

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def engine_matches_model(self):
        rows = {t.id: t for t in Ticket.select()}
        assert set(rows) == set(self.tickets)
        for tid, model in self.tickets.items():
            row = rows[tid]
            assert row.status == model.status, (row.display_number, row.status, model.status)
            assert row.version == model.version
            assert row.service_id == model.service
            if model.status == "waiting":
                assert row.queue_at == model.queue_at
            if model.status == "called":
                assert row.window_id == model.window

    @invariant()
    def one_ticket_per_window_and_no_double_service(self):
        called = [t.window for t in self.tickets.values() if t.status == "called"]
        assert len(called) == len(set(called))
        done = QueueEvent.select(QueueEvent.ticket).where(QueueEvent.kind == "completed")
        ids = [e.ticket_id for e in done]
        assert len(ids) == len(set(ids)), "a ticket was completed twice"


QueueMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestQueueStateMachine = QueueMachine.TestCase

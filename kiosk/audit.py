"""The audit trail: every staff and admin action, appended to a hash-chained log.

Each entry's hash covers its own fields and the previous entry's hash, so editing or deleting a
row breaks the chain at that row; `verify_chain` finds where. The chain's end (count and last
hash) is kept in `AuditHead`, written in the same transaction, so cutting rows off the end is
detected as well. Someone able to rewrite the database can still rewrite everything including
the head: the head is printed on the admin page and by scripts/audit_verify.py so it can be
noted outside the machine. Appends for one hall are serialized (the SQLite write lock, or an
advisory lock on PostgreSQL) so the chain never forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from . import clock
from .db import db, is_postgres, write_transaction
from .models import AuditEntry, AuditHead, Hall, Staff

GENESIS = "0" * 64


def _canonical(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def entry_digest(entry: AuditEntry) -> str:
    payload = "\x1f".join(
        [
            entry.prev_hash,
            str(entry.hall_id),
            entry.at.isoformat(timespec="microseconds"),
            str(entry.actor_id or ""),
            entry.actor_name,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.before,
            entry.after,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    hall: Hall | int,
    actor: Staff | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    *,
    before=None,
    after=None,
    now=None,
) -> AuditEntry:
    """Append one entry (inside the caller's transaction if there is one)."""
    hall_id = hall if isinstance(hall, int) else hall.id
    with write_transaction():
        if is_postgres():
            db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (7301, hall_id))
        last = (
            AuditEntry.select(AuditEntry.entry_hash)
            .where(AuditEntry.hall == hall_id)
            .order_by(AuditEntry.id.desc())
            .first()
        )
        entry = AuditEntry(
            hall=hall_id,
            at=now or clock.utcnow(),
            actor=actor,
            actor_name=actor.display_name if actor else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_canonical(before),
            after=_canonical(after),
            prev_hash=last.entry_hash if last else GENESIS,
        )
        entry.entry_hash = entry_digest(entry)
        entry.save(force_insert=True)
        if last is None:  # the hall's first entry: from now on an empty trail is an emptied one
            Hall.update(audit_started=True).where(Hall.id == hall_id).execute()
        AuditHead.insert(hall=hall_id, entries=1, last_hash=entry.entry_hash).on_conflict(
            conflict_target=[AuditHead.hall],
            update={
                AuditHead.entries: AuditHead.entries + 1,
                AuditHead.last_hash: entry.entry_hash,
            },
        ).execute()
    return entry


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    broken_at: int | None  # id of the first entry that does not verify (0: the end is missing)
    reason: str
    head: str = ""  # the last hash, to note down outside the machine


def verify_chain(hall: Hall | int, *, full: bool = True) -> ChainCheck:
    """The chain check, tried again when only its end disagreed: an entry appended by another
    request while the chain was being walked moves the stored end, and is no tampering."""
    for _attempt in range(3):
        check = _verify_once(hall, full=full)
        if check.ok or check.broken_at != 0 or check.entries == 0:
            return check
    return check


def _verify_once(hall: Hall | int, *, full: bool = True) -> ChainCheck:
    """Check the hall's audit chain. `full` walks every entry (scripts/audit_verify.py, the
    audit page's button); otherwise only the entries after the last verified point are walked
    (page views: a year of entries must not be re-hashed on every look), and the point moves on.
    Either way the stored end (count, last hash) must match, and a trail that was started and
    is now empty, head and all, is reported."""
    hall_id = hall if isinstance(hall, int) else hall.id
    head = AuditHead.get_or_none(AuditHead.hall == hall_id)
    previous, count, after_id = GENESIS, 0, 0
    if not full and head is not None and head.verified_id:
        anchor = AuditEntry.get_or_none(
            (AuditEntry.id == head.verified_id) & (AuditEntry.hall == hall_id)
        )
        if anchor is not None and anchor.entry_hash == head.verified_hash:
            if entry_digest(anchor) != anchor.entry_hash:  # the point itself is re-checked
                return ChainCheck(False, head.verified_entries, anchor.id, "entry content changed")
            previous, count, after_id = anchor.entry_hash, head.verified_entries, anchor.id
    query = (
        AuditEntry.select()
        .where((AuditEntry.hall == hall_id) & (AuditEntry.id > after_id))
        .order_by(AuditEntry.id)
    )
    last_id = after_id
    for entry in query.iterator():
        count += 1
        if entry.prev_hash != previous:
            return ChainCheck(False, count, entry.id, "previous entry missing or changed")
        if entry_digest(entry) != entry.entry_hash:
            return ChainCheck(False, count, entry.id, "entry content changed")
        previous, last_id = entry.entry_hash, entry.id
    if head is None and count == 0:
        started = Hall.select(Hall.audit_started).where(Hall.id == hall_id).scalar()
        if started:
            return ChainCheck(False, 0, 0, "the audit trail was emptied, its head deleted too")
    if head is not None and (head.entries != count or head.last_hash != previous):
        return ChainCheck(
            False,
            count,
            0,
            f"entries missing at the end: {head.entries} recorded, {count} found",
            head.last_hash,
        )
    if head is not None and last_id and last_id != head.verified_id:
        with write_transaction():
            AuditHead.update(
                verified_id=last_id, verified_hash=previous, verified_entries=count
            ).where(AuditHead.hall == hall_id).execute()
    return ChainCheck(True, count, None, "", previous if count else "")


# --- reading the trail (管理 → 审计) --------------------------------------------------------------


def recorded_actions(hall: Hall | int) -> list[str]:
    """The kinds of action the hall's trail holds, sorted (a DISTINCT over every entry: callers
    keep it a while)."""
    return [
        action
        for (action,) in AuditEntry.select(AuditEntry.action)
        .distinct()
        .where(AuditEntry.hall == hall)
        .order_by(AuditEntry.action)
        .tuples()
    ]


def entries(
    hall: Hall | int,
    *,
    actor: int | None = None,
    action: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """The newest entries of the trail, filtered by who (staff id), which action and a span of
    time (naive UTC, `since` included, `until` not)."""
    query = AuditEntry.select().where(AuditEntry.hall == hall)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return list(query.order_by(AuditEntry.id.desc()).limit(limit))

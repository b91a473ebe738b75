"""Staff sign-in rules: password hashing and throttling of repeated failures (no Flask)."""

from __future__ import annotations

import datetime as dt

from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .db import write_transaction
from .errors import N_, ValidationError
from .models import Hall, Staff

MAX_FAILURES = 5
LOCK_MINUTES = 5
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            N_("密码至少需要 %(count)s 位"), field="password", count=MIN_PASSWORD_LENGTH
        )
    return generate_password_hash(password, method="scrypt")


def authenticate(hall: Hall, username: str, password: str, *, now=None) -> Staff:
    """The staff member with these credentials, or ValidationError (same message either way)."""
    now = now or clock.utcnow()
    staff = Staff.get_or_none((Staff.hall == hall) & (Staff.username == username.strip()))
    if staff is not None and staff.locked_until and staff.locked_until > now:
        minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
        raise ValidationError(N_("登录失败次数过多，请 %(minutes)s 分钟后再试"), minutes=minutes)
    if (
        staff is None
        or not staff.active
        or not staff.password_hash
        or not check_password_hash(staff.password_hash, password)
    ):
        if staff is not None:
            # Committed on its own before the error is raised: a caller's transaction rolling
            # back with the error must not erase the count (that would disable throttling).
            with write_transaction():
                Staff.update(failed_logins=Staff.failed_logins + 1).where(
                    Staff.id == staff.id
                ).execute()
                failures = Staff.get_by_id(staff.id).failed_logins
                if failures >= MAX_FAILURES:
                    Staff.update(
                        failed_logins=0, locked_until=now + dt.timedelta(minutes=LOCK_MINUTES)
                    ).where(Staff.id == staff.id).execute()
        raise ValidationError(N_("用户名或密码不正确"))
    if staff.failed_logins or staff.locked_until:
        with write_transaction():
            Staff.update(failed_logins=0, locked_until=None).where(Staff.id == staff.id).execute()
    return staff

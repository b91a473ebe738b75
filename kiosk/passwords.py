"""Staff sign-in rules: password hashing, password strength and throttling of repeated failures
(no Flask).

Throttling (issue 18): the hall LAN is shared with residents' phones, so a lock on the account
after N failures let anyone lock out any account, the admin's included, and told them which
usernames exist. Instead failures are counted per client address and per (address, account):
- an address that failed 5 times for one account waits, doubling from 30 s up to 15 minutes,
  before it may try that account again;
- an address that failed 20 times in 10 minutes (any accounts) waits until the window passes;
- nothing is locked for the account itself: the right password from an address that did not
  fail still works, so an outsider cannot keep the admin out.
Unknown usernames cost the same scrypt check as known ones (a dummy hash) and get the same
answer, and the throttle applies to typed names whether they exist or not.
The counters live in memory, per server process (a restart clears them).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from .errors import N_, ValidationError
from .models import Hall, Staff
from .words import Role

MIN_PASSWORD_LENGTH = 8
ADMIN_MIN_PASSWORD_LENGTH = 10
ACCOUNT_FAILURES_BEFORE_WAIT = 5
ACCOUNT_FIRST_WAIT_SECONDS = 30.0
ACCOUNT_MAX_WAIT_SECONDS = 15 * 60.0
ADDRESS_FAILURES_LIMIT = 20
ADDRESS_WINDOW_SECONDS = 10 * 60.0
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """A small vendored list of the most common passwords (see the file's header)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def check_password_strength(password: str, *, role: str = Role.STAFF) -> None:
    """ValidationError when a new password is too short or one of the common ones."""
    minimum = ADMIN_MIN_PASSWORD_LENGTH if role == Role.ADMIN else MIN_PASSWORD_LENGTH
    if len(password) < minimum:
        raise ValidationError(N_("密码至少需要 %(count)s 位"), field="password", count=minimum)
    lowered = password.lower()
    if lowered in common_passwords() or len(set(password)) <= 2:
        raise ValidationError(N_("这个密码太常见，很容易被猜到，请换一个"), field="password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            N_("密码至少需要 %(count)s 位"), field="password", count=MIN_PASSWORD_LENGTH
        )
    return generate_password_hash(password, method="scrypt")


@cache
def _dummy_hash() -> str:
    # Same method and parameters as real hashes, so checking it costs the same time.
    return generate_password_hash("no-such-account-" + str(time.time()), method="scrypt")


@dataclass
class _AccountFailures:
    count: int = 0
    last: float = 0.0


@dataclass
class SignInThrottle:
    """Failure counters per client address and per (address, username); thread-safe."""

    accounts: dict[tuple[str, str], _AccountFailures] = field(default_factory=dict)
    addresses: dict[str, deque] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    clock: object = time.monotonic

    def wait_seconds(self, address: str, username: str) -> float:
        """How long this address must wait before trying this username again (0 = go)."""
        now = self.clock()
        with self.lock:
            waits = [0.0]
            recent = self.addresses.get(address)
            if recent:
                while recent and now - recent[0] > ADDRESS_WINDOW_SECONDS:
                    recent.popleft()
                if len(recent) >= ADDRESS_FAILURES_LIMIT:
                    waits.append(recent[0] + ADDRESS_WINDOW_SECONDS - now)
            failures = self.accounts.get((address, username))
            if failures and failures.count >= ACCOUNT_FAILURES_BEFORE_WAIT:
                extra = failures.count - ACCOUNT_FAILURES_BEFORE_WAIT
                wait = min(ACCOUNT_FIRST_WAIT_SECONDS * 2**extra, ACCOUNT_MAX_WAIT_SECONDS)
                waits.append(failures.last + wait - now)
            return max(waits)

    def failed(self, address: str, username: str) -> None:
        now = self.clock()
        with self.lock:
            self.addresses.setdefault(address, deque()).append(now)
            failures = self.accounts.setdefault((address, username), _AccountFailures())
            failures.count += 1
            failures.last = now
            if len(self.accounts) > 10_000:  # forget the oldest, so memory stays bounded
                cutoff = now - ACCOUNT_MAX_WAIT_SECONDS
                self.accounts = {k: v for k, v in self.accounts.items() if v.last > cutoff}
                self.addresses = {k: v for k, v in self.addresses.items() if v and v[-1] > cutoff}

    def succeeded(self, address: str, username: str) -> None:
        with self.lock:
            self.accounts.pop((address, username), None)


default_throttle = SignInThrottle()


def authenticate(
    hall: Hall,
    username: str,
    password: str,
    *,
    client: str = "",
    throttle: SignInThrottle | None = None,
) -> Staff:
    """The staff member with these credentials, or ValidationError. The answer and the time it
    takes are the same whether the username exists or not."""
    throttle = throttle or default_throttle
    username = username.strip().lower()
    wait = throttle.wait_seconds(client, username)
    if wait > 0:
        minutes = max(1, int(wait // 60) + 1)
        raise ValidationError(N_("登录失败次数过多，请 %(minutes)s 分钟后再试"), minutes=minutes)
    staff = Staff.get_or_none((Staff.hall == hall) & (Staff.username == username))
    stored = staff.password_hash if staff is not None and staff.password_hash else None
    matches = check_password_hash(stored or _dummy_hash(), password)
    if staff is None or stored is None or not staff.active or not matches:
        throttle.failed(client, username)
        raise ValidationError(N_("用户名或密码不正确"))
    throttle.succeeded(client, username)
    return staff


def end_sessions(staff: Staff) -> None:
    """End every session of this account, on every device (sign-out, password, role or status
    change): the session cookies carry the old `session_version` and are refused from now on.
    A deactivated account also leaves any window it was on duty at (挂牌上岗 ends)."""
    from .models import Window

    Staff.update(session_version=Staff.session_version + 1).where(Staff.id == staff.id).execute()
    if not Staff.get_by_id(staff.id).active:
        Window.update(on_duty=None, on_duty_since=None).where(Window.on_duty == staff.id).execute()

"""Helpers shared by test modules (importable as `support`; tests/ is on sys.path)."""

from __future__ import annotations

PASSWORDS = {
    "admin": "admin-pass-123",
    "supervisor": "super-pass-123",
}


def staff_password(username: str) -> str:
    return PASSWORDS.get(username, f"{username}-pass-123")

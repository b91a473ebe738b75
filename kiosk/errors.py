"""Domain errors: raised by the domain layer with a message fit for a resident or staff member.

Messages are Chinese source strings marked with `N_` for extraction; views translate them with
gettext at display time (`DomainError.translated`), so the domain never imports Flask.
"""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:  # noqa: N802 - the conventional name of the gettext no-op marker
    """Mark a string for translation without translating it now."""
    return message


class DomainError(Exception):
    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def translated(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.message)
        return text % self.params if self.params else text


class QueueError(DomainError):
    """An action on the queue that is not allowed now (nothing was changed)."""


class ValidationError(DomainError):
    """Input that cannot be accepted (nothing was changed)."""

    def __init__(self, message: str, field: str = "", **params: object) -> None:
        super().__init__(message, **params)
        self.field = field

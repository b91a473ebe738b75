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


class LineProblems(ValidationError):
    """Every bad line of an imported file, as (line number, message, params): nothing was
    imported. Views list them all, so the file is fixed in one go."""

    def __init__(self, problems: list[tuple[int, str, dict]]):
        super().__init__(N_("文件中有 %(count)s 处错误，未导入任何内容"), count=len(problems))
        self.problems = problems

    def translated_lines(self, gettext: Callable[[str], str]) -> list[str]:
        return [
            gettext(message) % {"line": line, **params} for line, message, params in self.problems
        ]

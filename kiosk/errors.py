"""Domain errors: raised by the domain layer with a message fit for a resident or staff member.

Messages are Chinese source strings marked with `N_` for extraction; views translate them with
gettext at display time (`DomainError.translated`), so the domain never imports Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


def N_(message: str) -> str:  # the conventional name of the gettext no-op marker
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


def add_line_problem(problems: list, line: int, message: str, **params: object) -> None:
    """Keep a bad line's problem for `LineProblems`: every line is read, then all are shown."""
    problems.append((line, message, params))


class FieldProblems(ValidationError):
    """Every bad field of a form at once, each a ValidationError naming its field: nothing was
    saved. Views show each message beside its field, so an admin fixes the form in one go."""

    def __init__(self, problems: list[ValidationError]):
        super().__init__(
            N_("有 %(count)s 处需要修改"), field=problems[0].field, count=len(problems)
        )
        self.problems = problems


class Problems:
    """Collects what is wrong while a form is checked, field by field:

    problems = Problems()
    with problems.check():
        name = check_name(form)      # a ValidationError here is kept, checking goes on
    ...
    problems.raise_any()             # one problem: raised as it is; several: FieldProblems
    """

    def __init__(self) -> None:
        self.found: list[ValidationError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except FieldProblems as many:
            self.found.extend(many.problems)
        except ValidationError as problem:
            self.found.append(problem)

    def add(self, message: str, field: str = "", **params: object) -> None:
        """Keep a problem found by a check written inline."""
        self.found.append(ValidationError(message, field, **params))

    def put(self, data: dict, key: str, check: Callable[..., object], *args, **kwargs) -> None:
        """data[key] = check(*args, **kwargs), or the problem kept."""
        with self.check():
            data[key] = check(*args, **kwargs)

    def has(self, field: str) -> bool:
        return any(problem.field == field for problem in self.found)

    def raise_any(self, order: Sequence[str] = ()) -> None:
        """Raise what was found, in the order the fields stand on the page (`order`; fields
        not named there come after, as found)."""
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            place = {field: index for index, field in enumerate(order)}
            found = sorted(self.found, key=lambda problem: place.get(problem.field, len(place)))
            raise FieldProblems(found)

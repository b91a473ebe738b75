"""Limits on what may be written to the database, checked before it is (no Flask).

Issue 18: on PostgreSQL a text longer than its column, a NUL byte or a number outside its
column's range made the database refuse the statement, the request answered 500 and nothing
was saved; SQLite accepted the same values silently. So every value is checked here, the same
way on both databases, before any SQL is sent:
- text: at most the column's declared maximum (`CharField(max_length=…)`, 255 by default;
  `TextField(max_length=…)` in kiosk/models.py, 20 000 characters unless declared otherwise),
  no NUL, and (`check_text`) no other control character than tab and line breaks;
- integers: within the column type (SMALLINT ±32 767, INTEGER ±2 147 483 647);
- decimals: within `max_digits` / `decimal_places`.
`BaseModel` (kiosk/models.py) calls `check_row` from `save`, `insert`, `insert_many` and
`update`, so a view that forgets a limit still gets a ValidationError with a Chinese message
instead of a database error. Form validators use `check_text` / `check_int` for nicer,
per-field messages.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from peewee import (
    BigIntegerField,
    CharField,
    DecimalField,
    Field,
    IntegerField,
    Node,
    SmallIntegerField,
    TextField,
)

from .errors import N_, ValidationError

# A Chinese phone number as halls write them: a mobile (11 digits from 13…19) or a landline
# with its area code (0724-4221000 or 07244221000). The one pattern every form checks against.
PHONE_NUMBER = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DEFAULT_TEXT_LIMIT = 20_000
INTEGER_RANGES = {
    SmallIntegerField: (-32768, 32767),
    BigIntegerField: (-(2**63), 2**63 - 1),
    IntegerField: (-(2**31), 2**31 - 1),
}
INT32_MAX = 2**31 - 1

TOO_LONG = N_("内容过长（最多 %(limit)s 字）")
CONTROL_CHARACTER = N_("内容含有不可见的控制字符（如 NUL），请删除后重试")
OUT_OF_RANGE = N_("数值超出允许范围（%(low)s 到 %(high)s）")


NOT_A_NUMBER = N_("请填写 %(low)s 到 %(high)s 之间的整数")


def parse_id(text: object, *, low: int = 1, high: int = INT32_MAX) -> int | None:
    """The one parser of numbers typed in requests (ids, window numbers, pages, years, counts):
    ASCII digits only (str.isdigit() also passes "²" and "٣", which int() refuses or reads as
    other numbers), no sign, within low … high (by default a database id: 1 … 2**31-1, what
    fits an INTEGER on every database). None when it is not such a number."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if low <= text <= high else None
    text = str(text or "").strip()
    if not text or len(text) > len(str(high)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def require_id(
    text: object,
    field: str,
    *,
    low: int = 1,
    high: int = INT32_MAX,
    message: str = NOT_A_NUMBER,
) -> int:
    """`parse_id`, refusing anything else with a ValidationError on `field` (the message may
    use %(low)s and %(high)s)."""
    value = parse_id(text, low=low, high=high)
    if value is None:
        raise ValidationError(message, field=field, low=low, high=high)
    return value


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


def check_text(value: str, field: str, limit: int) -> str:
    """A typed text: no control characters (tab and line breaks allowed), at most `limit`."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTER, field=field)
    if len(value) > limit:
        raise ValidationError(TOO_LONG, field=field, limit=limit)
    return value


def check_int(value: int, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValidationError(OUT_OF_RANGE, field=field, low=low, high=high)
    return value


def text_limit(field: Field) -> int | None:
    if isinstance(field, CharField):
        return field.max_length or 255
    if isinstance(field, TextField):
        return getattr(field, "max_length", DEFAULT_TEXT_LIMIT)
    return None


def integer_range(field: Field) -> tuple[int, int] | None:
    for kind, bounds in INTEGER_RANGES.items():
        if isinstance(field, kind):
            return bounds
    return None


def check_value(field: Field, value: object) -> None:
    """ValidationError when `value` cannot be stored in `field`'s column on every database."""
    if value is None or isinstance(value, Node):
        return  # NULL, or an SQL expression such as `counter + 1`
    name = field.name
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError(CONTROL_CHARACTER, field=name)
        limit = text_limit(field)
        if limit is not None and len(value) > limit:
            raise ValidationError(TOO_LONG, field=name, limit=limit)
        return
    if isinstance(value, bool):
        return
    bounds = integer_range(field)
    if bounds is not None and isinstance(value, int):
        check_int(value, name, *bounds)
        return
    if isinstance(field, DecimalField) and isinstance(value, (int, float, Decimal)):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return
        whole = field.max_digits - field.decimal_places
        limit = Decimal(10) ** whole
        if not number.is_finite() or abs(number) >= limit:
            raise ValidationError(
                OUT_OF_RANGE, field=name, low=f"-{limit - 1}", high=f"{limit - 1}"
            )


def check_row(model, row: dict) -> None:
    """Check a mapping of fields (or field names) to values about to be written to `model`."""
    fields = model._meta.fields
    for key, value in row.items():
        field = key if isinstance(key, Field) else fields.get(key)
        if field is None and isinstance(key, str):
            field = model._meta.combined.get(key)
        if field is not None:
            check_value(field, value)

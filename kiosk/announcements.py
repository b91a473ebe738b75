"""What the hall says when it calls a number (no Flask, no sound): how a ticket number is read
aloud (`spoken_number`: "A012" -> "A零一二", the letter then each digit in Chinese, the way hall
callers read numbers; never "O-O-one" nor "十二") and the hall's announcement template
(`validate_template`, `announcement_text`). kiosk/speech.py turns the sentence into sound.

- The ticket letter is left as the capital Latin letter: espeak-ng's Mandarin voices spell
  capitals the Chinese way ("A" -> [ei51]), which is how hall callers say them; several letters
  are separated by spaces ("AB012" -> "A B零一二") because a run of capitals is otherwise read as
  an English word (listening tests: kiosk/speech.py's notes).
- Window numbers stay Arabic digits in the text: both engines read "12号窗口" as "十二号窗口",
  which is how windows are announced (ticket digits, by contrast, are read one by one).
"""

from __future__ import annotations

import string
import unicodedata

from .errors import N_, ValidationError

DEFAULT_TEMPLATE = "请{number}号到{window}号窗口办理"
TEMPLATE_FIELDS = ("number", "window", "window_name")
MAX_TEMPLATE_LENGTH = 200
FIELD = "announcement_template"  # the hall settings form's field the errors belong to

_DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def spoken_number(display_number: str) -> str:
    """How a ticket number is read aloud: letters as letters, then each digit in Chinese.

    "A012" -> "A零一二", "B120" -> "B一二零", "AB007" -> "A B零零七". Full-width characters are
    folded (NFKC) and letters upper-cased; Chinese characters in a prefix are kept; spaces,
    dashes and other punctuation are dropped.
    """
    if not isinstance(display_number, str):
        raise TypeError("display_number must be a string")
    text = unicodedata.normalize("NFKC", display_number).strip().upper()
    parts: list[str] = []
    for char in text:
        if char in _DIGITS:
            parts.append(_DIGITS[char])
        elif "A" <= char <= "Z":
            if parts and "A" <= parts[-1][-1] <= "Z":
                parts.append(" ")
            parts.append(char)
        elif _is_cjk(char):
            parts.append(char)
        # anything else (spaces, "-", "#", ".") is not spoken
    spoken = "".join(parts)
    if not spoken:
        raise ValidationError(N_("号码 %(number)s 中没有可播报的字母或数字"), number=display_number)
    return spoken


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY"))


def validate_template(template: str) -> str:
    """Check a hall's announcement template; return it unchanged or raise ValidationError.

    Allowed placeholders: {number} (required), {window}, {window_name}. No format specs,
    conversions, attribute or index access, and no positional "{}".
    """
    allowed = "、".join("{" + name + "}" for name in TEMPLATE_FIELDS)
    if not isinstance(template, str) or not template.strip():
        raise ValidationError(N_("播报模板不能为空"), field=FIELD)
    if len(template) > MAX_TEMPLATE_LENGTH:
        raise ValidationError(
            N_("播报模板太长（最多 %(limit)s 个字）"), field=FIELD, limit=MAX_TEMPLATE_LENGTH
        )
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        raise ValidationError(
            N_("播报模板中的花括号不成对；占位符只能写成 %(allowed)s，不要单独使用 { 或 }"),
            field=FIELD,
            allowed=allowed,
        ) from None
    seen: set[str] = set()
    for _literal, field, spec, conversion in fields:
        if field is None:
            continue
        shown = "{" + field + "}"
        if field not in TEMPLATE_FIELDS:
            raise ValidationError(
                N_("播报模板中有未知的占位符 %(shown)s；只能使用 %(allowed)s"),
                field=FIELD,
                shown=shown,
                allowed=allowed,
            )
        if spec or conversion:
            raise ValidationError(
                N_("播报模板中的占位符 %(shown)s 不能带格式说明（: 或 !）"),
                field=FIELD,
                shown=shown,
            )
        seen.add(field)
    if "number" not in seen:
        raise ValidationError(N_("播报模板必须包含号码占位符 {number}"), field=FIELD)
    return template


def announcement_text(
    template: str, display_number: str, window_number: int | str, window_name: str = ""
) -> str:
    """The sentence to speak for a call.

    With the default template: ("A012", 3) -> "请A零一二号到3号窗口办理".
    """
    validate_template(template)
    window = str(window_number).strip()
    text = template.format(
        number=spoken_number(display_number),
        window=window,
        window_name=(window_name or "").strip(),
    )
    return " ".join(text.split())

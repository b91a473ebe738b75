"""Sanitizing text that admins write (procedures, notices) with nh3: a strict allow-list, so no
script, event handler or remote resource ever reaches the kiosk. Applied when stored and again
when shown (defence in depth: rows written by older versions or by hand are covered too).
"""

from __future__ import annotations

import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "span",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def clean_html(text: str | None) -> str:
    return nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(),  # images only from the hall server itself (relative URLs)
        link_rel=None,
    )


def clean_markup(text: str | None) -> Markup:
    return Markup(clean_html(text))

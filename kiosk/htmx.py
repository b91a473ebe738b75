"""The one place that reads htmx's HX-* request headers (through htmx-flask)."""

from __future__ import annotations

from flask import Response, render_template, request


def is_htmx() -> bool:
    """True for an htmx request that wants a fragment (a history restore wants the page)."""
    if request.headers.get("HX-History-Restore-Request") == "true":
        return False
    return bool(getattr(request, "htmx", False))


def render(page: str, fragment: str, **context) -> Response:
    """A whole page on a normal request, just the fragment for htmx (one source for both)."""
    from flask import make_response

    html = render_template(fragment if is_htmx() else page, **context)
    response = make_response(html)
    response.headers["Vary"] = "HX-Request"
    return response

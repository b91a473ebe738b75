"""The hall display board and the window screens: public and read-only."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("display", __name__, url_prefix="/display")

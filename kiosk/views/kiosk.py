"""The resident kiosk (touch screen at the entrance): public, no sign-in."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("kiosk", __name__)

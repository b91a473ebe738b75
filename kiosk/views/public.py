"""Pages a resident opens on their own phone (ticket status by unguessable code): public."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)

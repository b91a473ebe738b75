"""The staff window console: signed-in staff (and admins) acting on their own windows."""

from __future__ import annotations

from flask import Blueprint

from ..web import require_roles

bp = Blueprint("staff", __name__, url_prefix="/staff")
require_roles(bp, ("staff", "admin"))

"""Administration and supervision: admins act, supervisors may only look."""

from __future__ import annotations

from flask import Blueprint

from ..web import read_only_for, require_roles

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_roles(bp, ("admin", "supervisor"))
read_only_for(bp, ("supervisor",))

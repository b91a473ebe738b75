"""The central overview for a city or county office (role `overseer`): every hall on the shared
database, read-only, refreshing itself. The role sees nothing else and can change nothing."""

from __future__ import annotations

from flask import Blueprint

from .. import clock, overview
from ..htmx import render
from ..web import read_only_for, require_roles
from ..words import Role

bp = Blueprint("overview", __name__, url_prefix="/overview")
require_roles(bp, (Role.OVERSEER,))
read_only_for(bp, (Role.OVERSEER,))


@bp.get("")
@bp.get("/")
def home():
    return render(
        "overview/home.html",
        "overview/_halls.html",
        halls=overview.summaries(),
        at=clock.utcnow(),
    )

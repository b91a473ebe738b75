"""The central overview of a city or county office: three halls on one database, each served
by its own hall server; the overseer sees every hall's figures (checked against counts made
here independently), read-only; every other role is kept out, and each hall's pages show only
that hall's tickets."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from halls_support import three_halls

from kiosk.models import Ticket

# The halls' history is "minutes ago": keep it on today whatever hour the suite runs.
pytestmark = pytest.mark.usefixtures("morning_clock")


def csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).data.decode()).group(1)


def sign_in(client, username: str, password: str):
    return client.post(
        "/login",
        data={"csrf_token": csrf(client, "/login"), "username": username, "password": password},
    )


def test_the_overseer_sees_every_hall(app, client):
    demo, east, west = three_halls()
    response = sign_in(client, "county", "county-pass-2026")
    assert response.headers["Location"].rstrip("/") == "/overview"
    page = BeautifulSoup(client.get("/overview").data, "html.parser")
    rows = {row["data-hall"]: row for row in page.select("#overview-halls tbody tr")}
    assert set(rows) == {"demo", "dz", "xz"}

    def cell(code, name):
        return rows[code].select_one(f".{name}").get_text(" ", strip=True)

    for hall in (demo, east, west):  # independent counts
        waiting = (
            Ticket.select().where((Ticket.hall == hall) & (Ticket.status == "waiting")).count()
        )
        assert cell(hall.code, "waiting") == str(waiting)
    assert cell("dz", "served") == "2" and cell("demo", "served") == "0"
    assert cell("dz", "staffed") == "1 / 6" and cell("demo", "staffed") == "0 / 6"
    assert cell("dz", "overdue") == "1" and cell("xz", "overdue") == "0"
    assert cell("dz", "score").startswith("7.00")  # (10 + 4) / 2
    assert cell("demo", "longest").startswith("40 ") or cell("demo", "longest").startswith("39 ")
    assert cell("xz", "longest") == "—"
    # It refreshes itself, and nothing can be changed from it.
    assert page.select_one("#overview")["hx-trigger"] == "every 10s"
    assert client.post("/overview", data={"csrf_token": csrf(client, "/login")}).status_code in (
        403,
        405,
    )
    assert client.get("/admin").status_code == 403
    assert client.get("/staff").status_code == 403


def test_other_roles_are_kept_out_and_each_hall_shows_only_its_own(app, client):
    demo, east, _west = three_halls()
    sign_in(client, "admin", "admin-pass-123")
    assert client.get("/overview").status_code == 403  # a hall's admin sees only their hall
    east_ticket = Ticket.select().where(Ticket.hall == east).first()
    assert client.get(f"/t/{east_ticket.public_code}").status_code == 404
    assert client.get(f"/tickets/{east_ticket.public_code}").status_code == 404
    board = client.get("/display/board").data.decode()
    assert "东州" not in board

"""The board's idle loop: with nobody called for a while, the hall's slides replace the side
panel while the latest calls stay on screen; a new call brings the panel back."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from kiosk import queue
from kiosk.db import db
from kiosk.models import DisplaySlide, Hall, Service, Staff, Window
from kiosk.photos import store_photo


def make_slide(app, caption: str, colour: str) -> None:
    image = Image.new("RGB", (1280, 720), colour)
    ImageDraw.Draw(image).rectangle((100, 100, 1180, 620), outline="white", width=12)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    from pathlib import Path

    slide = DisplaySlide.create(hall=Hall.get(), image="", caption=caption)
    name = store_photo(
        buffer.getvalue(),
        Path(app.config["UPLOAD_FOLDER"]) / "slides",
        slide.id,
        prefix="slide",
        max_side=1280,
    )
    DisplaySlide.update(image=name).where(DisplaySlide.id == slide.id).execute()


def test_slides_show_when_idle_and_calls_stay_visible(
    app, live_server, page_factory, screenshot_dir
):
    app.config["BOARD_IDLE_SECONDS"] = 1
    db.connect(reuse_if_open=True)
    make_slide(app, "廉政教育：清正廉洁 服务群众", "#8a1a1a")
    make_slide(app, "惠民政策：城乡居民医保开始缴费", "#1a4a8a")
    hall, window = Hall.get(), Window.get(Window.number == 6)
    queue.issue_ticket(hall, Service.get(Service.code == "party_liaison"))
    queue.issue_ticket(hall, Service.get(Service.code == "party_liaison"))
    clerk = Staff.get(Staff.username == "sun")
    called = queue.call_next(window, clerk)
    board = page_factory(width=1920, height=1080)
    board.goto(live_server.url + "/display")
    board.wait_for_selector(".board-grid.idle", timeout=5000)
    assert (
        board.locator(".board-slides .slide:not([hidden]) figcaption").inner_text()
        == "廉政教育：清正廉洁 服务群众"
    )
    assert board.locator(".latest-number").inner_text() == "F001"  # the calls stay
    assert not board.locator(".board-side").is_visible()
    board.screenshot(path=str(screenshot_dir / "display" / "board-idle.png"))
    queue.complete(called, window, clerk)
    app.config["BOARD_IDLE_SECONDS"] = 60
    queue.call_next(window, clerk)
    board.wait_for_function(
        "() => document.querySelector('.latest-number')?.textContent === 'F002'", timeout=5000
    )
    board.wait_for_selector(".board-grid:not(.idle)", timeout=5000)
    assert board.locator(".board-side").is_visible()

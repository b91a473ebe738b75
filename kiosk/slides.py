"""Slides of the hall board's idle loop (education and policy pictures with captions): the list
the admin page shows, the active ones the board cycles through, adding and switching one on or
off. No Flask here: views pass the checked picture and the folder it is stored in."""

from __future__ import annotations

from pathlib import Path

from . import audit
from .db import write_transaction
from .models import DisplaySlide, Hall, Staff
from .photos import store_photo

SLIDE_SIDE = 1280
CAPTION_LIMIT = 80


def hall_slides(hall: Hall):
    """Every slide of the hall in showing order (the admin list)."""
    return (
        DisplaySlide.select()
        .where(DisplaySlide.hall == hall)
        .order_by(DisplaySlide.position, DisplaySlide.id)
    )


def active_slides(hall: Hall | int) -> list[DisplaySlide]:
    """The slides the board shows, in order."""
    return list(
        DisplaySlide.select()
        .where((DisplaySlide.hall == hall) & (DisplaySlide.active == True))  # noqa: E712 - SQL
        .order_by(DisplaySlide.position, DisplaySlide.id)
    )


def find_slide(hall: Hall | int, slide_id: int) -> DisplaySlide | None:
    return DisplaySlide.get_or_none((DisplaySlide.id == slide_id) & (DisplaySlide.hall == hall))


def add_slide(
    hall: Hall, image: bytes, caption: str, folder: Path, actor: Staff | None
) -> DisplaySlide:
    """A new slide at the end of the loop; the picture is re-encoded into `folder`."""
    caption = caption.strip()[:CAPTION_LIMIT]
    with write_transaction():
        position = DisplaySlide.select().where(DisplaySlide.hall == hall).count() + 1
        slide = DisplaySlide.create(hall=hall, image="", caption=caption, position=position)
        name = store_photo(image, folder, slide.id, prefix="slide", max_side=SLIDE_SIDE)
        DisplaySlide.update(image=name).where(DisplaySlide.id == slide.id).execute()
        audit.record(hall, actor, "slide_add", "slide", slide.id, after={"caption": caption})
    slide.image = name
    return slide


def toggle_slide(slide: DisplaySlide, actor: Staff | None) -> bool:
    """Switch a slide on or off; returns whether it is now shown."""
    active = not slide.active
    with write_transaction():
        DisplaySlide.update(active=active).where(DisplaySlide.id == slide.id).execute()
        audit.record(
            slide.hall_id, actor, "slide_toggle", "slide", slide.id, after={"active": active}
        )
    return active

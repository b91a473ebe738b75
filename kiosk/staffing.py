"""The hall's people and who is on which window: staff lists and lookups for the pages, the
service cards, the accounts admins keep (管理 → 人员), and duty at a window (挂牌上岗). No Flask
here: views pass plain values and models, and get ValidationError back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playhouse.shortcuts import model_to_dict

from . import audit, clock
from .db import write_transaction
from .errors import N_, Problems
from .models import Hall, Staff, StaffWindow, Window
from .photos import store_photo
from .words import Role

# --- lookups ------------------------------------------------------------------------------------


def staff_by_id(hall: Hall | int) -> dict[int, Staff]:
    """Every account of the hall (deactivated ones too: history names them), by id."""
    return {member.id: member for member in Staff.select().where(Staff.hall == hall)}


def staff_names(hall: Hall | int) -> dict[int, str]:
    return {member.id: member.display_name for member in Staff.select().where(Staff.hall == hall)}


def staff_by_name(hall: Hall | int):
    """The hall's accounts in name order (the audit filter's list)."""
    return Staff.select().where(Staff.hall == hall).order_by(Staff.display_name)


def staff_by_role(hall: Hall | int):
    """The hall's accounts by role, then as created (管理 → 人员)."""
    return Staff.select().where(Staff.hall == hall).order_by(Staff.role, Staff.id)


def hall_agents(hall: Hall | int) -> list[Staff]:
    """Anyone who can take a case on: active staff and admins (not supervisors)."""
    return list(
        Staff.select()
        .where((Staff.hall == hall) & (Staff.active == True) & (Staff.role != Role.SUPERVISOR))  # noqa: E712
        .order_by(Staff.id)
    )


def find_staff(hall: Hall | int, staff_id: int) -> Staff | None:
    """The account with this id in this hall (another hall's accounts are as good as missing)."""
    return Staff.get_or_none((Staff.id == staff_id) & (Staff.hall == hall))


def staff_member(staff_id: int | None) -> Staff | None:
    """The account with this id (an id read from a row of the hall), or None."""
    return Staff.get_or_none(Staff.id == staff_id) if staff_id else None


def service_cards(hall: Hall) -> list[tuple[Staff, list[int]]]:
    """The kiosk's service cards: each active window clerk with the numbers of their windows."""
    members = (
        Staff.select()
        .where(
            (Staff.hall == hall)
            & (Staff.active == True)  # noqa: E712 - SQL
            & (Staff.role == Role.STAFF)
        )
        .order_by(Staff.id)
    )
    return [
        (
            member,
            sorted(
                link.window.number
                for link in StaffWindow.select(StaffWindow, Window)
                .join(Window)
                .where(StaffWindow.staff == member)
            ),
        )
        for member in members
    ]


# --- duty at a window ---------------------------------------------------------------------------


def allowed_windows(hall: Hall | int, staff: Staff) -> list[Window]:
    """The hall's open windows this account may take duty at (an admin: every one)."""
    query = (
        Window.select()
        .where((Window.hall == hall) & Window.retired_at.is_null())
        .order_by(Window.number)
    )
    if staff.role != Role.ADMIN:
        query = query.join(StaffWindow).where(StaffWindow.staff == staff)
    return list(query)


def start_duty(window: Window, staff: Staff, *, now: dt.datetime | None = None) -> None:
    """挂牌上岗: `staff` holds `window` from now (whoever held it before no longer does)."""
    now = now or clock.utcnow()
    with write_transaction():
        Window.update(on_duty=staff, on_duty_since=now).where(Window.id == window.id).execute()
        audit.record(window.hall_id, staff, "duty_start", "window", window.number, now=now)


def end_duty(window: Window, staff: Staff) -> None:
    """Off duty at `window`, if `staff` still holds it."""
    with write_transaction():
        Window.update(on_duty=None, on_duty_since=None).where(
            (Window.id == window.id) & (Window.on_duty == staff)
        ).execute()
        audit.record(window.hall_id, staff, "duty_end", "window", window.number)


def on_duty_staff(window: Window) -> Staff | None:
    """Who the window screen shows: the holder, unless the account was deactivated (a
    deactivated account is no longer 挂牌上岗)."""
    if not window.on_duty_id:
        return None
    return Staff.get_or_none((Staff.id == window.on_duty_id) & (Staff.active == True))  # noqa: E712


# --- accounts (管理 → 人员) --------------------------------------------------------------


def check_account(hall: Hall, member: Staff | None, data: dict, actor: Staff) -> dict:
    """The rules of saving an account beyond the form's own: a unique username in the hall, a
    strong enough new password (hashed in the result), and no admin taking their own admin
    role or account away. Returns the fields to store; ValidationError naming the field."""
    from .passwords import check_password_strength, hash_password  # werkzeug: only when saving

    data = dict(data)
    problems = Problems()
    clash = Staff.get_or_none((Staff.hall == hall) & (Staff.username == data["username"]))
    if clash is not None and (member is None or clash.id != member.id):
        problems.add(N_("用户名已被使用"), field="username")
    if (
        member is not None
        and member.id == actor.id
        and (data["role"] != Role.ADMIN or not data["active"])
    ):
        problems.add(N_("不能取消自己的管理员权限或停用自己的账号"), field="role")
    password = data.pop("password")
    if password:
        with problems.check():
            check_password_strength(password, role=data["role"])
    problems.raise_any()
    if password:
        data["password_hash"] = hash_password(password)
    return data


def save_account(
    hall: Hall,
    member: Staff | None,
    data: dict,
    windows: list[Window],
    actor: Staff | None,
    *,
    photo: bytes | None = None,
    photo_folder: Path | None = None,
) -> Staff:
    """Create (`member` None) or update an account from checked `data` (check_account), with
    the windows it may serve and a checked photo stored in `photo_folder`. A new password, role
    or deactivation ends the account's sessions. Audited without the password hash."""
    from .passwords import end_sessions  # werkzeug's hashing: imported only when saving

    with write_transaction():
        before = None
        if member is None:
            member = Staff.create(hall=hall, **data)
        else:
            before = {
                k: v
                for k, v in model_to_dict(member, recurse=False).items()
                if k != "password_hash"
            }
            Staff.update(**data).where(Staff.id == member.id).execute()
            if (
                "password_hash" in data
                or data["role"] != member.role
                or bool(data["active"]) != member.active
            ):
                end_sessions(member)  # the old sessions of this account end now
        if photo is not None:
            name = store_photo(photo, photo_folder, member.id)
            Staff.update(photo=name).where(Staff.id == member.id).execute()
        StaffWindow.delete().where(StaffWindow.staff == member).execute()
        for window in windows:
            StaffWindow.create(staff=member, window=window)
        after = {k: v for k, v in data.items() if k != "password_hash"}
        after["windows"] = sorted(w.number for w in windows)
        after["password_changed"] = "password_hash" in data
        audit.record(
            hall, actor, "staff_save", "staff", data["username"], before=before, after=after
        )
    return member


def window_ids_of(member: Staff) -> list[int]:
    return [link.window_id for link in member.window_links]

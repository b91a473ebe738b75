"""Printers are configured by the hall in the admin pages: validated, audited, admin only."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup
from support import sign_in as signed_in

from kiosk.models import AuditEntry, Printer, PrintJob

FORM = {
    "name": "3号窗口回执打印机",
    "role": "window:3",
    "kind": "network",
    "host": "192.168.1.53",
    "port": "9100",
    "dot_width": "576",
    "mode": "text",
    "enabled": "on",
}


def test_admin_adds_a_window_printer(client):
    token = signed_in(client, "admin")
    response = client.post("/admin/printers", data={"csrf_token": token, **FORM})
    assert response.status_code == 303
    printer = Printer.get(Printer.name == "3号窗口回执打印机")
    assert json.loads(printer.connection) == {
        "kind": "network",
        "host": "192.168.1.53",
        "port": 9100,
    }
    assert (printer.role, printer.mode, printer.enabled) == ("window:3", "text", True)
    assert AuditEntry.select().where(AuditEntry.action == "printer_save").count() == 1
    page = client.get("/admin/printers").data.decode()
    assert "3号窗口回执打印机" in page


def test_bad_printer_settings_say_what_is_wrong_and_change_nothing(client):
    token = signed_in(client, "admin")
    cases = [
        ({"host": "192.168.1.999"}, "host", "IP 地址或主机名不正确"),
        ({"port": "70000"}, "port", "端口应为 1 到 65535"),
        ({"role": "lobby"}, "role", "用途应为 kiosk"),
        ({"dot_width": "500"}, "dot_width", "纸宽点数应为 384"),
        ({"name": "取号机打印机"}, "name", "已有同名的打印机"),
    ]
    for change, field, text in cases:
        response = client.post("/admin/printers", data={"csrf_token": token, **FORM, **change})
        assert response.status_code == 200
        soup = BeautifulSoup(response.data, "html.parser")
        assert text in soup.select_one(f"#error-{field}").get_text()
    assert Printer.select().count() == 1


def test_test_page_is_queued_and_supervisor_cannot_configure(app, client):
    token = signed_in(client, "admin")
    printer = Printer.get()
    assert (
        client.post(f"/admin/printers/{printer.id}/test", data={"csrf_token": token}).status_code
        == 303
    )
    assert PrintJob.get().source_kind == "test"
    supervisor = app.test_client()
    super_token = signed_in(supervisor, "supervisor")
    assert supervisor.get("/admin/printers").status_code == 200  # may look
    assert (
        supervisor.post("/admin/printers", data={"csrf_token": super_token, **FORM}).status_code
        == 403
    )
    assert (
        supervisor.post(
            f"/admin/printers/{printer.id}/test", data={"csrf_token": super_token}
        ).status_code
        == 403
    )
    assert PrintJob.select().count() == 1


def test_file_printer_writes_only_inside_the_print_files_folder(app, client, tmp_path):
    """Issue 18: a `file` printer pointed at instance/secret_key and a test page overwrote it."""
    from kiosk import spool
    from kiosk.db import connection

    token = signed_in(client, "admin")
    instance = tmp_path / "instance"
    secret = instance / "secret_key"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("keep-me")
    folder = instance / "print-files"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "escape").symlink_to(secret)
    form = {**FORM, "kind": "file", "name": "文件打印机"}
    for path in (str(secret), str(folder / ".." / "secret_key"), str(folder / "escape"), "../x"):
        response = client.post(
            "/admin/printers", data={"csrf_token": token, **form, "device": path}
        )
        assert response.status_code == 200
        error = BeautifulSoup(response.data, "html.parser").select_one("#error-device")
        assert "文件打印机只能写入" in error.get_text()
    assert Printer.select().where(Printer.name == "文件打印机").count() == 0

    # A row written behind the form's back (older version, by hand) is refused by the spool.
    with connection():
        printer = Printer.create(
            hall=Printer.get().hall_id,
            name="旧文件打印机",
            connection=json.dumps({"kind": "file", "path": str(folder / "escape")}),
            mode="text",
        )
    client.post(f"/admin/printers/{printer.id}/test", data={"csrf_token": token})
    with connection():
        assert spool.process_next(printer.id) == "misconfigured"
    assert secret.read_text() == "keep-me"

    # Inside the folder it works, and the test page is written there.
    response = client.post(
        "/admin/printers", data={"csrf_token": token, **form, "device": "receipts.bin"}
    )
    assert response.status_code == 303
    with connection():
        good = Printer.get(Printer.name == "文件打印机")
    client.post(f"/admin/printers/{good.id}/test", data={"csrf_token": token})
    with connection():
        assert spool.process_next(good.id) == "printed"
    assert (folder / "receipts.bin").stat().st_size > 0
    assert secret.read_text() == "keep-me"


def test_reprinted_and_expired_slips_are_counted(client):
    from kiosk.spool import INTERRUPTED

    signed_in(client, "admin")
    printer = Printer.get(Printer.role == "kiosk")
    jobs = (("printed", INTERRUPTED, True), ("printed", "", False), ("expired", "", False))
    for status, error, interrupted in jobs:
        PrintJob.create(
            hall=printer.hall,
            printer=printer,
            document="{}",
            status=status,
            last_error=error,
            interrupted=interrupted,
        )
    # The mark is the column, not the text: a later hold's reason does not hide a 补打.
    PrintJob.create(
        hall=printer.hall,
        printer=printer,
        document="{}",
        status="printed",
        last_error="offline",
        interrupted=True,
    )
    soup = BeautifulSoup(client.get("/admin/printers").data, "html.parser")
    row = soup.select_one(f'tr[data-printer="{printer.name}"]')
    assert row.select_one(".reprinted").get_text() == "2"
    assert row.select_one(".expired").get_text() == "1"


def test_status_lines_come_from_the_server_not_from_the_address(client):
    """A link such as /admin/printers?message=… must not put its text on an official status line
    (issue 15): only what a view flashed is shown, once."""
    token = signed_in(client, "admin")
    forged = "打印机已停用，请拨打 13800000000 联系维修"
    page = client.get("/admin/printers", query_string={"message": forged}).data.decode()
    assert forged not in page
    response = client.post("/admin/printers", data={"csrf_token": token, **FORM})
    assert response.status_code == 303 and "message" not in response.headers["Location"]
    shown = BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")
    assert [p.get_text() for p in shown.select("p.flash-ok")] == ["打印机设置已保存"]
    again = BeautifulSoup(client.get("/admin/printers").data, "html.parser")
    assert again.select("p.flash-ok") == []  # shown once, not on every later visit

"""Connections, status and errors against a fake loopback printer that answers exactly what a
test wants (or nothing); the printers CLI; the benchmark; the emupos installer's fast path."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from fake_printer import FakePrinter
from PIL import Image

from printers import PrinterConfig, PrinterError, PrinterStatus, query_status, send, templates
from printers.__main__ import main as cli
from printers.bench import measure
from printers.printer import decode_status
from printers.render import render

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_printer():
    printers: list[FakePrinter] = []

    def make(replies: dict[int, int] | None) -> FakePrinter:
        printers.append(FakePrinter(replies))
        return printers[-1]

    yield make
    for printer in printers:
        printer.close()


def closed_port() -> int:
    from emupos_fixture import free_port

    return free_port()  # nothing listens there: connection refused


# DLE EOT replies: n=1 printer, n=2 offline cause, n=4 roll paper (bits 1 and 4 always set).
@pytest.mark.parametrize(
    "replies, state, label",
    [
        ({1: 0x12, 2: 0x12, 4: 0x12}, "ok", "正常"),
        ({1: 0x1A, 2: 0x32, 4: 0x7E}, "paper_out", "缺纸"),
        ({1: 0x1A, 2: 0x16, 4: 0x12}, "cover_open", "纸仓盖打开"),
        ({1: 0x12, 2: 0x12, 4: 0x1E}, "paper_low", "纸将用完"),
        ({1: 0x1A, 2: 0x12, 4: 0x12}, "offline", "离线"),
    ],
)
def test_status_from_dle_eot_replies(fake_printer, replies, state, label):
    printer = fake_printer(replies)
    status = query_status(PrinterConfig("取号机", printer.connection()))
    assert (status.state, status.label) == (state, label)
    assert status.can_print == (state in ("ok", "paper_low"))
    assert b"\x10\x04\x01" in printer.received


def test_no_reply_at_all_decodes_as_unknown():
    assert decode_status(None, None, None) == PrinterStatus("unknown", "no status reply")


def test_a_printer_that_never_answers_is_unknown_within_the_timeout(fake_printer):
    printer = fake_printer(None)
    config = PrinterConfig("窗口3", printer.connection(), timeout=1.0)
    started = time.monotonic()
    status = query_status(config)
    assert (status.state, status.can_print) == ("unknown", True)
    assert time.monotonic() - started < config.timeout + 1  # not python-escpos's 60 s


def test_nothing_listening_is_offline_and_send_names_the_printer():
    config = PrinterConfig(
        "取号机", {"kind": "network", "host": "127.0.0.1", "port": closed_port()}
    )
    status = query_status(config)
    assert (status.state, status.label) == ("offline", "离线")
    assert "127.0.0.1" in status.detail
    with pytest.raises(PrinterError) as raised:
        send(b"\x1b@", config)
    assert raised.value.printer == "取号机" and str(raised.value).startswith(
        "取号机: cannot connect"
    )


@pytest.mark.parametrize(
    "connection, message",
    [
        ({"kind": "network"}, "connection setting 'host' is missing"),
        ({"kind": "file", "path": "/nonexistent-dir/lp0"}, "cannot connect"),
        ({"kind": "usb", "vendor_id": "zz", "product_id": "1"}, "cannot connect"),
    ],
)
def test_library_and_os_errors_become_printer_errors(connection, message):
    with pytest.raises(PrinterError, match=f"^窗口3: {message}"):
        send(b"\x1b@", PrinterConfig("窗口3", connection))


@pytest.mark.parametrize(
    "settings",
    [
        {"connection": {"kind": "bluetooth"}},
        {"mode": "pdf"},
        {"dot_width": 500},
        {"timeout": 60},
        {"timeout": 0},
    ],
)
def test_config_is_checked(settings):
    with pytest.raises(ValueError):
        PrinterConfig("x", **settings)


def test_a_large_job_arrives_whole(fake_printer):
    printer = fake_printer({1: 0x12})
    data = bytes(range(256)) * 4096  # 1 MiB, written in chunks
    assert send(data, PrinterConfig("x", printer.connection())) == len(data)
    deadline = time.monotonic() + 10
    while len(printer.received) < len(data) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bytes(printer.received) == data


def test_send_renders_for_the_printers_mode(fake_printer):
    printer = fake_printer({1: 0x12})
    document = templates.test_page(printer_name="x", dot_width=384, mode="text")
    config = PrinterConfig("x", printer.connection(), dot_width=384, mode="text")
    send(document, config)
    deadline = time.monotonic() + 5
    while len(printer.received) < len(render(document, config)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bytes(printer.received) == render(document, config)


def test_bench_measures_both_modes(fake_printer):
    printer = fake_printer({1: 0x12})
    document = templates.test_page(printer_name="x", dot_width=576, mode="raster")
    result = measure(PrinterConfig("x", printer.connection()), document, repeats=2)
    assert set(result) == {"raster", "text"}
    assert result["raster"]["bytes"] > 10 * result["text"]["bytes"]
    assert all(value["render_ms"] > 0 and value["send_ms"] > 0 for value in result.values())
    expected = 2 * (result["raster"]["bytes"] + result["text"]["bytes"])
    deadline = time.monotonic() + 5
    while len(printer.received) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(printer.received) == expected


def test_cli_status_and_test_page(fake_printer, capsys):
    printer = fake_printer({1: 0x12, 2: 0x12, 4: 0x12})
    assert cli(["status", "--network", f"127.0.0.1:{printer.port}"]) == 0
    assert capsys.readouterr().out == "ok 正常\n"
    assert cli(["test-page", "--network", f"127.0.0.1:{printer.port}", "--mode", "text"]) == 0
    assert capsys.readouterr().out.startswith("sent ")
    assert cli(["status", "--network", f"127.0.0.1:{closed_port()}"]) == 1
    assert capsys.readouterr().out.startswith("offline 离线")


def test_cli_preview(tmp_path, capsys):
    out = tmp_path / "page.png"
    assert cli(["preview", "--width", "384", "--out", str(out)]) == 0
    with Image.open(out) as page:
        assert page.width == 384


def test_emupos_env_fast_path_needs_no_subprocess(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import emupos_env

    venv = tmp_path / ".venv-emupos"
    exe = emupos_env.emupos_executable(venv)
    exe.parent.mkdir(parents=True)
    exe.write_text("")
    (venv / f".emupos-{emupos_env.EMUPOS_VERSION}").write_text(emupos_env.EMUPOS_VERSION)

    def no_subprocess(*args, **kwargs):
        raise AssertionError("an installed emupos must not be installed again")

    monkeypatch.setattr(emupos_env.subprocess, "run", no_subprocess)
    assert emupos_env.ensure_emupos(tmp_path) == exe


def test_emupos_env_says_what_to_install(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import emupos_env

    monkeypatch.setenv("EMUPOS_PYTHON", str(tmp_path / "nothing"))
    monkeypatch.setattr(emupos_env.shutil, "which", lambda name: None)
    monkeypatch.setattr(emupos_env.Path, "home", classmethod(lambda cls: tmp_path))
    with pytest.raises(emupos_env.EmuposSetupError, match="needs Python 3.13.*pyenv install"):
        emupos_env.ensure_emupos(tmp_path)

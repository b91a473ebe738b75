#!/usr/bin/env python3
"""Run the hall for real: start the server at boot and restart it if it dies, back the database
up every day, and open the kiosk and hall-board browsers full screen when their PCs start.

    python3 scripts/service.py install [--hall CODE] [--db URL] [--port 8000] [--user hall]
    python3 scripts/service.py uninstall
    python3 scripts/service.py browser --url http://192.168.1.10:8000/ [--board]
    python3 scripts/service.py files --output DIR      # write every file, install nothing

Linux (systemd): `install` writes /etc/systemd/system/hall.service (Restart=always), and
hall-backup.service + hall-backup.timer (daily 21:00, catch-up after a power cut), then enables
them (run as root: `sudo python3 scripts/service.py install --user hall`). Windows: `install`
registers two scheduled tasks with schtasks (run in an administrator prompt): "HallServer"
at system start (a small .cmd loop that restarts the server 5 s after it stops) and
"HallBackup" every day at 21:00.

`browser` is run on the kiosk or board PC itself (as the user who is signed in there): Linux
writes ~/.config/autostart/hall-kiosk.desktop (or hall-board.desktop) starting Chromium in
kiosk mode; Windows writes a .cmd into the user's Startup folder starting Edge in kiosk mode.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
UNIT = "hall"
BACKUP_TIME = "21:00"


def venv_python(root: Path = ROOT) -> Path:
    if os.name == "nt":
        return root / ".venv" / "Scripts" / "python.exe"
    return root / ".venv" / "bin" / "python"


def server_command(args: argparse.Namespace, root: Path = ROOT) -> list[str]:
    """The command line of the server, as the service starts it."""
    command = [str(venv_python(root)), str(root / "scripts" / "run.py"), "--port", str(args.port)]
    if args.host:
        command += ["--host", args.host]
    if args.hall:
        command += ["--hall", args.hall]
    if args.db:
        command += ["--db", args.db]
    return command


def backup_command(args: argparse.Namespace, root: Path = ROOT) -> list[str]:
    command = [str(venv_python(root)), str(root / "scripts" / "backup.py")]
    if args.db:
        command += ["--db", args.db]
    return command


def _systemd_quote(word: str) -> str:
    if word and all(c.isalnum() or c in "/._-:=@+," for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(args: argparse.Namespace, root: Path = ROOT) -> dict[str, str]:
    user = args.user or getpass.getuser()
    exec_start = " ".join(_systemd_quote(w) for w in server_command(args, root))
    backup = " ".join(_systemd_quote(w) for w in backup_command(args, root))
    return {
        f"{UNIT}.service": f"""[Unit]
Description=Community service hall server (便民服务大厅)
Documentation=file://{root}/README.md
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
User={user}
WorkingDirectory={root}
Environment=PYTHONUNBUFFERED=1
ExecStart={exec_start}
# run.py stops cleanly on Ctrl+C (finishes the print spool), so stop it the same way.
KillSignal=SIGINT
TimeoutStopSec=20
Restart=always
RestartSec=3

[Install]
WantedBy=multi-user.target
""",
        f"{UNIT}-backup.service": f"""[Unit]
Description=Daily backup of the hall server's database
After={UNIT}.service

[Service]
Type=oneshot
User={user}
WorkingDirectory={root}
ExecStart={backup}
""",
        f"{UNIT}-backup.timer": f"""[Unit]
Description=Back the hall database up every day at {BACKUP_TIME}

[Timer]
OnCalendar=*-*-* {BACKUP_TIME}:00
Persistent=true

[Install]
WantedBy=timers.target
""",
    }


def windows_files(args: argparse.Namespace, root: Path = ROOT) -> dict[str, str]:
    def cmdline(words: list[str]) -> str:
        return " ".join(f'"{w}"' if " " in w else w for w in words)

    loop = (
        "@echo off\r\n"
        "rem Started at boot by the scheduled task HallServer: restarts the hall server\r\n"
        "rem 5 seconds after it stops for any reason.\r\n"
        f'cd /d "{root}"\r\n'
        ":loop\r\n"
        f'{cmdline(server_command(args, root))} >> "{root / "instance" / "server.log"}" 2>&1\r\n'
        "timeout /t 5 /nobreak >nul\r\n"
        "goto loop\r\n"
    )
    loop_path = root / "instance" / "hall-server.cmd"

    def task(description: str, trigger: str, command: str, arguments: str) -> str:
        return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Description>{escape(description)}</Description></RegistrationInfo>
  <Triggers>{trigger}</Triggers>
  <Principals>
    <Principal id="Author"><UserId>S-1-5-18</UserId>
      <RunLevel>HighestAvailable</RunLevel></Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>
  </Settings>
  <Actions Context="Author"><Exec>
    <Command>{escape(command)}</Command>
    <Arguments>{escape(arguments)}</Arguments>
    <WorkingDirectory>{escape(str(root))}</WorkingDirectory>
  </Exec></Actions>
</Task>
"""

    backup = backup_command(args, root)
    return {
        "hall-server.cmd": loop,
        "HallServer.xml": task(
            "Community service hall server: started at boot, restarted when it stops",
            "<BootTrigger><Enabled>true</Enabled></BootTrigger>",
            "cmd.exe",
            f'/c "{loop_path}"',
        ),
        "HallBackup.xml": task(
            "Daily backup of the hall database",
            f"<CalendarTrigger><StartBoundary>2026-01-01T{BACKUP_TIME}:00</StartBoundary>"
            "<ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger>",
            backup[0],
            cmdline(backup[1:]),
        ),
    }


def browser_command(url: str, board: bool, windows: bool) -> list[str]:
    if windows:
        command = [
            r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
            "--kiosk",
            url,
            "--edge-kiosk-type=fullscreen",
            "--no-first-run",
        ]
    else:
        command = [
            "chromium",
            "--kiosk",
            "--noerrdialogs",
            "--disable-pinch",
            "--overscroll-history-navigation=0",
            "--no-first-run",
            "--disable-session-crashed-bubble",
        ]
        command.append(url)
    if board:
        command.insert(1, "--autoplay-policy=no-user-gesture-required")
    return command


def browser_files(url: str, board: bool) -> dict[str, str]:
    name = "hall-board" if board else "hall-kiosk"
    label = "大厅显示屏" if board else "取号机"
    linux = " ".join(_systemd_quote(w) for w in browser_command(url, board, windows=False))
    windows = " ".join(
        f'"{w}"' if " " in w else w for w in browser_command(url, board, windows=True)
    )
    return {
        f"{name}.desktop": f"""[Desktop Entry]
Type=Application
Name={label} ({name})
Comment=Opens the hall server full screen when this PC starts
Exec={linux}
X-GNOME-Autostart-enabled=true
X-GNOME-Autostart-Delay=10
""",
        f"{name}.cmd": (
            "@echo off\r\n"
            "rem Waits for the network, then opens the hall page full screen.\r\n"
            "timeout /t 15 /nobreak >nul\r\n"
            f'start "" {windows}\r\n'
        ),
    }


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        encoding = "utf-16" if name.endswith(".xml") else "utf-8"
        path.write_text(text, encoding=encoding, newline="")
        written.append(path)
    return written


def run(command: list[str]) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.check_call(command)


def install(args: argparse.Namespace) -> int:
    if os.name == "nt":
        folder = ROOT / "instance"
        files = windows_files(args)
        write(folder, {"hall-server.cmd": files["hall-server.cmd"]})
        write(folder, {k: v for k, v in files.items() if k.endswith(".xml")})
        for task in ("HallServer", "HallBackup"):
            run(["schtasks", "/Create", "/F", "/TN", task, "/XML", str(folder / f"{task}.xml")])
        run(["schtasks", "/Run", "/TN", "HallServer"])
        print("Installed: the server starts at boot; backups run daily at", BACKUP_TIME)
        return 0
    if not shutil.which("systemctl"):
        print("systemd not found: use `files --output DIR` and set it up by hand.")
        return 2
    folder = Path(args.unit_dir)
    for path in write(folder, systemd_units(args)):
        print("wrote", path)
    run(["systemctl", "daemon-reload"])
    run(["systemctl", "enable", "--now", f"{UNIT}.service", f"{UNIT}-backup.timer"])
    print(f"Installed. Status: systemctl status {UNIT}; log: journalctl -u {UNIT} -f")
    return 0


def uninstall(args: argparse.Namespace) -> int:
    if os.name == "nt":
        for task in ("HallServer", "HallBackup"):
            subprocess.call(["schtasks", "/Delete", "/F", "/TN", task])
        return 0
    subprocess.call(["systemctl", "disable", "--now", f"{UNIT}.service", f"{UNIT}-backup.timer"])
    for name in systemd_units(args):
        (Path(args.unit_dir) / name).unlink(missing_ok=True)
    subprocess.call(["systemctl", "daemon-reload"])
    return 0


def browser(args: argparse.Namespace) -> int:
    files = browser_files(args.url, args.board)
    if os.name == "nt":
        startup = Path(os.environ["APPDATA"]) / "Microsoft/Windows/Start Menu/Programs/Startup"
        paths = write(startup, {k: v for k, v in files.items() if k.endswith(".cmd")})
    else:
        autostart = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "autostart"
        paths = write(autostart, {k: v for k, v in files.items() if k.endswith(".desktop")})
    for path in paths:
        print("wrote", path)
    return 0


def files(args: argparse.Namespace) -> int:
    folder = Path(args.output)
    written = write(folder, systemd_units(args))
    written += write(folder, windows_files(args))
    url = args.url or f"http://127.0.0.1:{args.port}/"
    written += write(folder, browser_files(url, board=False))
    written += write(folder, browser_files(url.rstrip("/") + "/display", board=True))
    for path in written:
        print("wrote", path)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("install", "uninstall", "files"):
        sub = commands.add_parser(name)
        sub.add_argument("--hall", help="hall code (run.py --hall)")
        sub.add_argument("--db", help="database URL (default: the server's own configuration)")
        sub.add_argument("--host", help="listen address (default: all)")
        sub.add_argument("--port", type=int, default=8000)
        sub.add_argument("--user", help="Linux user the server runs as (default: you)")
        sub.add_argument("--unit-dir", default="/etc/systemd/system")
        if name == "files":
            sub.add_argument("--output", required=True)
            sub.add_argument("--url", help="address for the browser files")
    sub = commands.add_parser("browser")
    sub.add_argument("--url", required=True, help="e.g. http://192.168.1.10:8000/")
    sub.add_argument("--board", action="store_true", help="hall board (plays sound)")
    args = parser.parse_args(argv)
    return {"install": install, "uninstall": uninstall, "browser": browser, "files": files}[
        args.command
    ](args)


if __name__ == "__main__":
    raise SystemExit(main())

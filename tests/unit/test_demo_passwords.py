"""Demo passwords (issue 18): shown once to the person at the terminal, never through
logging or into a redirected stdout (a service's log file)."""

from __future__ import annotations

import io
import logging
import stat

from kiosk.demo import announce_passwords

PASSWORDS = {"admin": "s3cret-admin-pw", "wang": "s3cret-wang-pw"}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_passwords_once(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    terminal = Terminal()
    announce_passwords(PASSWORDS, terminal, tmp_path)
    assert terminal.getvalue().count("s3cret-admin-pw") == 1
    assert "s3cret" not in caplog.text
    assert not (tmp_path / "first-passwords.txt").exists()


def test_a_redirected_stdout_gets_only_a_private_file(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    log_file = io.StringIO()  # what a service manager writes to its log
    announce_passwords(PASSWORDS, log_file, tmp_path)
    assert "s3cret" not in log_file.getvalue() and "s3cret" not in caplog.text
    written = tmp_path / "first-passwords.txt"
    assert "s3cret-wang-pw" in written.read_text(encoding="utf-8")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert str(written) in log_file.getvalue()

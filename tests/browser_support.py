"""What browser tests share besides fixtures (importable by name: tests/ is on the path, while
several folders have a module called conftest)."""

from __future__ import annotations

import threading
from pathlib import Path

from waitress import create_server

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "tests" / "output" / "screenshots"


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = create_server(app, host="127.0.0.1", port=0, threads=8, ident="hall-test")
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        # waitress's own run() loops until its sockets are closed under it, and closing them
        # from another thread while it sits in select() raises EBADF in this thread (seen once in
        # CI). So loop one round at a time and let stop() close the sockets after we have left.
        server = self.server
        while not self._stopping.is_set():
            server.asyncore.loop(
                timeout=0.1, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
            )

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.thread.join(timeout=5)
        if self.thread.is_alive():
            raise RuntimeError("the test server's loop did not stop within 5 s")
        self.server.task_dispatcher.shutdown()
        for channel in list(self.server._map.values()):
            channel.close()


def sign_in_page(page, base_url: str, username: str) -> None:
    """Sign `username` in on the login page of the Playwright `page` (no window taken)."""
    from support import staff_password

    page.goto(base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", staff_password(username))
    page.click("button[type=submit]")
    page.wait_for_load_state()

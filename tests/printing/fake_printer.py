"""A fake network printer on loopback for tests that need exact status replies or a silent
printer: it records what it receives and answers DLE EOT n with the byte it is given (or
nothing)."""

from __future__ import annotations

import socket
import threading

DLE_EOT = b"\x10\x04"


class FakePrinter:
    def __init__(self, replies: dict[int, int] | None = None):
        self.replies = replies  # None: a printer that never answers status requests
        self.received = bytearray()
        self.connections = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def connection(self) -> dict:
        return {"kind": "network", "host": "127.0.0.1", "port": self.port}

    def _serve(self) -> None:
        while True:
            try:
                conn, _address = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            with self._lock:
                self.connections += 1
            pending = b""
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                with self._lock:
                    self.received += data
                pending += data
                while (at := pending.find(DLE_EOT)) >= 0 and len(pending) > at + 2:
                    n = pending[at + 2]
                    pending = pending[at + 3 :]
                    if self.replies is not None and n in self.replies:
                        conn.sendall(bytes([self.replies[n]]))
                pending = pending[-2:]

    def close(self) -> None:
        self._server.close()

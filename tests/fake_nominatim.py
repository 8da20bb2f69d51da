"""A fake Nominatim HTTP server on a free local port, for tests of the online geocoder.

``serve()`` yields a FakeNominatim whose ``respond(handler)`` writes each answer (``reply`` helps);
``requests`` records the request paths. Nothing but 127.0.0.1 is ever contacted.
"""
from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class FakeNominatim:
    """What the fake server answers (``respond`` writes the reply) and the requests it received."""

    respond: Callable[[http.server.BaseHTTPRequestHandler], None]
    requests: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    @property
    def domain(self) -> str:
        """``host:port`` as geopy's Nominatim ``domain`` (with ``scheme="http"``)."""
        return f"127.0.0.1:{self.port}"


def reply(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    """Answer with ``status`` and ``body``; ``Retry_After="120"`` becomes the header ``Retry-After: 120``."""
    handler.send_response(status)
    handler.send_header("Content-Type", headers.pop("content_type", "application/json; charset=utf-8"))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def serve() -> Iterator[FakeNominatim]:
    """Run a fake Nominatim until the block ends (it answers ``[]`` until told otherwise)."""
    state = FakeNominatim(respond=lambda h: reply(h, 200, b"[]"))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            state.requests.append(self.path)
            try:
                state.respond(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should

        def log_message(self, *args) -> None:  # keep the test output (and any query) quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()  # release slow handlers
        server.shutdown()
        server.server_close()

"""A local XYZ tile server for the browser tests: street-map-like PNG tiles, no internet.

``FakeTiles`` runs on a free port in a thread; ``url`` is the template for ``KOPER_MAP_TILES``;
``requests`` lists the paths asked for; set ``failing = True`` and every tile answers 503 (a
tile server that cannot be reached, as far as the map can tell).
"""
from __future__ import annotations

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TILE_SIZE = 256


def _png(width: int, height: int, pixel) -> bytes:
    """An RGB PNG of ``pixel(x, y) -> (r, g, b)`` (no imaging library needed)."""
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def street_tile() -> bytes:
    """A light tile crossed by white 'streets' with grey edges, so a screenshot shows a street background."""
    def pixel(x: int, y: int) -> tuple[int, int, int]:
        for p in (x, y, (x + y) // 2):
            d = p % 64
            if d < 5:
                return (255, 255, 255)
            if d < 7:
                return (190, 190, 190)
        return (236, 229, 214)

    return _png(TILE_SIZE, TILE_SIZE, pixel)


class FakeTiles:
    """``with FakeTiles() as tiles: ... tiles.url ...``"""

    def __init__(self):
        self.requests: list[str] = []
        self.failing = False
        self._tile = street_tile()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server name
                owner.requests.append(self.path)
                if owner.failing or not self.path.endswith(".png"):
                    self.send_response(503 if owner.failing else 404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(owner._tile)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(owner._tile)
                except (BrokenPipeError, ConnectionResetError):  # the map moved on and dropped the tile
                    pass

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeTiles":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

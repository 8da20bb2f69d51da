"""Helpers for the browser tests: a real Streamlit server and headless Debian Chromium.

The server runs on a free port and is polled on /_stcore/health (no fixed sleeps);
every request that would leave localhost is blocked and recorded.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = settings.PROJECT_DIR / "test-artifacts"
#: A map frame: streamlit-folium names its frames after itself until the page's script
#: (ui.common.mark_document) gives each a title in the page language and marks it.
MAP_FRAME = 'iframe[data-koper-map-frame], iframe[title="streamlit_folium.st_folium"]'


def require_browser() -> None:
    """Skip without Chromium locally; in CI a missing browser is a failure."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, log: Path, *, timeout_s: float = 60.0, launcher: list[str] | None = None,
                   extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None, script: str = "app.py",
                   cwd: Path | None = None):
    """Run ``script`` (the app, by default) on a free port until the block ends; yields (base URL, server process).

    ``launcher`` replaces ``-m streamlit`` (e.g. a script that patches something first); the
    server is polled on /_stcore/health, never waited for with fixed sleeps.
    """
    port = free_port()
    # No street tiles from the internet (tests/fake_tiles.py serves them locally where a test wants them).
    environment = {**os.environ, settings.DATA_DIR_ENV: str(data_dir), settings.ONLINE_GEOCODING_ENV: "0",
                   settings.TILES_ENV: "off", "PYTHONUNBUFFERED": "1", **(env or {})}
    if settings.FIRST_PAINT_WAIT_ENV not in (env or {}):  # a real server waits for the drawn map, as deployed
        environment.pop(settings.FIRST_PAINT_WAIT_ENV, None)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, *(launcher or ["-m", "streamlit"]), "run", script, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", *extra_args],
            cwd=cwd or settings.PROJECT_DIR, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as reply:
                        if reply.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not become healthy; see {log}")
                time.sleep(0.2)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def streamlit_server(data_dir: Path, timeout_s: float = 60.0):
    """The app on a free port for a test, on ``data_dir``, never asking Nominatim; yields the base URL."""
    with running_server(data_dir, ARTIFACTS / f"streamlit-{os.getpid()}-{free_port()}.log", timeout_s=timeout_s) as (base, _proc):
        yield base


def is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost", "::1")

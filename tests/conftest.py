"""Shared fixtures: a temporary data directory the code under test is pointed at."""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from streamlit import config as st_config

from geo import settings

REPO_DATA = settings.PROJECT_DIR / "data"

# .streamlit/config.toml hides error details for a public deployment (showErrorDetails = "none");
# tests want the real message of any exception: in AppTest (this process) and in the servers they
# start (`streamlit run` reads STREAMLIT_* variables; a test can pass "none" to its own server).
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")
st_config.set_option("client.showErrorDetails", "full")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of data/ in a temp dir, with KOPER_MAP_DATA_DIR pointing at it."""
    target = tmp_path / "data"
    shutil.copytree(REPO_DATA, target)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(target))
    return target


@pytest.fixture(autouse=True)
def _no_online_geocoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the network: the app's address search stays on the offline register."""
    monkeypatch.setenv(settings.ONLINE_GEOCODING_ENV, "0")


@pytest.fixture(autouse=True)
def _first_paint_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest has no browser to draw the map: a new visitor's first run sends the rest at once
    (ui/first_paint.py; the servers of the browser tests wait as deployed: tests/browser_support.py)."""
    monkeypatch.setenv(settings.FIRST_PAINT_WAIT_ENV, "0")


@pytest.fixture(autouse=True)
def _page_errors_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unexpected page errors raise in tests (AppTest's ``app.exception``), not the public plain message."""
    monkeypatch.setenv(settings.RAISE_ERRORS_ENV, "1")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if the test opens a connection or resolves a name (not for tests that run servers)."""
    def refuse(*args, **kwargs):
        raise RuntimeError("a test tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser), one per module."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser

    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

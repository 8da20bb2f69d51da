"""A typed address on the nearest page in a real browser, the app's online geocoder pointed at a fake.

The server is started through tests/launch_with_fake_nominatim.py, so its one Nominatim client asks
a local fake server (slow, or HTTP 429 with Retry-After: 120) and never the internet; the browser's
own requests off localhost are blocked. The page says, in its language, that the address will be
sent before anything is sent, and a citizen has the register's answer back quickly when the
service misbehaves (the 5 s bound of the lookup itself: tests/test_nominatim_server.py).
"""
from __future__ import annotations

import shutil
import time

import pytest

import fake_nominatim
from browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, free_port, is_local, require_browser, running_server
from geo import i18n, settings

pytestmark = pytest.mark.browser

LANG = "sl"
TYPED = "Mladinska ulica 3, 6000 Koper"
SLOW_SECONDS = 30.0
#: The lookup gives up after 4 s; Streamlit's rerun and drawing the answer add the rest.
PAGE_ANSWER_LIMIT = 8.0


@pytest.fixture(scope="module")
def fake():
    with fake_nominatim.serve() as state:
        yield state


@pytest.fixture(scope="module")
def server(tmp_path_factory, fake):
    data = tmp_path_factory.mktemp("address") / "data"
    shutil.copytree(settings.PROJECT_DIR / "data", data)
    launcher = [str(settings.PROJECT_DIR / "tests" / "launch_with_fake_nominatim.py")]
    env = {settings.ONLINE_GEOCODING_ENV: "1", "FAKE_NOMINATIM": fake.domain}
    with running_server(data, ARTIFACTS / f"streamlit-address-{free_port()}.log", launcher=launcher, env=env) as (base, _):
        yield base


@pytest.fixture(scope="module")
def page_factory():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        blocked: list[str] = []

        def new_page():
            context = chromium.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_() if is_local(route.request.url)
                       else (blocked.append(route.request.url), route.abort()))
            return page

        yield new_page, blocked
        chromium.close()


def _ask(page, base: str) -> float:
    """Open the nearest page, choose the address, type it, press Find; seconds until the answer shows."""
    page.goto(f"{base}/nearest?lang={LANG}")
    page.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
    page.get_by_text(i18n.t("nearest.method.address", LANG), exact=True).click()
    page.get_by_text(i18n.t("address.online_notice", LANG)).wait_for(timeout=30_000)
    page.get_by_label(i18n.t("nearest.address", LANG)).fill(TYPED)
    started = time.monotonic()
    page.get_by_role("button", name=i18n.t("nearest.find", LANG)).click()
    page.get_by_text("Mladinska ulica, Koper", exact=False).first.wait_for(timeout=60_000)
    return time.monotonic() - started


def test_told_before_sending_and_answered_quickly_by_a_slow_service_then_a_pause(server, fake, page_factory):
    new_page, blocked = page_factory
    fake.requests.clear()

    def slow(handler):
        fake.stop.wait(SLOW_SECONDS)
        fake_nominatim.reply(handler, 200, b"[]")

    fake.respond = slow
    page = new_page()
    seconds = _ask(page, server)
    assert seconds < PAGE_ANSWER_LIMIT
    assert len(fake.requests) == 1  # one request, no retry
    reason = i18n.t("geocode.failure.timeout", LANG)
    assert page.get_by_text(reason, exact=False).first.is_visible()  # said in Slovene
    assert "Mladinska" not in page.url
    # The service timed out, so it is left alone: the next citizen is answered without asking it.
    again = _ask(new_page(), server)
    assert again < PAGE_ANSWER_LIMIT and len(fake.requests) == 1
    assert blocked == []

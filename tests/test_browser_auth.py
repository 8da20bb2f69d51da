"""Staff sign-in for real: a local OpenID Connect provider, a Streamlit server, headless Chromium.

The test starts ``oidc-provider-mock`` on a free port, writes a temporary secrets.toml pointing
Streamlit's ``st.login`` at it (``--secrets.files``), starts the app, and signs in through the
provider's login form: signed out nothing of the staff page is there (not even on the server's
first request, which Streamlit would run as the bare page script), a staff account reaches it,
another account is refused. Requests off localhost are blocked as in tests/test_browser.py.
"""
from __future__ import annotations

import contextlib

import re
import shutil

import pytest

from browser_support import ARTIFACTS, free_port, is_local, running_server
from geo import i18n, settings

pytestmark = pytest.mark.browser

STAFF = "Osebje@Koper.si"          # on the list in another case: the comparison ignores case
OTHER = "nekdo@example.org"
UPLOADER = '[data-testid="stFileUploader"]'


@pytest.fixture(scope="module")
def oidc_provider():
    """A local OpenID Connect provider (any client id/secret; the login form asks for the subject)."""
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@contextlib.contextmanager
def signed_in_app(folder, provider_url: str, staff_email: str, name: str):
    """(base URL, data directory) of a server on a copy of data/ with sign-in through ``provider_url``."""
    data = folder / "data"
    shutil.copytree(settings.PROJECT_DIR / "data", data)
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{name}-test-cookie-secret-that-is-long-enough-0123456789"\n'
        'client_id = "koper-map"\n'
        'client_secret = "koper-map-secret"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n'
        "[staff]\n"
        f'emails = ["{staff_email}"]\n',
        encoding="utf-8",
    )
    log = ARTIFACTS / f"streamlit-{name}-{free_port()}.log"
    with running_server(data, log, extra_args=("--secrets.files", str(secrets)),
                        env={settings.STAFF_ENV: ""}) as (base, _proc):
        yield base, data


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, oidc_provider):
    """The app with sign-in configured; the first request it gets is the test's."""
    with signed_in_app(tmp_path_factory.mktemp("auth"), oidc_provider, "osebje@koper.si", "auth") as (base, _data):
        yield base


class Session:
    """One browser context (its own cookies); requests off localhost are aborted and remembered."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.page.route("**/*", self._route)

    def _route(self, route):
        if is_local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url: str) -> str:
        """Go to ``url``; returns the first heading once the page has drawn it."""
        self.page.goto(url)
        heading = self.page.get_by_role("heading", level=1).first
        heading.wait_for(timeout=60_000)
        self.page.wait_for_timeout(500)  # let the run finish drawing (sidebar, navigation)
        return heading.inner_text()

    def sign_in(self, base: str, email: str) -> None:
        """Press "Sign in (staff)", fill the provider's form, and come back signed in."""
        self.open(f"{base}/?lang=en")
        self.page.get_by_role("button", name=i18n.t("auth.sign_in", "en")).click()
        self.page.get_by_placeholder("sub").fill(email)
        self.page.get_by_role("button", name="Authorize").click()
        self.blocked.clear()  # the provider's own test form asks a CDN for a stylesheet; not the app
        self.page.wait_for_url(f"{base}/**", timeout=60_000)
        # Streamlit brings the browser back to the start page ("/", no ?lang=), still in English: the
        # page's language cookie (ui/common.py) survives the round trip through the provider (issue 12).
        self.page.get_by_role("button", name=i18n.t("auth.sign_out", "en")).wait_for(timeout=60_000)
        assert "lang=en" in self.page.url
        self.open(f"{base}/?lang=en")
        self.page.get_by_role("button", name=i18n.t("auth.sign_out", "en")).wait_for(timeout=60_000)

    def sees_nothing_of_the_staff_page(self) -> None:
        page = self.page
        assert page.get_by_role("heading", level=1).first.inner_text() != i18n.t("page.upkeep", "en")
        assert page.locator(UPLOADER).count() == 0
        assert page.get_by_text(i18n.t("upkeep.intro", "en")).count() == 0
        assert page.get_by_role("link", name=i18n.t("page.upkeep", "en")).count() == 0

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser):
    opened: list[Session] = []

    def make() -> Session:
        opened.append(Session(browser))
        return opened[-1]

    yield make
    for s in opened:
        s.close()


def test_signed_out_there_is_no_staff_page_not_even_on_the_first_request(session, app_server):
    s = session()
    # The fresh server's first request goes straight to the staff page's address.
    assert s.open(f"{app_server}/upkeep?lang=en") == i18n.t("page.map", "en")
    s.sees_nothing_of_the_staff_page()
    s.page.screenshot(path=str(ARTIFACTS / "auth-signed-out.png"))
    s.page.get_by_role("button", name=i18n.t("auth.sign_in", "en")).wait_for(timeout=30_000)
    s.open(f"{app_server}/upkeep?lang=en")
    s.sees_nothing_of_the_staff_page()
    assert not s.blocked


def test_a_staff_account_signs_in_and_reaches_the_staff_page(session, app_server):
    s = session()
    s.sign_in(app_server, STAFF)
    assert s.page.get_by_text(i18n.t("auth.signed_in_as", "en", email="osebje@koper.si")).is_visible()
    from playwright.sync_api import expect

    s.page.get_by_role("link", name=i18n.t("page.upkeep", "en")).click()
    # A navigation link carries no ?lang=; the page still opens in English (the session's language).
    expect(s.page.get_by_role("heading", level=1).first).to_have_text(i18n.t("page.upkeep", "en"), timeout=60_000)
    assert s.open(f"{app_server}/upkeep?lang=en") == i18n.t("page.upkeep", "en")  # the address works too
    s.page.locator(UPLOADER).first.wait_for(state="attached", timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    s.page.screenshot(path=str(ARTIFACTS / "auth-staff-upkeep.png"))
    # Signing out takes the page away again.
    s.page.get_by_role("button", name=i18n.t("auth.sign_out", "en")).click()
    # Streamlit clears its cookie and sends the browser to the provider's end-session page.
    s.page.get_by_role("button", name="End session").click()
    s.page.wait_for_url(f"{app_server}/**", timeout=60_000)
    s.blocked.clear()  # the provider's page's stylesheet, as at sign-in
    s.open(f"{app_server}/upkeep?lang=en")
    s.page.get_by_role("button", name=i18n.t("auth.sign_in", "en")).wait_for(timeout=60_000)
    s.sees_nothing_of_the_staff_page()
    assert not s.blocked


def test_another_account_is_refused(session, app_server):
    s = session()
    s.sign_in(app_server, OTHER)
    refused = i18n.t("auth.not_staff", "en", email=OTHER)
    s.page.get_by_text(refused).wait_for(timeout=30_000)
    s.sees_nothing_of_the_staff_page()
    s.open(f"{app_server}/upkeep?lang=en")
    s.sees_nothing_of_the_staff_page()
    assert s.page.get_by_text(refused).is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    s.page.screenshot(path=str(ARTIFACTS / "auth-refused.png"))
    assert not s.blocked

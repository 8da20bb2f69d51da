"""The staff page in a real browser: a signed-in member of staff changes the directory and the change
is in the log under their identity (issue 10, "Done when").

Reuses the sign-in machinery of tests/test_browser_auth.py (the local OpenID Connect provider,
Chromium, one browser context per session); this module's server has its own data directory so
the test can read the change log it writes.
"""
from __future__ import annotations

import json

import pytest

from browser_support import ARTIFACTS
from geo import hours, i18n, settings
from test_browser_auth import Session, oidc_provider, signed_in_app  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.browser

STAFF = "osebje@koper.si"


@pytest.fixture(scope="module")
def upkeep_server(tmp_path_factory, oidc_provider):  # noqa: F811 - the imported fixture
    """(base URL, data directory) of an app with sign-in configured and STAFF on the staff list."""
    with signed_in_app(tmp_path_factory.mktemp("upkeep"), oidc_provider, STAFF, "upkeep") as server:
        yield server


def test_a_staff_change_is_logged_with_the_signed_in_identity(browser, upkeep_server):  # noqa: F811
    base, data = upkeep_server
    s = Session(browser)
    try:
        s.sign_in(base, STAFF)
        assert s.open(f"{base}/upkeep?lang=en") == i18n.t("page.upkeep", "en")
        page = s.page
        page.get_by_role("tab", name=i18n.t("upkeep.tab.verify", "en")).click()
        page.locator('[data-testid="stMultiSelect"]').first.click()
        page.keyboard.type("Čajanke")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        today = hours.local_now().date()
        page.get_by_role("button", name=i18n.t("upkeep.verify", "en", date=i18n.format_day(today, "en"))).click()
        page.get_by_text("Saved to services.csv").wait_for(timeout=60_000)
        [line] = [json.loads(x) for x in (data / settings.CHANGE_LOG_FILE).read_text(encoding="utf-8").splitlines()]
        assert (line["actor"], line["action"], line["record"], line["field"], line["new"]) == (
            STAFF, "verified", "cajanke", "last_verified", today.isoformat())
        assert line["when"].startswith(today.isoformat()) and line["when"][-6:] in ("+01:00", "+02:00")
        page.get_by_role("tab", name=i18n.t("upkeep.tab.history", "en")).click()
        page.get_by_text(i18n.t("upkeep.log_count", "en", shown=1, n=1)).wait_for(timeout=60_000)
        page.get_by_role("button", name=i18n.t("upkeep.log_download", "en")).wait_for(timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "upkeep-history.png"))
        assert not s.blocked
    finally:
        s.close()

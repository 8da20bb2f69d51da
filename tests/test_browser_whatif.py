"""The what-if page in a real browser, offline: a scenario link draws the map with the place and reopens after a reload."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from geo import i18n, scenario
from test_browser import server, visit  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

MAREZIGE = scenario.Place(45.509027, 13.796061, "day_activities", ("older",), "Mo-Fr 08:00-16:00", origin="s10101883")


def test_a_scenario_link_draws_its_place_and_reopens(visit, server):  # noqa: F811
    v = visit()
    page = v.open(f"{server}/whatif?lang=en&wi={quote(scenario.encode([MAREZIGE]))}")
    page.get_by_text(i18n.t("whatif.compare", "en")).wait_for(timeout=120_000)
    assert page.get_by_text("Marezige").count() >= 1
    frame = v.map_frame()
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    assert frame.locator("path.leaflet-interactive").count() >= 24  # 23 areas + the hypothetical place's circle
    # The link the page writes holds the scenario and its comparison; a reload reopens both.
    page.wait_for_url(lambda url: "cat=day_activities" in url and "wi=" in url, timeout=60_000)
    page.reload()
    page.get_by_text(i18n.t("whatif.compare", "en")).wait_for(timeout=120_000)
    newly = i18n.TABLES["en"]["whatif.newly_within"]["other"].replace("**", "")  # the headline, any count
    pattern = re.escape(newly).replace(re.escape("{n}"), r"[1-9][\d,]*").replace(re.escape("{km}"), "5")
    assert page.get_by_text(re.compile(pattern)).count() == 1
    assert v.blocked == [], f"requests left localhost: {v.blocked[:5]}"
    assert v.errors == []
    v.screenshot("whatif-marezige")

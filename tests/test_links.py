"""Hostile link parameters never crash a page (issue 10, "Crashes from links"): times that overflow
time-zone arithmetic, absurd years, huge and duplicated lists. geo.filters bounds them; these run
the real pages with such links."""
from __future__ import annotations

import pytest

from apptest_support import run_page
from ui import coverage_panel

OVERFLOW = "0001-01-01T00:00+14:00"  # ?at=0001-01-01T00:00%2B14:00: OverflowError before


@pytest.mark.parametrize("page", ["pages/map.py", "pages/nearest.py"])
def test_an_overflowing_time_in_the_link_opens_the_page(page):
    app = run_page(page, hours="open_at", at=OVERFLOW, cat=",".join(["crisis"] * 5_000))
    assert not app.exception, [e.value for e in app.exception]
    assert app.query_params.get("cat") == "crisis"  # de-duplicated when written back


@pytest.mark.parametrize("at", [OVERFLOW, "0001-01-01T00:00", "9999-12-31T23:59"])
def test_coverage_links_drop_absurd_times(at):
    assert coverage_panel.from_params({"at": at}).at is None
    app = run_page("pages/coverage.py", at=at)
    assert not app.exception, [e.value for e in app.exception]

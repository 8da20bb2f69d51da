"""A new visitor's service map: the map is sent first, the rest once the browser reports it drawn (ui/first_paint.py).

What matters: the first run draws the same page, in the same order, as every later run (nothing is
lost or moved when the held-back part comes); the wait ends when the browser speaks, not at its
limit; the part of Streamlit it reads to see that still looks as it did; in a real browser the map's
frame comes before the filters, once, and the filters do come.
"""
from __future__ import annotations

import shutil

import pytest
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

from apptest_support import RoutedAppTest, run_page
from browser_support import running_server
from geo import settings
from ui import first_paint


def layout(app) -> list[tuple[str, str]]:
    """(element type, key or label) of every element of the side panel and the main column, in order."""
    def name(element) -> str:
        return str(getattr(element, "key", None) or getattr(element, "label", None) or getattr(element, "value", ""))[:60]
    return [(type(e).__name__, name(e)) for root in (app.sidebar, app.main) for e in root]


@pytest.fixture
def held(monkeypatch) -> list[int]:
    """How many drawings each call of ``first_paint.release`` found held back, in order."""
    counts: list[int] = []
    real = first_paint.release
    monkeypatch.setattr(first_paint, "release",
                        lambda wait=True: (counts.append(len(getattr(first_paint._run, "held", None) or ())),
                                           real(wait))[1])
    return counts


def test_the_first_run_draws_the_page_of_every_later_run(data_dir, held):
    app = run_page("pages/map.py", "it", cat="day_activities")
    assert not app.exception
    first = layout(app)
    # held back in that run: the language choice and the filters
    assert held[0] == 2
    held.clear()
    app.run()
    assert not held or max(held) == 0  # a later run holds nothing back
    assert layout(app) == first
    # the link's choice is on screen and in the map's summary from the first run
    assert app.checkbox(key="map_category_day_activities").value is True
    assert app.radio(key="language").value == "it"


def test_a_first_visit_to_another_page_holds_nothing_back(data_dir, held):
    app = RoutedAppTest(settings.PROJECT_DIR / "app.py", default_timeout=60)
    app.query_params["lang"] = "sl"
    app.switch_page("pages/nearest.py").run()  # the session's first run is the nearest page
    assert not app.exception and not any(held)
    assert app.radio(key="language").value == "sl"


def test_the_wait_ends_when_the_browser_speaks(monkeypatch):
    monkeypatch.setenv(settings.FIRST_PAINT_WAIT_ENV, "5")
    looks, drawn = [], []
    monkeypatch.setattr(first_paint, "browser_spoke", lambda: looks.append(1) or len(looks) >= 3)
    monkeypatch.setattr(first_paint.time, "sleep", lambda s: drawn.append(("slept", s)))
    first_paint._run.held = []
    first_paint.draw(lambda: drawn.append("language"))
    first_paint.draw(lambda: drawn.append("filters"))
    assert drawn == []  # held back
    first_paint.release()
    assert drawn == [("slept", first_paint.POLL_S)] * 2 + ["language", "filters"]
    assert not first_paint.holding()
    first_paint.draw(lambda: drawn.append("now"))  # not holding: drawn at once
    assert drawn[-1] == "now"


def test_without_a_report_the_wait_ends_at_its_limit(monkeypatch):
    monkeypatch.setenv(settings.FIRST_PAINT_WAIT_ENV, "0.05")
    drawn = []
    monkeypatch.setattr(first_paint, "browser_spoke", lambda: False)
    first_paint._run.held = []
    first_paint.draw(lambda: drawn.append("filters"))
    first_paint.release()
    assert drawn == ["filters"]


@pytest.mark.parametrize("value, expected", [("0", 0.0), ("2", 2.0), ("99", 5.0), ("-1", 0.0), ("nan", 1.5),
                                             ("soon", 1.5)])
def test_the_waits_limit_is_read_safely(monkeypatch, value, expected):
    monkeypatch.setenv(settings.FIRST_PAINT_WAIT_ENV, value)
    assert settings.first_paint_wait_s() == expected


def test_streamlit_still_says_a_rerun_was_asked_for_where_we_look(monkeypatch):
    # ui/first_paint.browser_spoke reads a private part of Streamlit (pinned 1.67): this fails first
    # when an upgrade changes it (the wait would then always last its whole limit).
    requests = ScriptRequests()
    context = type("Context", (), {"script_requests": requests})()
    monkeypatch.setattr(first_paint, "get_script_run_ctx", lambda: context)
    assert first_paint.browser_spoke() is False
    requests.request_rerun(RerunData(fragment_id="map-fragment"))  # the drawn map's report
    assert first_paint.browser_spoke() is True
    monkeypatch.setattr(first_paint, "get_script_run_ctx", lambda: None)
    assert first_paint.browser_spoke() is False  # no script run: nothing to wait for


WATCH = """
window.__firstPaint = {frames: 0};
new MutationObserver(() => {
  const seen = window.__firstPaint, now = performance.now();
  const frames = document.querySelectorAll('iframe[title="streamlit_folium.st_folium"], iframe[data-koper-map-frame]');
  frames.forEach(f => { if (!f.__counted) { f.__counted = true; seen.frames += 1; seen.frame = seen.frame || now; } });
  if (!seen.filters && document.querySelector('[data-testid="stSidebar"] [data-testid="stCheckbox"]')) seen.filters = now;
  if (!seen.list && document.querySelector('.koper-list details')) seen.list = now;
}).observe(document, {subtree: true, childList: true});
"""


@pytest.mark.browser
def test_a_new_visitor_gets_the_map_first_then_the_filters_and_the_list_without_a_reload(browser, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(settings.PROJECT_DIR / "data", data)
    with running_server(data, tmp_path / "server.log") as (base, _proc):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        try:
            page = context.new_page()
            page.add_init_script(WATCH)
            page.goto(base + "/?lang=sl&cat=day_activities")
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_role("checkbox", name="Dnevni centri in aktivnosti", exact=False).first.wait_for(timeout=60_000)
            page.locator(".koper-list details").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)  # time for a reload of the frame, were there one
            seen = page.evaluate("window.__firstPaint")
            assert seen["frame"] < seen["filters"] and seen["frame"] < seen["list"], seen
            assert seen["frames"] == 1, seen  # the rest came without drawing the map again
            assert sidebar.get_by_role("checkbox", name="Dnevni centri in aktivnosti", exact=False).first.is_checked()
            assert sidebar.get_by_role("radio", name="Slovenščina").is_checked()
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            context.close()

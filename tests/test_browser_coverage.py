"""The coverage page in a real browser with the network cut off: the choropleth draws from this server only."""
from __future__ import annotations

import pytest

from browser_support import MAP_FRAME
from geo import i18n
from test_browser import PHONE, PROJECTOR, server, visit  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang, viewport", [("sl", PROJECTOR), ("it", PHONE)])
def test_coverage_choropleth_renders_offline(visit, server, lang, viewport):  # noqa: F811
    v = visit(viewport)
    page = v.open(f"{server}/coverage?lang={lang}&cat=day_activities")
    assert page.get_by_role("heading", level=1).first.inner_text() == i18n.t("page.coverage", lang)
    frame = v.map_frame()
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() >= 23  # one filled path per area
    legend = frame.locator(".koper-legend").text_content()  # folded on a phone, still there
    assert "km" in legend
    assert v.blocked == [], f"requests left localhost: {v.blocked[:5]}"
    assert v.errors == []
    v.screenshot(f"coverage-{lang}-{viewport['width']}")


def test_home_care_map_says_served_not_a_distance(visit, server):  # noqa: F811
    """Issue 11: home care is served / not served; the map's legend and tooltips never give a distance."""
    v = visit()
    page = v.open(f"{server}/coverage?lang=en&cat=home_care")
    frame = v.map_frame()
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    legend = frame.locator(".koper-legend").text_content()
    assert i18n.t("coverage.legend_reached", "en") in legend and i18n.t("coverage.legend_not_reached", "en") in legend
    assert " km" not in legend
    fills = frame.locator("path.leaflet-interactive").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
    from geo import choropleth

    assert fills.count(choropleth.SERVED) == 22 and fills.count(choropleth.NOT_SERVED) == 1  # Ankaran
    assert page.get_by_text(i18n.t("coverage.basis.delivered", "en")).count() >= 1
    assert v.blocked == [] and v.errors == []


def test_clicking_an_area_opens_its_profile(visit, server):  # noqa: F811
    import re

    v = visit()
    page = v.open(f"{server}/coverage?lang=en&cat=day_activities")
    frame = v.map_frame()
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    box = page.locator(MAP_FRAME).first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)  # the middle of the municipality
    page.wait_for_url(re.compile(r"/area\?.*area=(ks-\d+|ob-213)"), timeout=30_000)
    heading = page.get_by_role("heading", level=1).first
    heading.wait_for(timeout=30_000)
    assert heading.inner_text() != i18n.t("page.coverage", "en")
    assert "cat=day_activities" in page.url  # the choices travel with the click
    assert v.blocked == []


def test_a_fresh_server_opens_an_area_profile_link_without_a_page_not_found(visit, tmp_path):  # noqa: F811
    """A fresh server's first request is routed by file name: each url_path must match its file."""
    import shutil

    from browser_support import streamlit_server
    from geo import settings

    data = tmp_path / "data"
    shutil.copytree(settings.PROJECT_DIR / "data", data)
    with streamlit_server(data) as base:
        v = visit()
        page = v.open(f"{base}/area?lang=en&area=ks-50605")
        page.get_by_role("heading", name="Dekani").first.wait_for(timeout=30_000)
        assert page.get_by_text("Page not found").count() == 0


#: What sticks out sideways on the page: the document wider than the window, any visible box in the main
#: column that scrolls sideways (st.dataframe's grid does, inside itself) or ends right of the window.
_SIDEWAYS = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const shown = e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed';
  const name = e => (e.getAttribute('data-testid') || e.className || e.tagName).toString().slice(0, 60);
  const scrolls = [...main.querySelectorAll('*')].filter(e => shown(e)
      && !['visible', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
      .map(e => `${name(e)} scrolls ${e.scrollWidth} > ${e.clientWidth} px`);
  const beyond = [...main.querySelectorAll('*')].filter(e => shown(e) && e.getBoundingClientRect().right > window.innerWidth + 1)
      .map(e => `${name(e)} ends at ${Math.round(e.getBoundingClientRect().right)} px`);
  return {page: document.documentElement.scrollWidth - window.innerWidth, main: main.scrollWidth - main.clientWidth,
          scrolls, beyond: beyond.slice(0, 5)};
}"""


def _settled(page) -> None:
    """The script has run to its end (Streamlit shows no 'running'), the table's cards are there and its
    st.dataframe is hidden or has drawn its grid (the grid mounts a moment after the element)."""
    page.locator(".koper-cards").first.wait_for(state="attached", timeout=60_000)
    page.locator("[data-testid=stDataFrame]").first.wait_for(state="attached", timeout=60_000)  # loaded lazily
    page.wait_for_function("""() => !document.querySelector('[data-testid=stStatusWidget] button') && [...document
        .querySelectorAll('[data-testid=stDataFrame]')].every(d => d.offsetParent === null || d.querySelector('.dvn-scroller'))""",
                           timeout=60_000)


@pytest.mark.parametrize("lang, path", [("sl", "coverage?cat=day_activities"), ("it", "area?area=ks-50623"),
                                        ("en", "areas?")])
def test_coverage_tables_fit_a_390_px_phone(visit, server, lang, path):  # noqa: F811
    """Issue 12: at 390 px nothing is wider than the screen and no table scrolls sideways (the st.dataframe
    grids did: 2,201 of 356 px on a profile); each table is a list of cards there, whole at 1366 px."""
    v = visit(PHONE)
    page = v.open(f"{server}/{path}&lang={lang}")
    _settled(page)
    sideways = page.evaluate(_SIDEWAYS)
    assert sideways == {"page": 0, "main": 0, "scrolls": [], "beyond": []}, sideways
    assert page.locator(".koper-cards").first.is_visible() and not page.locator("[data-testid=stDataFrame]").first.is_visible()
    card = page.locator(".koper-cards > li").first
    card.locator("summary").click()  # every column of the row, folded under it
    card.locator("dl").wait_for(state="visible", timeout=10_000)
    assert page.evaluate(_SIDEWAYS)["beyond"] == []
    v.screenshot(f"coverage-phone-{path.split('?')[0]}-{lang}-390")
    assert v.errors == [] and v.blocked == []
    if path.startswith("coverage"):  # a laptop keeps the full table with every column, no cards
        page.set_viewport_size({"width": 1366, "height": 900})
        page.locator("[data-testid=stDataFrame]").first.wait_for(state="visible", timeout=10_000)
        assert not page.locator(".koper-cards").first.is_visible()

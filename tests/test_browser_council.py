"""The council report on a 1920×1080 projector in a real browser: every screen complete without
scrolling, names on the map at least 18 px, the PDF downloaded right after "Next" every time."""
from __future__ import annotations

import re

import pytest

from browser_support import ARTIFACTS
from geo import i18n
from test_browser import PROJECTOR, Visit, server  # noqa: F401 - shared fixtures
from ui import council_panel

pytestmark = pytest.mark.browser

STEP = re.compile(r"(?:Zaslon|Schermata|Screen) (\d+) (?:od|di|of) (\d+)")


def _settled(page, step: int) -> None:
    """Wait until screen ``step`` is drawn: its number in the navigation, nothing stale, the map loaded."""
    page.wait_for_function(
        """(step) => {
            const where = [...document.querySelectorAll('[data-testid=stMarkdownContainer] p')]
                .map(p => p.innerText).find(t => /(Zaslon|Schermata|Screen) \\d+ (od|di|of) \\d+/.test(t));
            const img = document.querySelector('[data-testid=stMain] img');
            return where && where.includes(' ' + step + ' ')
                && document.querySelectorAll('[data-stale=true]').length === 0
                && img && img.complete && img.naturalWidth > 0;
        }""", arg=step, timeout=90_000)


def _inside(box: dict, viewport: dict) -> bool:
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"] \
        and box["y"] + box["height"] <= viewport["height"]


@pytest.mark.parametrize("lang", ["sl", "en"])
def test_every_screen_fits_a_projector(browser, server, lang):  # noqa: F811
    v = Visit(browser, PROJECTOR)
    try:
        page = v.open(f"{server}/council?lang={lang}&cat=day_activities")
        _settled(page, 1)
        assert page.locator("[data-testid=stSidebar]").get_attribute("data-collapsed") == "true"  # side panel collapsed
        total = int(STEP.search(page.inner_text("[data-testid=stMain]")).group(2))
        assert total == 8  # today 25: the areas come four to a screen
        for step in range(1, total + 1):
            _settled(page, step)
            title = page.get_by_role("heading", level=1).first
            image = page.locator("[data-testid=stMain] img").first
            forward = page.locator(".st-key-council_next button")
            back = page.locator(".st-key-council_prev button")
            for what, element in (("title", title), ("map", image), ("next", forward), ("previous", back)):
                assert _inside(element.bounding_box(), PROJECTOR), f"screen {step}: the {what} is not on the screen"
            # scrolled to the top, not to the bottom of the last screen
            assert page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop") == 0
            # the map is shown at the size it was drawn for, so its names are MAP_LABEL_PX (≥ 18 px) tall
            shown = image.bounding_box()["width"]
            assert shown == pytest.approx(council_panel.MAP_WIDTH_PX, abs=1)
            assert council_panel.MAP_LABEL_PX * shown / council_panel.MAP_WIDTH_PX >= 18
            alt = image.get_attribute("alt")
            assert alt and alt.startswith(i18n.plural("report.map_alt", lang, 23,
                                                      measure=i18n.t("measure.mean_distance_km", lang)))
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"council-{lang}-1920x1080-screen{step}.png"))
            if step < total:
                forward.click()
        assert v.blocked == [] and v.errors == []  # nothing leaves the machine, not even the tab's icon
        assert page.title().startswith(i18n.t("page.council", lang))
    finally:
        v.close()


def test_the_pdf_downloads_right_after_next_twenty_times(browser, server):  # noqa: F811
    """Today clicking the PDF within about a second of "Next" failed 4 times in 7 (a deferred file the rerun withdrew)."""
    v = Visit(browser, PROJECTOR)
    try:
        page = v.open(f"{server}/council?lang=sl&cat=day_activities&areas=ks-50605,ks-50617")
        _settled(page, 1)
        page.locator(".st-key-council_pdf button").wait_for(timeout=90_000)  # built once, then cached
        step, total, way = 1, 3, 1
        results = []
        for _attempt in range(20):
            if not 1 <= step + way <= total:
                way = -way
            step += way
            page.locator(".st-key-council_next button" if way > 0 else ".st-key-council_prev button").click()
            with page.expect_download(timeout=30_000) as caught:  # at once: no waiting for the rerun
                page.locator(".st-key-council_pdf button").first.click()
            download = caught.value
            body = open(download.path(), "rb").read() if download.failure() is None else b""
            results.append((download.failure(), body[:5], download.suggested_filename))
            _settled(page, step)
        failed = [r for r in results if r[0] is not None or r[1] != b"%PDF-"]
        assert failed == [], f"{len(failed)} of 20 downloads failed: {failed[:3]}"
        assert {r[2] for r in results} == {"koper-council-report-sl.pdf"}
    finally:
        v.close()

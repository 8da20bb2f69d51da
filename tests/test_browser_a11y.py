"""WCAG 2.1 AA in a real browser: axe-core on every page in every language, inside the map frames too.

axe-core comes from npm, pinned in package.json / package-lock.json and installed into
node_modules/ by ``make test`` (never downloaded by a test); it is injected into each page and
into each frame (the folium maps) by Playwright. A page passes with 0 violations of impact
``serious`` or ``critical`` against the WCAG 2.0/2.1 A and AA rules. Also checked: the map page's
"skip to the list" link comes before the map and moves the focus past it.
"""
from __future__ import annotations

import os
import shutil

import pytest

from browser_support import is_local, streamlit_server
from geo import i18n, settings

pytestmark = pytest.mark.browser
AXE = settings.PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AREA = "ks-50605"
PAGES = ["", "nearest?from=settlement:10101522", "directory", "areas", "coverage", f"area?area={AREA}", "council",
         "whatif"]
BLOCKING = ("serious", "critical")


def require_axe() -> None:
    if AXE.is_file():
        return
    message = f"{AXE} is missing: run `make test` (or `npm ci`) to install axe-core from package-lock.json"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_axe()
    data = tmp_path_factory.mktemp("a11y") / "data"
    shutil.copytree(settings.PROJECT_DIR / "data", data)
    with streamlit_server(data) as base:
        yield base


def axe_violations(frame) -> list[dict]:
    """Serious and critical WCAG A/AA violations in one frame (its own document, not its child frames)."""
    if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
        frame.add_script_tag(path=str(AXE))
    found = frame.evaluate(
        """async tags => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false,
                                                    resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                                                                               (n.failureSummary || '').slice(0, 160))}));
        }""", WCAG_AA)
    return [v for v in found if v["impact"] in BLOCKING]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
    yield page
    context.close()


MAP_PAGES = ("", "nearest", "coverage")


def settle(page, path: str) -> None:
    """Wait for the page's heading and, on pages with a map, for the map inside its frame."""
    if path == "council":
        page.locator("[data-testid='stMain']").first.wait_for(timeout=60_000)
    else:
        page.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
    if path in MAP_PAGES:
        page.locator("iframe").first.wait_for(timeout=60_000)
        for _ in range(200):
            frames = [f for f in page.frames if "/component/" in f.url and not f.is_detached()]
            if frames:
                break
            page.wait_for_timeout(100)
        for frame in frames:
            frame.wait_for_selector(".leaflet-container", timeout=30_000)
    page.wait_for_timeout(1500)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_wcag_violation(page, server, path, lang):
    joiner = "&" if "?" in path else "?"
    page.goto(f"{server}/{path}{joiner}lang={lang}")
    settle(page, path.split("?")[0])
    problems, checked = {}, []
    for frame in page.frames:
        if frame.is_detached() or not frame.url.startswith(server):
            continue
        checked.append(frame.url)
        violations = axe_violations(frame)
        if violations:
            problems[frame.url[len(server):][:80] or "/"] = violations
    assert problems == {}, problems
    if path.split("?")[0] in MAP_PAGES:  # the map frames were checked too
        assert any("/component/" in url for url in checked), checked


def test_skip_link_comes_before_the_map_and_leads_past_it(page, server):
    page.goto(f"{server}/?lang=en")
    settle(page, "")
    skip = page.get_by_role("link", name=i18n.t("map.skip_to_list", "en"))
    skip.wait_for(timeout=10_000)
    frame_box = page.locator("iframe[title]").first.bounding_box()
    assert skip.bounding_box()["y"] < frame_box["y"]  # before the map on the page (and in the Tab order)
    skip.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    # the next Tab stop is in the list, not in the map
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.tagName, document.activeElement.closest('iframe') !== null, "
                            "document.activeElement.getBoundingClientRect().top]")
    assert focused[0] != "IFRAME" and not focused[1]
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().top") >= 0
    assert page.locator("iframe[title]").first.bounding_box()["y"] < 0 or \
        page.evaluate("() => document.activeElement.getBoundingClientRect().top") > frame_box["y"]


@pytest.mark.parametrize("lang", ["sl", "it"])
def test_every_tab_stop_in_the_map_has_a_name_in_the_language_and_areas_are_none(page, server, lang):
    page.goto(f"{server}/?lang={lang}")
    settle(page, "")
    (frame,) = [f for f in page.frames if "/component/" in f.url]
    frame.wait_for_selector(".koper-marker-icon, .marker-cluster", timeout=30_000)
    page.wait_for_timeout(1000)
    stops = frame.evaluate("""() => [...document.querySelectorAll('a[href], button, input, summary, [tabindex]')]
        .filter(e => e.tabIndex >= 0 && e.getClientRects().length)
        .map(e => [e.tagName, e.getAttribute('aria-label') || e.getAttribute('title') || e.textContent.trim()])""")
    assert not [s for s in stops if s[0].lower() == "path"]  # the 23 areas are no Tab stops
    assert all(name for _tag, name in stops), stops
    names = [name for _tag, name in stops]
    assert i18n.t("map.frame_title", lang) in names
    assert i18n.t("map.zoom_in", lang) in names and i18n.t("map.layers", lang) in names
    before = i18n.t("map.cluster_label", lang).split("{n}")[0]
    assert any(before in name for name in names)  # a cluster says what it is
    assert len(stops) <= 20, stops  # not 31 stops before the list

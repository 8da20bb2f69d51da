"""The app in a real browser: headless Debian Chromium driven by Playwright, network cut off.

A real Streamlit server is started on a free port; every request that would leave localhost
is aborted and recorded, so these tests also prove the map needs no CDN and no tiles.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import hostile
from browser_support import ARTIFACTS, MAP_FRAME, is_local, streamlit_server
from geo import i18n, settings

pytestmark = pytest.mark.browser
DEKANI = "10101522"
PHONE, PROJECTOR = {"width": 390, "height": 844}, {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser") / "data"
    import shutil

    shutil.copytree(settings.PROJECT_DIR / "data", data)
    with streamlit_server(data) as base:
        yield base


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    data = hostile.build(tmp_path_factory.mktemp("hostile") / "data")
    with streamlit_server(data) as base:
        yield base


class Visit:
    """A page with the network cut off: requests off localhost are aborted and remembered."""

    def __init__(self, browser, viewport=None):
        self.context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route):
        if is_local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url: str):
        self.page.goto(url)
        self.page.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
        return self.page

    def map_frame(self, index: int = 0):
        self.page.locator(MAP_FRAME).nth(index).wait_for(timeout=60_000)
        frame = self.page.frame_locator(MAP_FRAME).nth(index)
        frame.locator(".leaflet-container").wait_for(timeout=30_000)
        return frame

    def pwned(self) -> list:
        """window.__pwned in every frame (a hostile string that ran would have set it)."""
        return [f.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)")
                for f in self.page.frames if not f.is_detached()]

    def screenshot(self, name: str) -> None:
        """The whole page for review (Streamlit scrolls inside its main block, so grow the window)."""
        ARTIFACTS.mkdir(exist_ok=True)
        size = self.page.viewport_size
        height = self.page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
            ".map(e => e.scrollHeight), window.innerHeight)")
        self.page.set_viewport_size({"width": size["width"], "height": min(int(height), 8000)})
        self.page.wait_for_timeout(500)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        self.page.set_viewport_size(size)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    opened: list[Visit] = []

    def make(viewport=None) -> Visit:
        opened.append(Visit(browser, viewport))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


def _cluster_total(frame) -> int:
    """Markers on the map: single markers plus the numbers on clusters."""
    singles = frame.locator(".leaflet-marker-icon.koper-marker-icon").count()
    clusters = [int(t) for t in frame.locator(".marker-cluster span").all_inner_texts() if t.strip().isdigit()]
    return singles + sum(clusters)


@pytest.mark.parametrize("path, title", [("nearest", "page.nearest"), ("directory", "page.directory"),
                                         ("areas", "page.areas"), ("coverage", "page.coverage"),
                                         ("", "page.map"), ("council", None)])
def test_first_request_to_a_fresh_server_is_routed_through_app_py(visit, tmp_path, path, title):
    """Streamlit runs a fresh server's first request as the bare pages/ script (ui/routing.py)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(settings.PROJECT_DIR / "data", data)
    with streamlit_server(data) as base:
        v = visit()
        page = v.open(f"{base}/{path}?lang=en")
        heading = page.get_by_role("heading", level=1).first.inner_text()
        if title:
            assert heading == i18n.t(title, "en")
        else:  # the council report's first screen has no page title; it is not the start page
            assert heading != i18n.t("page.map", "en") and page.url.startswith(f"{base}/{path}")
        assert page.get_by_text(i18n.t("page.map", "en")).first.is_visible()  # the navigation is there
        page.wait_for_timeout(1000)
        assert not v.blocked  # not even the favicon from a CDN (the page's material icon)
        assert page.get_by_text("Page not found").count() == 0


def test_map_renders_offline_with_markers_and_areas(visit, server):
    v = visit()
    v.open(f"{server}/?lang=en")
    frame = v.map_frame()
    frame.locator(".marker-cluster, .koper-marker-icon").first.wait_for(timeout=30_000)
    assert _cluster_total(frame) == 15  # 15 addresses with a service (23 services)
    # 23 local areas + the municipality outline drawn as vector paths
    assert frame.locator("path.leaflet-interactive").count() >= 23
    assert frame.locator(".koper-legend, .leaflet-control").count() > 0
    assert v.blocked == [], f"requests left localhost: {v.blocked[:5]}"
    v.screenshot("map-en-desktop")


def test_the_service_list_shows_keyboard_focus_and_prints_every_entrys_details(visit, server):
    """The list's entries are <details> boxes: a closed box reached by Tab shows its focus ring inside
    the box (content-visibility would clip one outside it), and the printed page shows every entry's
    details even before the page's beforeprint script opens them."""
    v = visit()
    page = v.open(f"{server}/?lang=sl")
    first = page.locator(".koper-list summary").first
    first.wait_for(timeout=60_000)
    # the whole page drawn, the print styles at its end included
    page.wait_for_function("() => document.querySelectorAll('.koper-list').length >= 3 && [...document.styleSheets]"
                           ".some(s => { try { return [...s.cssRules].some(r => r.cssText.includes('details-content')); }"
                           " catch (e) { return false; } })", timeout=60_000)
    first.focus()
    ring = first.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.outlineOffset]; }")
    assert ring == ["solid", "2px", "-2px"], ring
    body = page.locator('.koper-list details[data-service-id="day-care-oljka"] > div')
    closed = body.bounding_box()
    assert closed is None or closed["height"] == 0, closed  # closed on screen
    page.emulate_media(media="print")
    try:
        box = body.bounding_box()
        assert box is not None and box["height"] > 40, box  # printed with its details
        assert page.locator('a[href="#koper-list"]').first.is_hidden()  # no "skip the map" link on paper
    finally:
        page.emulate_media(media="screen")


def test_marker_click_opens_the_popup_with_every_service(visit, server):
    v = visit()
    v.open(f"{server}/?lang=sl&lat=45.53840&lon=13.72260&z=17")
    frame = v.map_frame()
    marker = frame.locator('.leaflet-marker-icon [data-location-id="loc-krozna-cesta-5-6000-koper"]')
    marker.first.click(timeout=30_000)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    # the services come with the popups' details file (fetched once the markers are drawn, issue 14)
    popup.locator(".koper-service").first.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Krožna cesta 5, 6000 Koper" in text
    assert "Obalni dom upokojencev Koper" in text
    assert popup.locator('a[href^="tel:+386"]').count() >= 1
    assert all(h.startswith(("https://", "http://", "tel:", "mailto:"))
               for h in popup.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))"))


def test_zooming_the_map_goes_into_the_link(visit, server):
    v = visit()
    page = v.open(f"{server}/?lang=en")
    frame = v.map_frame()
    frame.locator(".marker-cluster, .koper-marker-icon").first.wait_for(timeout=30_000)
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_url(re.compile(r"[?&]z=\d"), timeout=20_000)
    params = dict(part.split("=", 1) for part in page.url.split("?", 1)[1].split("&"))
    assert {"lat", "lon", "z", "lang"} <= params.keys()
    assert v.blocked == []


def test_what_the_drawn_map_reports_reruns_only_the_map(server):
    """Over Streamlit's own protocol (bench/stclient.py): the report of a drawn map (its view) reruns the
    map's fragment, two elements, not the page's ~50 (issue 14: that rerun was half of a visit's CPU);
    a new marker click reruns the whole page, whose list then shows the selected address."""
    import asyncio
    import concurrent.futures

    sys.path.insert(0, str(settings.PROJECT_DIR / "bench"))
    import stclient

    async def visit():
        async with stclient.Session(server, timeout_s=60) as session:
            page = await session.run("lang=en")
            drawn = await session.map_drawn()
            click = await session.run(widgets={session.widgets[stclient.MAP_COMPONENT]: {
                "last_object_clicked": {"lat": 45.5385, "lng": 13.7225}, "last_object_clicked_count": 1,
                "center": {"lat": 45.5384, "lng": 13.7226}, "zoom": 17}},
                fragment_id=session.fragments[stclient.MAP_COMPONENT])
            return page, drawn, click

    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        page, drawn, click = pool.submit(asyncio.run, visit()).result()
    assert not (page.exceptions or drawn.exceptions or click.exceptions)
    assert page.elements > 40 and drawn.elements <= 3
    assert click.elements > 40 and "Selected address: Krožna cesta 5, 6000 Koper" in " ".join(click.texts)


def test_filters_change_the_markers_and_the_url(visit, server):
    v = visit()
    page = v.open(f"{server}/?lang=en")
    v.map_frame()
    page.get_by_text(re.compile(r"^Housing and residential care \(\d+\)$")).click()
    page.wait_for_url(re.compile(r"cat=residential"), timeout=20_000)
    page.wait_for_timeout(1500)
    assert _cluster_total(v.map_frame()) == 6


def test_hostile_data_is_shown_as_text_and_never_runs(visit, hostile_server):
    v = visit()
    page = v.open(f"{hostile_server}/?lang=en&loc=loc-kolarska-ulica-img-src-x-onerror-window-pwned-9-10-6000-koper")
    frame = v.map_frame()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=30_000)
    assert hostile.HOSTILE_ADDRESS in popup.inner_text()  # shown literally
    assert popup.locator("img, script, svg, iframe").count() == 0
    # the list: open every expander so all details are in the DOM
    for summary in page.locator("summary").all():
        summary.click()
    page.wait_for_timeout(1000)
    body = page.locator("section.main, [data-testid='stMain']").first.inner_text()
    assert sum(h in body for h in hostile.HOSTILE) >= 6, "hostile strings are shown as text"
    hrefs = page.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href') || '')")
    assert not [h for h in hrefs if h.lower().lstrip().startswith("javascript")]
    for path in ("nearest?lang=it&from=settlement:" + DEKANI, "directory?lang=sl"):
        v.open(f"{hostile_server}/{path}")
        for summary in page.locator("summary").all():
            summary.click()
        page.wait_for_timeout(1000)
    assert v.pwned() == [None] * len(v.pwned())
    assert v.dialogs == []
    assert v.blocked == [], v.blocked[:5]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_done_when_older_people_saturday_morning_nearest_to_dekani_offline(visit, server, lang):
    v = visit(PHONE if lang == "sl" else None)
    link = f"{server}/nearest?lang={lang}&from=settlement:{DEKANI}&grp=older&hours=open_at&at=2026-11-28T10:00"
    page = v.open(link)
    headings = page.get_by_role("heading", level=4)
    headings.nth(4).wait_for(timeout=60_000)
    texts = headings.all_inner_texts()[:5]
    # Saturday 10:00: the two day centres closed then (with their next opening), then apart the three nearest
    # places that publish no hours (in Italian the register's Italian street names come first, the Slovene after)
    assert texts[0].startswith("1. ") and "Cesta Zore Perello-Godina 3" in texts[0]
    assert texts[1].startswith("2. ") and "Krožna cesta 5" in texts[1]
    assert texts[2].startswith("1. ") and "Cankarjeva ulica 6" in texts[2]
    assert "Cesta Zore Perello-Godina 3" in texts[3] and "Krožna cesta 5" in texts[4]
    if lang == "it":
        assert texts[2].startswith("1. Via Ivan Cankar 6, 6000 Capodistria")
    closed = {"sl": "Zaprto, naslednjič odprto: ponedeljek ob 07:00", "it": "Chiuso, apre lunedì alle 07:00",
              "en": "Closed, opens Monday 07:00"}[lang]
    assert page.get_by_text(closed).first.is_visible()
    assert page.locator('a[href="tel:+38656634593"]').first.is_visible()  # a place without published hours
    assert page.get_by_text(re.compile(r"6[.,]4 km")).first.is_visible()
    if lang == "sl":  # on a phone "what do you need" is on the page itself, not only in the side panel
        # folded above the answer once there is a start, so the first place is near the top of the page
        # (1,045 px on a 390 × 844 phone; 2,408 px when the choices were open above it)
        assert headings.first.bounding_box()["y"] < 1.5 * PHONE["height"]
        fold = page.get_by_text(i18n.t("nearest.need_fold", lang)).first
        assert fold.is_visible()
        fold.click()
        assert page.get_by_text(i18n.t("category.day_activities", lang)).first.is_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
    # the link shown for sharing reopens the same view
    shared = page.get_by_role("link", name=i18n.t("share.title", lang)).first.get_attribute("href")
    assert "grp=older" in shared and "hours=open_at" in shared and f"lang={lang}" in shared
    assert v.blocked == []
    v.screenshot(f"nearest-dekani-{lang}")


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (PROJECTOR, "projector")])
@pytest.mark.parametrize("path", ["", "nearest", "directory", "areas"])
def test_every_page_renders_at_phone_and_projector_width(visit, server, viewport, name, path):
    v = visit(viewport)
    page = v.open(f"{server}/{path}?lang=it")
    assert page.get_by_role("heading", level=1).first.is_visible()
    if path in ("", "nearest"):
        page.get_by_text(i18n.t("page.nearest" if path else "page.map", "it")).first.wait_for()
    if path == "":
        v.map_frame().locator(".marker-cluster, .koper-marker-icon").first.wait_for(timeout=30_000)
    assert v.errors == [], v.errors
    # nothing wider than the screen (a horizontal scroll bar on a phone is a defect)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    v.screenshot(f"{path or 'map'}-it-{name}")


def test_device_location_finds_the_nearest_places(browser, server):
    # The browser grants a fixed position (Dekani), as a phone would after the user agrees.
    context = browser.new_context(viewport={"width": 1200, "height": 1000}, geolocation={"latitude": 45.5497, "longitude": 13.8133, "accuracy": 35},
                                  permissions=["geolocation"])
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
        page.goto(f"{server}/nearest?lang=en")
        page.get_by_text(i18n.t("nearest.method.device", "en")).click()
        page.get_by_role("button", name=i18n.t("nearest.device_button", "en")).click(timeout=30_000)
        page.get_by_text("Starting from:").wait_for(timeout=30_000)
        assert page.get_by_text("device location, about ±35 m").first.is_visible()
        page.get_by_role("heading", level=4).nth(2).wait_for(timeout=30_000)
        assert page.get_by_role("heading", level=4).count() == 3
        assert "45.5497" not in page.url and "13.8133" not in page.url  # never in the link
    finally:
        context.close()


def test_a_click_on_the_map_is_a_starting_point(visit, server):
    v = visit()
    page = v.open(f"{server}/nearest?lang=en")
    page.get_by_text(i18n.t("nearest.method.map", "en")).click()
    frame = v.map_frame()
    # click on Dekani's name: a fixed fraction of the frame landed outside the municipality whenever the
    # legend, laid out a moment later, moved the framed municipality to the left
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    label = frame.get_by_text("Dekani", exact=True).first.bounding_box()
    page.mouse.click(label["x"] + label["width"] / 2, label["y"] + label["height"] / 2)
    page.get_by_text("Starting from:").wait_for(timeout=30_000)
    assert page.get_by_text("Point on the map").first.is_visible()
    page.get_by_role("heading", level=4).nth(2).wait_for(timeout=30_000)
    assert page.get_by_role("heading", level=4).count() == 3
    assert "lat" not in page.url


def test_a_marker_click_on_the_service_map_selects_the_address_and_goes_into_the_link(visit, server):
    v = visit()
    page = v.open(f"{server}/?lang=en&lat=45.53840&lon=13.72260&z=17")
    frame = v.map_frame()
    frame.locator('.leaflet-marker-icon [data-location-id="loc-krozna-cesta-5-6000-koper"]').first.click(timeout=30_000)
    page.wait_for_url(re.compile(r"loc=loc-krozna-cesta-5-6000-koper"), timeout=20_000)
    # the link is written in the run that shows the address; wait for the page to draw it (not a race)
    page.get_by_role("heading", name=re.compile("Selected address: Krožna cesta 5")).wait_for(timeout=20_000)


def test_on_a_touch_phone_the_side_panels_choices_are_44_px_targets(browser, server):
    """Language, opening hours and every checkbox of the side panel: 44 px tall on a touch screen (WCAG 2.5.5;
    Streamlit draws them ~22 px apart), unchanged with a mouse."""
    heights = {}
    for touch in (True, False):  # a phone's touch screen; a desktop's mouse (its side panel open from the start)
        context = browser.new_context(viewport=PHONE if touch else {"width": 1366, "height": 900}, has_touch=touch,
                                      is_mobile=touch)
        try:
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
            page.goto(f"{server}/?lang=sl")
            page.locator(".koper-list summary").first.wait_for(timeout=60_000)
            if touch:
                page.locator('[data-testid="stSidebarCollapsedControl"] button, [data-testid="stExpandSidebarButton"]').first.click()
            page.wait_for_function("() => document.querySelectorAll('[data-testid=stSidebar] [data-testid=stCheckbox]')"
                                   ".length >= 18", timeout=30_000)
            heights[touch] = page.evaluate(
                "() => [...document.querySelectorAll('[data-testid=stSidebar] [role=radiogroup] label,"
                " [data-testid=stSidebar] [data-testid=stCheckbox] label')].map(e => e.getBoundingClientRect().height)")
        finally:
            context.close()
    assert len(heights[True]) >= 3 + 5 + 7 + 8 + 3  # languages, hours, categories, target groups, prices
    assert min(heights[True]) >= 44, heights[True]
    assert sorted(heights[False])[len(heights[False]) // 2] < 30, heights[False]  # one line each, mostly

"""Markdown payloads in every field, in a real browser: nothing the data says reaches the network.

The app runs on tests/hostile.py's MARKDOWN directory (every text field of every service, every
area and settlement name and one address hold an image, a link, a plain URL, a www. address, a
<...> autolink, a reference link, :material/ icons and :red[] colour codes, all pointing at
EVIL_HOST). Every page is opened in headless Chromium with every request off localhost aborted and
recorded; expanders are opened so all details are in the page. On each page, in every frame (the
maps too): no request left, no element carries an attacker URL in an attribute, and the payloads
are there as text.
"""
from __future__ import annotations

import pytest

import hostile
from browser_support import MAP_FRAME, is_local, streamlit_server
from geo.mapping import locations

pytestmark = pytest.mark.browser
ADDRESS_ID = locations.location_id(hostile.MARKDOWN_ADDRESS)
AREAS = "ks-50602,ks-50603,ks-50604,ks-50605,ks-50606,ks-50607,ks-50608,ks-50609"
PATHS = [
    f"?lang=sl&loc={ADDRESS_ID}", "?lang=it", "nearest?lang=sl&from=settlement:10101522",
    "nearest?lang=it&from=area:ks-50605", "directory?lang=sl", "directory?lang=it", "areas?lang=sl",
    "coverage?lang=sl", "coverage?lang=it&cat=day_activities", "area?lang=sl&area=ks-50603",
    "area?lang=it&area=ks-50605", *[f"council?lang=sl&areas={AREAS}&step={step}" for step in (1, 2, 3, 4, 5)],
]
#: URL-bearing attributes of every element in every frame that name EVIL_HOST (text in labels and
#: inputs is fine; the app's own Google Maps directions link carries an address in its query string).
ATTACKER_ATTRIBUTES = """host => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => ['src', 'srcset', 'href', 'xlink:href', 'action', 'formaction', 'poster', 'data', 'background',
                  'ping', 'style', 'content', 'cite', 'longdesc'].includes(a.name) && a.value.includes(host)
              && !(e.tagName === 'A' && a.name === 'href' && a.value.startsWith('https://www.google.com/maps/dir/')))
    .map(a => `${e.tagName.toLowerCase()}[${a.name}=${a.value.slice(0, 80)}]`))"""


@pytest.fixture(scope="module")
def hostile_markdown_server(tmp_path_factory):
    data = hostile.build(tmp_path_factory.mktemp("markdown") / "data", hostile.MARKDOWN,
                         area_payloads=hostile.MARKDOWN, address=hostile.MARKDOWN_ADDRESS)
    with streamlit_server(data) as base:
        yield base


def _open(browser, url: str):
    """A new page on ``url`` with requests off localhost aborted; returns (page, blocked urls, context)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    blocked: list[str] = []

    def route(request_route):
        if is_local(request_route.request.url):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
    # the script has finished when Streamlit's "running" indicator is gone
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget] button')", timeout=60_000)
    return page, blocked, context


@pytest.mark.parametrize("path", PATHS)
def test_markdown_payloads_are_text_and_nothing_leaves_localhost(browser, hostile_markdown_server, path):
    page, blocked, context = _open(browser, f"{hostile_markdown_server}/{path}")
    try:
        for summary in page.locator("[data-testid=stMain] summary").all():
            if summary.is_visible():  # a phone's table cards (ui/cards.py) are in the page but hidden on a wide screen
                summary.click()
        if "loc=" in path:  # the selected address's popup is open on the map
            frame = page.frame_locator(MAP_FRAME).first
            frame.locator(".leaflet-popup-content").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # images a payload might have made would be requested by now
        attributes = [found for f in page.frames if not f.is_detached()
                      for found in f.evaluate(ATTACKER_ATTRIBUTES, hostile.EVIL_HOST)]
        assert attributes == []
        assert blocked == [], blocked[:5]
        text = page.locator("[data-testid=stMain]").first.inner_text().replace("\u200b", "")
        if not path.startswith("areas"):  # (the areas page shows its names in a table only)
            assert hostile.EVIL_HOST in text or ":material/warning: :red[red]" in text, "the hostile data is there, as text"
        if "loc=" in path:  # the selected address heading shows the image syntax as written
            assert "![x](http://evil.example/addr.png) www.evil.example" in text
        if path.startswith("directory"):  # icon and colour codes as written
            assert ":material/warning: :red[red]" in text
    finally:
        context.close()

"""The map's rows in three files (issue 14): markers, popup details per day, open state per minute.

``geo.mapping.rows.marker_json`` / ``detail_json`` / ``view_json`` split ``location_row``; the
browser (``location_layer.js``) puts it back together. Checked here: the parts put back together
are exactly ``location_row`` (so the popups stay what ``tests/popup_reference.py`` writes out),
escaping survives the split, a new minute rewrites only the small state file, and, in a real
browser, popups, tooltips and names made from the fetched files equal the reference.
"""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import re
import threading
from html.parser import HTMLParser

import pytest

import browser_support
import popup_reference
from apptest_support import map_args, run_page
from geo import assets, directory, hours, i18n, mapping, safe, settings
from geo.mapping import rows

DATA = settings.PROJECT_DIR / "data"
WHEN = dt.datetime(2026, 11, 23, 10, 0)  # a Monday morning: offices open
EVENING = WHEN.replace(hour=22)  # the same day, offices closed


@pytest.fixture(scope="module")
def located():
    return mapping.map_locations(directory.directory_table(DATA))


def put_together(located, lang, when):
    """location_row of every address from the three files' contents, as location_layer.js does."""
    markers = json.loads(rows.marker_json(located, lang))
    details = json.loads(rows.detail_json(located, lang, when.replace(hour=0, minute=0)))
    _markers_url, _details_url, texts, codes = json.loads(rows.view_json("/m.json", "/d.json", located, lang, when))
    codes = iter(codes)
    together = []
    for marker, (osm, services) in zip(markers, details, strict=True):
        for service in services:
            code = next(codes)
            if code != ".":
                service[8].append(texts[int(code)])
        together.append(marker[:6] + [osm, services])
    assert next(codes, None) is None  # one code per service, no more
    return markers, together


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("when", [WHEN, EVENING])
def test_the_three_files_put_back_together_are_the_location_rows(located, lang, when):
    markers, together = put_together(located, lang, when)
    assert together == rows.location_rows(located, lang, when)
    # the markers carry the service names the tooltip and the screen reader name need
    assert [m[6] for m in markers] == [[s[1] for s in row[7]] for row in together]
    assert len(markers) == 15 and all(len(m) == 7 for m in markers)


def test_a_new_minute_changes_only_the_state_and_it_is_small(located):
    for lang in i18n.LANGUAGES:
        assert rows.marker_json(located, lang) == rows.marker_json(located, lang)
        day = WHEN.replace(hour=0)
        assert rows.detail_json(located, lang, day) == rows.detail_json(located, lang, EVENING.replace(hour=0))
        morning = json.loads(rows.view_json("/m", "/d", located, lang, WHEN))
        evening = json.loads(rows.view_json("/m", "/d", located, lang, EVENING))
        def states(view):
            return [None if c == "." else view[2][int(c)] for c in view[3]]

        assert states(morning) != states(evening)  # something open at 10:00 is closed at 22:00
        assert set(morning[2]) <= {safe.html_text(i18n.t(f"state.{s}", lang)) for s in ("open", "closed", "unknown")}
        assert len(morning[3]) == sum(len(loc.services) for loc in located)
        assert set(morning[3]) <= set(".0123456789")
        # the state of a service without machine-readable hours is no line at all
        services = [s for loc in located for s in loc.services]
        assert [c == "." for c in morning[3]] == [not s.get("opening_hours") for s in services]
    # the state file is small beside the rest: no row, just a character per service
    assert len(rows.view_json("/m", "/d", located, "sl", WHEN)) < 200


def test_hostile_text_stays_escaped_in_the_split_files(located):
    loc = located[0]
    evil = dict(loc.services[0], name_sl='<img src=x onerror=alert(1)>{{ 7*7 }}', website="javascript:alert(1)",
                address="<script>alert(2)</script>")
    hostile = [mapping.Location(loc.location_id, loc.address, loc.lat, loc.lon, (evil,))]
    text = rows.marker_json(hostile, "sl") + rows.detail_json(hostile, "sl", WHEN)
    assert not set("<>&{}") & set(text)  # script-safe: every such character is \u-escaped in the JSON
    marker = json.loads(rows.marker_json(hostile, "sl"))[0]
    assert marker[6] == ["&lt;img src=x onerror=alert(1)&gt;&#123;&#123; 7*7 &#125;&#125;"]
    assert marker[4] == "&lt;script&gt;alert(2)&lt;/script&gt;"
    detail = json.loads(rows.detail_json(hostile, "sl", WHEN))[0]
    assert detail[1][0][7] == ["", "javascript:alert(1)"]  # the website is shown as text, never a link
    assert detail[1][0] == rows.service_row(evil, "sl", WHEN)[:8] + detail[1][0][8:]


def test_state_codes_refuse_more_texts_than_one_character_can_name(located, monkeypatch):
    count = iter(range(100))
    monkeypatch.setattr(rows, "state_text", lambda record, lang, when: f"state {next(count)}")
    many = [next(loc for loc in located if loc.services[0].get("opening_hours"))] * 11
    with pytest.raises(ValueError):
        rows.state_codes(many, "sl", WHEN)


# --- the page: markers once per view, details once per day, a small file per minute --------------

def view_files(app):
    """(view URL, [markers URL, details URL, texts, codes]) of a page's map."""
    url = re.findall(r'"rowsUrl": "(/app/static/[^"]+)"', map_args(app)["script"])[0]
    view = json.loads((settings.PROJECT_DIR / "static" / url.removeprefix("/app/static/")).read_text("utf-8"))
    return url, view


def test_a_new_minute_writes_only_a_new_state_file(data_dir, monkeypatch):
    now = [WHEN]
    monkeypatch.setattr(hours, "local_now", lambda: now[0])
    built = {"markers": 0, "details": 0}
    marker_json, detail_json = rows.marker_json, rows.detail_json
    monkeypatch.setattr(rows, "marker_json", lambda *a: built.update(markers=built["markers"] + 1) or marker_json(*a))
    monkeypatch.setattr(rows, "detail_json", lambda *a: built.update(details=built["details"] + 1) or detail_json(*a))
    morning_url, morning = view_files(run_page(lang="en"))
    now[0] = EVENING
    evening_url, evening = view_files(run_page(lang="en"))
    assert built == {"markers": 1, "details": 1}  # made once for the view and the day
    assert morning[:2] == evening[:2] and morning_url != evening_url and morning[2:] != evening[2:]
    for url in morning[:2]:
        assert (settings.PROJECT_DIR / "static" / url.removeprefix("/app/static/")).is_file()
    now[0] = WHEN + dt.timedelta(days=6)  # Sunday: other "today" hours, the same markers
    _url, tomorrow = view_files(run_page(lang="en"))
    assert built == {"markers": 1, "details": 2} and tomorrow[0] == morning[0] and tomorrow[1] != morning[1]


# --- in a real browser: what the fetched files draw ----------------------------------------------

class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_popups_tooltips_and_names_from_the_fetched_files_equal_the_reference(tmp_path, located, monkeypatch):
    """The app's way (rows_url): every popup, tooltip and marker name made from the three files."""
    browser_support.require_browser()
    from playwright.sync_api import sync_playwright

    monkeypatch.setattr(hours, "local_now", lambda: WHEN)
    static = tmp_path / "app" / "static"
    view = rows.view_json(mapping.publish_rows(static, rows.marker_json(located, "sl")),
                          mapping.publish_rows(static, rows.detail_json(located, "sl", WHEN.replace(hour=0))),
                          located, "sl", WHEN)
    selected = located[0].location_id
    table = directory.directory_table(DATA)
    geography = {"boundaries": json.loads((DATA / "areas.geojson").read_text("utf-8")),
                 "outline": json.loads((DATA / settings.MUNICIPALITY_OUTLINE_FILE).read_text("utf-8")),
                 "settlements": None}
    m = mapping.build_map(table, "sl", when=WHEN, located=located, rows_url=mapping.publish_rows(static, view),
                          selected=selected, **geography)
    (tmp_path / "index.html").write_text(assets.standalone_html(m), encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    errors = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(browser_support.CHROMIUM), args=browser_support.CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
                # the selected marker's popup opens by itself, with its services (the details came)
                page.locator(f'.koper-popup[data-location-id="{selected}"] .koper-service').first.wait_for(timeout=30_000)
                shown = page.locator(".koper-popup").first.evaluate("e => e.textContent")
                assert shown == text_of(popup_reference.popup_html(located[0], "sl", WHEN))
                found = page.evaluate("""() => Object.keys(window).filter(k => k.startsWith("location_layer_"))
                    .map(k => Object.keys(window[k].markers).length)""")
                assert found == [len(located)]
                # open each marker in turn where the cluster shows it: popup, tooltip and name as the reference
                for location in located:
                    result = page.evaluate("""(id) => new Promise(resolve => {
                        for (const key of Object.keys(window)) {
                            const layer = window[key];
                            if (!key.startsWith("location_layer_") || !layer || !layer.markers) continue;
                            const marker = layer.markers[id];
                            layer.cluster.zoomToShowLayer(marker, () => {
                                marker.openPopup();
                                marker.openTooltip();
                                const shown = {popup: marker.getPopup().getElement().querySelector(".koper-popup").textContent,
                                               tooltip: marker.getTooltip().getElement().textContent,
                                               name: marker.getElement().getAttribute("aria-label")};
                                marker.closePopup();
                                marker.closeTooltip();
                                marker.getElement().focus();  // a keyboard user reaches the marker
                                shown.focusTooltip = marker.isTooltipOpen();
                                resolve(shown);
                            });
                        }
                    })""", location.location_id)
                    assert result["popup"] == text_of(popup_reference.popup_html(location, "sl", WHEN)), location.location_id
                    assert result["tooltip"] == text_of(popup_reference.tooltip_html(location, "sl"))
                    assert result["focusTooltip"] is True
                    address = present_address(location)
                    assert result["name"].startswith(address) and all(
                        text_of(safe.html_text(i18n.field(s, "name", "sl"))) in result["name"] for s in location.services)
            finally:
                browser.close()
    finally:
        server.shutdown()
    assert errors == []


def present_address(location) -> str:
    from geo import present

    return present.address_text(location.services[0], "sl")

"""The service map as rendered HTML: markers per address, popups, legend, layers, offline, escaping."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pandas as pd
import pytest

import browser_support
import popup_reference
from geo import areas, assets, directory, hours, i18n, mapping, model, present, safe, settings

DATA = settings.PROJECT_DIR / "data"
WHEN = dt.datetime(2026, 11, 23, 10, 0)  # a Monday morning
KROZNA = "Krožna cesta 5, 6000 Koper"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return directory.directory_table(DATA)


@pytest.fixture(scope="module")
def geography():
    outline = json.loads((DATA / settings.MUNICIPALITY_OUTLINE_FILE).read_text("utf-8"))
    settlements = mapping.settlements_with_population(areas.load_settlements(DATA), areas.load_demand_points(DATA))
    return {"boundaries": areas.load_boundaries(DATA), "outline": outline, "settlements": settlements}


def build(table, geography, lang="sl", **kwargs):
    return mapping.build_map(table, lang, when=WHEN, **geography, **kwargs)


def decoded(html: str) -> str:
    """The page with the JSON strings in its scripts unescaped (\\u003c → <), to see what the browser builds."""
    return html.encode("ascii", "backslashreplace").decode("unicode_escape")


@pytest.fixture(scope="module")
def page(table, geography) -> str:
    return build(table, geography).get_root().render()


def location_rows(html: str) -> list[list]:
    """The rows of the page's LocationLayer (see mapping.location_row), as the browser reads them."""
    found = re.findall(r"var rows = (.*);\n", html)
    assert len(found) == 1, "one LocationLayer per map"
    return json.loads(found[0])


def placed(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["location_type"].isin(["site", "office"]) & table["lat"].notna()]


# --- markers and popups --------------------------------------------------------------------


def test_one_marker_per_distinct_address(table, page):
    addresses = placed(table)["address"].unique()
    assert len(addresses) == 15 and len(placed(table)) == 22  # self-help groups meet in the community (issue 13)
    rows = location_rows(page)
    ids = [r[2] for r in rows]  # one row (one marker) per address
    assert len(ids) == len(set(ids)) == len(addresses)
    located = {loc.location_id: loc for loc in mapping.map_locations(table)}
    for lat, lon, ident, category, *_rest in rows:
        assert (lat, lon) == (located[ident].lat, located[ident].lon)
        assert category == located[ident].category
    # the markers are made by one loop in the layer's script, the settlement labels by another
    assert page.count("L.marker(") == 2 and len(settlement_labels(page)) == len(areas.load_settlements(DATA))
    assert page.count("cluster.addLayers(markers)") == 1


def strings(value) -> list[str]:
    """Every string in nested lists."""
    if isinstance(value, str):
        return [value]
    return [s for item in value for s in strings(item)] if isinstance(value, list) else []


def test_every_popup_row_carries_every_service_at_its_address_as_escaped_text(table, page):
    located = {loc.location_id: loc for loc in mapping.map_locations(table)}
    for row in location_rows(page):
        ident, address, count_text, osm_href, services = row[2], row[4], row[5], row[6], row[7]
        records = located[ident].services
        assert [s[0] for s in services] == [r["id"] for r in records]  # every service, in table order
        assert [s[1] for s in services] == [safe.html_text(i18n.field(r, "name", "sl")) for r in records]
        assert address == safe.html_text(present.address_text(records[0], "sl"))
        assert bool(count_text) == (len(records) > 1)
        assert osm_href == safe.osm_directions_href(located[ident].lat, located[ident].lon)
        # rows are data, not markup: no tag, no style (the look comes from map_css, written once)
        assert not any("<" in text or ">" in text for text in strings(row))


def test_popup_labels_are_shipped_once_per_map(page):
    text = decoded(page)
    for key in mapping.POPUP_LABEL_KEYS:
        assert text.count(json.dumps(i18n.t(key, "sl"), ensure_ascii=False)) == 1, key
    assert text.count('"Cena"') <= 1 and "Cena:" not in text


def test_services_layer_is_the_cluster_in_the_layer_control(page):
    cluster = layer_variable(page, i18n.t("map.layer_services", "sl"))
    assert cluster.startswith("marker_cluster_")
    assert f"}})({cluster});" in page  # the LocationLayer fills that cluster
    assert '"maxClusterRadius": 40' in page and '"chunkedLoading": true' in page


def test_locations_group_services_and_keep_stable_ids(table):
    located = mapping.map_locations(table)
    assert sum(len(loc.services) for loc in located) == 22
    krozna = next(loc for loc in located if loc.address == KROZNA)
    assert krozna.location_id == "loc-krozna-cesta-5-6000-koper"
    assert {s["id"] for s in krozna.services} == {"care-home-odu", "day-care-oljka"}
    assert [loc.location_id for loc in mapping.map_locations(table)] == [loc.location_id for loc in located]


def test_popup_at_krozna_lists_the_care_home_and_the_day_centre(table, page):
    records = table.set_index("id")
    row = next(r for r in location_rows(page) if r[2] == "loc-krozna-cesta-5-6000-koper")
    assert [(s[0], s[1]) for s in row[7]] == [(i, records.loc[i, "name_sl"]) for i in ("care-home-odu", "day-care-oljka")]
    assert row[5] == "Storitve na tem naslovu: 2"


def test_popup_has_contacts_hours_price_precision_verification_and_directions(table):
    krozna = next(loc for loc in mapping.map_locations(table) if loc.address == KROZNA)
    html = popup_reference.popup_html(krozna, "en", WHEN)
    odu = krozna.services[0]
    for phone in odu["phones"]:
        assert f'href="tel:{phone}"' in html
        assert model.display_phone(phone) in html
    assert 'href="https://www.odu-koper.si"' in html
    assert "marked by hand on a map, accurate to about 500 m" in html
    assert "Verified " + i18n.format_day(dt.date.fromisoformat(odu["last_verified"]), "en") in html
    assert "https://www.openstreetmap.org/directions?to=45.538500%2C13.722500" in html
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=Kro%C5%BEna%20cesta%205" in html
    assert "Price" in html and "Opening hours" in html
    # the row the browser builds that popup from carries the same
    row = mapping.location_row(krozna, "en", WHEN)
    service = row[7][0]
    assert service[5] == [[f"tel:{p}", model.display_phone(p)] for p in odu["phones"]]
    assert service[7] == ["https://www.odu-koper.si", "www.odu-koper.si"]
    assert service[11] == "marked by hand on a map, accurate to about 500 m" and service[13].startswith("Verified ")
    assert row[6].startswith("https://www.openstreetmap.org/directions?to=45.538500%2C13.722500")
    assert service[12] == "https://www.google.com/maps/dir/?api=1&destination=Kro%C5%BEna%20cesta%205%2C%206000%20Koper"


def test_popup_shows_todays_hours_and_open_state(table):
    located = mapping.map_locations(table)
    with_hours = [(loc, s) for loc in located for s in loc.services if s.get("opening_hours")]
    assert with_hours, "the shipped data has services with opening hours"
    loc, service = with_hours[0]
    html = popup_reference.service_html(service, "sl", WHEN, loc.lat, loc.lon)
    state = present.state_text(service, "sl", WHEN)
    assert state in html
    assert safe.html_text(state) in mapping.service_row(service, "sl", WHEN)[8]
    sunday = dt.datetime(2026, 11, 22, 10, 0)  # not today: the popup names the day it speaks of
    assert any(t in popup_reference.service_html(service, "sl", sunday, loc.lat, loc.lon)
               for t in ("ned., 22. nov.: zaprto", "ned., 22. nov.:", i18n.t("state.unknown", "sl")))


def test_hours_of_another_day_name_that_day_and_today_says_today():
    weekdays = {"opening_hours": "Mo-Fr 07:00-15:00"}
    saturday = dt.datetime(2026, 11, 28, 10, 0)
    assert present.today_text(weekdays, "en", saturday) == "Sat 28 Nov: closed"
    assert present.today_text(weekdays, "it", saturday - dt.timedelta(days=1)) == "ven 27 nov: 07:00–15:00"
    now = hours.local_now().replace(hour=10, minute=0)
    expected = "Today: 07:00–15:00" if now.weekday() < 5 else "Closed today"
    assert present.today_text(weekdays, "en", now) == expected


def test_mixed_category_address_shows_the_most_frequent_category(table):
    cankarjeva = next(loc for loc in mapping.map_locations(table) if loc.address.startswith("Cankarjeva"))
    assert cankarjeva.category == "financial_aid"
    assert 'class="koper-count"' in popup_reference.marker_html(cankarjeva)


# --- legend, layers, offline ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_legend_lists_the_seven_categories_in_each_language(table, geography, lang):
    text = decoded(build(table, geography, lang).get_root().render())
    legend = text[text.index('class="koper-legend"'):]
    assert legend.count('class="koper-legend-row"') == len(model.CATEGORIES) == 7
    for category in model.CATEGORIES:
        assert f'data-category="{category}"' in legend
        assert i18n.t(f"category.{category}", lang) in legend
        assert mapping.CATEGORY_COLOURS[category] in legend
    assert i18n.t("map.legend", lang) in legend


def test_palette_covers_every_category_with_distinct_colours_and_shapes():
    assert set(mapping.CATEGORY_COLOURS) == set(model.CATEGORIES)
    assert len(set(mapping.CATEGORY_COLOURS.values())) == 7
    assert len(set(mapping.CATEGORY_SHAPES.values())) == 7
    assert len(set(mapping.CATEGORY_SYMBOLS.values())) == 7


def test_no_cdn_only_local_vendor_urls(page):
    assert assets.external_links(page) == []
    sources = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page) + re.findall(r'<link\b[^>]*\bhref="([^"]+)"', page)
    assert sources and all(u.startswith("/app/static/vendor/") for u in sources), sources
    assert "cdn" not in " ".join(sources).lower()


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_street_tiles_are_shown_by_default_and_watched_for_a_fallback(table, geography, lang, monkeypatch):
    # Issue 12: the street background is on by default; in the browser StreetTiles removes it and
    # says so when no tile arrives (tests/test_browser_map.py proves both with a local tile server).
    monkeypatch.delenv(settings.TILES_ENV, raising=False)
    page = build(table, geography, lang).get_root().render()
    tile_vars = re.findall(r"var (tile_layer_\w+) = L\.tileLayer\(", page)
    assert len(tile_vars) == 1
    assert f"{tile_vars[0]}.addTo(" in page
    assert "tile.openstreetmap.org" in page
    assert "internet" in i18n.t("map.layer_osm", lang)
    assert json.dumps(i18n.t("map.layer_osm", lang)) in page or i18n.t("map.layer_osm", lang) in decoded(page)
    # the watcher gets that layer and the note in the page's language
    (call,) = re.findall(r"\)\(map_\w+, (tile_layer_\w+), (\"[^\"]*\"), 8000, (\{[^}]*\})\);", page)
    assert call[0] == tile_vars[0] and json.loads(call[1]) == i18n.t("map.tiles_offline", lang)
    texts = json.loads(call[2])  # the map's accessible name and its controls' names, in the page's language
    assert texts == {key: i18n.t(f"map.{key}", lang) for key in ("frame_title", "zoom_in", "zoom_out", "layers")}
    assert page.count(elements.STREET_TILES_JS) == 1


def test_tiles_switched_off_leave_the_offline_background_and_its_note(table, geography, monkeypatch):
    monkeypatch.setenv(settings.TILES_ENV, "off")
    page = build(table, geography, "it").get_root().render()
    assert "L.tileLayer(" not in page and "openstreetmap.org/{z}" not in page
    (note,) = re.findall(r"\)\(map_\w+, null, (\"[^\"]*\"), ", page)
    assert json.loads(note) == i18n.t("map.tiles_offline", "it")


def test_the_municipality_configures_its_own_tile_server_with_its_credit(table, geography, monkeypatch):
    monkeypatch.setenv(settings.TILES_ENV, "https://tiles.koper.si/{z}/{x}/{y}.png")
    monkeypatch.setenv(settings.TILES_ATTRIBUTION_ENV, "© Mestna občina Koper <script>")
    page = build(table, geography, "en").get_root().render()
    assert "https://tiles.koper.si/{z}/{x}/{y}.png" in page and "tile.openstreetmap.org" not in page
    assert "© Mestna občina Koper &lt;script&gt;" in decoded(page) and "<script>\"" not in decoded(page)
    assert json.dumps(i18n.t("map.layer_streets", "en")) in page


@pytest.mark.parametrize(("value", "expected"), [
    ("", (settings.OSM_TILES_URL, None)),
    ("off", None), ("0", None), ("NONE", None),
    ("https://t.example/{z}/{x}/{y}.png", ("https://t.example/{z}/{x}/{y}.png", "© t.example")),
    ("ftp://t.example/{z}/{x}/{y}.png", (settings.OSM_TILES_URL, None)),  # not a web server: OpenStreetMap
    ("https://t.example/tiles.png", (settings.OSM_TILES_URL, None)),  # no {z}/{x}/{y}: a typo
])
def test_tile_source_setting(monkeypatch, value, expected):
    monkeypatch.setenv(settings.TILES_ENV, value)
    monkeypatch.delenv(settings.TILES_ATTRIBUTION_ENV, raising=False)
    assert settings.tile_source() == expected


def test_attributions(page):
    text = decoded(page)
    assert "© OpenStreetMap contributors" in text
    assert mapping.AREAS_ATTRIBUTION == "Vir: GURS, Register prostorskih enot"
    assert text.count('"attribution": "Vir: GURS, Register prostorskih enot"') == 2  # outline and areas


def layer_variable(page: str, name: str) -> str:
    """The JavaScript variable the layer control lists under ``name``."""
    return re.search(re.escape(json.dumps(name, ensure_ascii=False)) + r"\s*:\s*(\w+)", decoded(page)).group(1)


def test_areas_layer_has_23_areas_with_names_and_can_start_hidden(table, geography, page):
    text = decoded(page)
    assert text.count('"area_id": "') == 23
    assert '"label": "Bertoki"' in text
    assert '"label": "Bertocchi"' in decoded(build(table, geography, "it").get_root().render())
    name = i18n.t("map.layer_areas", "sl")
    assert f"{layer_variable(page, name)}.addTo(" in page
    hidden = build(table, geography, show_areas=False).get_root().render()
    assert f"{layer_variable(hidden, name)}.addTo(" not in hidden
    assert decoded(hidden).count('"area_id": "') == 23  # still there to switch on


def settlement_labels(html: str) -> list[list]:
    """The rows of the page's SettlementLabels ([lat, lon, escaped name, major, rank]), as the browser reads them."""
    found = re.findall(r"\)\((feature_group_\w+), (\[\[.*?\]\])\);", html)
    assert len(found) == 1, "one SettlementLabels per map"
    return json.loads(found[0][1])


def test_settlement_labels_larger_ones_always_the_rest_when_zoomed_in(page, geography):
    labels = settlement_labels(page)
    total = len(geography["settlements"])
    assert len(labels) == total == 105
    major = (geography["settlements"]["population"] >= mapping.MAJOR_SETTLEMENT_POPULATION).sum()
    assert sum(row[3] for row in labels) == major
    assert sorted(row[4] for row in labels) == list(range(total))  # each its own rank
    names = {row[2]: row for row in labels}
    assert names["Koper"][3] == 1 and "Šmarje" in decoded(json.dumps(list(names)))
    assert ".koper-zoom-detail .koper-label.koper-minor" in decoded(page)
    # the browser makes each name's marker: the class map_look.js looks for, hidden from screen readers
    assert 'class="koper-label \' + kind' in page and 'aria-hidden="true"' in page
    assert "div_icon_" not in page  # no folium DivIcon: not one template per name (issue 14)


def test_settlement_names_are_escaped_text(table, geography):
    hostile = geography["settlements"].copy()
    hostile.loc[hostile.index[0], "name_sl"] = '<img src=x onerror=alert(1)>"}]);alert(2)//'
    text = build(table, dict(geography, settlements=hostile)).get_root().render()
    assert "<img" not in text and "alert(2)//" in decoded(text)
    assert any(row[2].startswith("&lt;img") for row in settlement_labels(text))


def test_settlement_labels_without_population_use_area_names(table, geography):
    plain = dict(geography, settlements=areas.load_settlements(DATA))
    labels = settlement_labels(build(table, plain).get_root().render())
    assert any(row[2] == "Bertoki" and row[3] == 1 for row in labels)


def test_selected_service_is_centred_ringed_and_opened(table, geography):
    m = build(table, geography, selected="day-care-oljka")
    assert m.location == [45.5385, 13.7225] and m.options["zoom"] == mapping.SELECTED_ZOOM
    text = decoded(m.get_root().render())
    assert 'selectedId = "loc-krozna-cesta-5-6000-koper"' in text  # its marker is drawn ringed
    assert "zoomToShowLayer" in text and "openPopup" in text
    by_location = build(table, geography, selected="loc-krozna-cesta-5-6000-koper")
    assert by_location.location == [45.5385, 13.7225]
    plain = build(table, geography, selected="no-such-thing", center=(45.5, 13.7), zoom=12)
    assert plain.location == [45.5, 13.7] and "zoomToShowLayer" not in plain.get_root().render()


def test_map_has_bounded_zoom_for_the_cluster_plugin(table, geography):
    m = build(table, geography)
    assert m.options["max_zoom"] == mapping.MAX_ZOOM and m.options["min_zoom"] == mapping.MIN_ZOOM
    assert '"maxZoom": 18' in m.get_root().render()


def test_size_helper_and_module_is_pure(page, table, geography):
    assert abs(mapping.map_html_size(build(table, geography)) - len(page.encode())) < 2000
    assert mapping.map_html_size(build(table, geography)) < 600_000
    sources = sorted((settings.PROJECT_DIR / "geo" / "mapping").glob("*.py"))
    assert len(sources) >= 6  # the package's modules
    for path in sources:
        source = path.read_text()
        assert "import streamlit" not in source and "open(" not in source, path.name


def test_empty_or_unlocated_tables_give_a_map_without_markers(geography):
    empty = mapping.build_map(pd.DataFrame(columns=["id", "location_type", "address"]), "en",
                              when=WHEN, **geography)
    assert location_rows(empty.get_root().render()) == []
    assert mapping.map_locations(pd.DataFrame({"location_type": ["site"], "address": ["X"],
                                               "lat": [float("nan")], "lon": [13.7]})) == []


# --- never drawn: area and confidential services ------------------------------------------------


def test_area_and_confidential_services_are_never_drawn(table, page):
    text = decoded(page)
    drawn_names = {i18n.field(r, "name", "sl") for r in placed(table).to_dict("records")}
    hidden = table[table["location_type"].isin(["area", "confidential"])]
    assert len(hidden) == 14
    for record in hidden.to_dict("records"):
        assert f'data-service-id="{record["id"]}"' not in text
        name = record["name_sl"]
        if not any(name in other for other in drawn_names):
            assert name not in text, name
    for record in table[table["location_type"] == "confidential"].to_dict("records"):
        for lang in i18n.LANGUAGES:
            assert record[f"name_{lang}"] not in text


# --- hostile data ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "${alert(1)}`"


def hostile_record(**overrides) -> dict:
    record = {name: "" for name in model.FIELD_NAMES}
    record.update(
        id="evil", name_sl=SCRIPT, name_it='Nome "doppio" e \'singolo\'', name_en=TEMPLATE,
        category="counselling", target_groups=["general"], location_type="site", service_area=[],
        provider=IMG, address='"><svg onload=alert(1)> Ulica 1, 6000 Koper', phones=["+38656634550", "javascript:alert(1)"],
        emails=['x@example.si"><script>alert(1)</script>', "ok@example.si"], website="javascript:alert(1)",
        opening_hours="Mo-Fr 08:00-15:00", hours_note_sl=TEMPLATE + "</script><script>alert(1)</script>",
        price_type="free", exemption_possible=False, price_sl=IMG, how_to_apply_sl="</div></div><script>alert(1)</script>",
        source="x", source_lines="1", last_verified="2026-11-01", lat=45.5411, lon=13.7311,
        location_precision="manual", location_accuracy_m="<b>9</b>", area_id="", area_name=IMG,
    )
    record.update(overrides)
    return record


@pytest.fixture(scope="module")
def hostile_table() -> pd.DataFrame:
    return pd.DataFrame([
        hostile_record(),
        hostile_record(id="evil-2", name_sl="Second at the same address", website="https://example.si/a\"b"),
        hostile_record(id="secret", name_sl="SECRET-SHELTER", name_it="SECRET-IT", name_en="SECRET-EN",
                       location_type="confidential", address="Skrita ulica 9", lat=45.612345, lon=13.854321),
        hostile_record(id="at-home", name_sl="AREA-SERVICE", location_type="area", address="Urad 1",
                       lat=45.498765, lon=13.912345),
    ])


@pytest.fixture(scope="module")
def hostile_geography(geography):
    boundaries = json.loads(json.dumps(geography["boundaries"]))
    boundaries["features"][0]["properties"]["name_sl"] = IMG
    boundaries["features"][0]["properties"]["evil"] = SCRIPT  # extra properties are dropped
    settlements = geography["settlements"].copy()
    settlements.loc[0, "name_sl"] = SCRIPT
    return dict(geography, boundaries=boundaries, settlements=settlements)


@pytest.fixture(scope="module")
def hostile_page(hostile_table, hostile_geography) -> str:
    return build(hostile_table, hostile_geography, selected="evil").get_root().render()


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def parsed(fragment: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(fragment)
    collector.close()
    return collector


def assert_inert(fragment: str) -> TagCollector:
    """No script/img/svg element, no on* attribute, only http(s)/mailto/tel links."""
    collected = parsed(fragment)
    assert not {"script", "img", "svg", "iframe"} & set(collected.tags), collected.tags
    assert not [name for name, _ in collected.attrs if name.startswith("on")]
    for name, value in collected.attrs:
        if name == "href":
            assert re.match(r"^(https?://|mailto:|tel:\+)", value or ""), value
    return collected


def test_hostile_fragments_are_inert_and_shown_as_text(hostile_table):
    located = mapping.map_locations(hostile_table)
    assert len(located) == 1 and len(located[0].services) == 2
    for lang in i18n.LANGUAGES:
        popup = assert_inert(popup_reference.popup_html(located[0], lang, WHEN))
        text = "".join(popup.text)
        assert IMG in text and "javascript:alert(1)" in text
        if lang == "sl":
            assert SCRIPT in text
        assert_inert(popup_reference.tooltip_html(located[0], lang))
    assert_inert(popup_reference.marker_html(located[0], selected=True))
    hrefs = [v for n, v in parsed(popup_reference.popup_html(located[0], "sl", WHEN)).attrs if n == "href"]
    assert "tel:+38656634550" in hrefs and "mailto:ok@example.si" in hrefs
    assert not any("example.si/a" in h for h in hrefs)  # a web address with a quote gets no link


def test_hostile_rows_are_escaped_text_and_safe_links(hostile_table):
    located = mapping.map_locations(hostile_table)
    for lang in i18n.LANGUAGES:
        row = mapping.location_row(located[0], lang, WHEN)
        services = row[7]
        hrefs = [row[6]] + [s[12] for s in services] + [link[0] for s in services for link in s[5] + s[6]]
        hrefs += [s[7][0] for s in services if s[7]]
        assert all(h == "" or re.match(r"^(https?://|mailto:|tel:\+)", h) for h in hrefs), hrefs
        texts = [t for t in strings(row) if t not in hrefs]
        assert not any(c in t for t in texts for c in "<>\"'"), texts  # escaped: no markup, no quote
        assert safe.html_text(IMG) in texts and safe.html_text("javascript:alert(1)") in texts
        if lang == "sl":
            assert safe.html_text(SCRIPT) == services[0][1]


def test_hostile_map_html_has_nothing_live(hostile_page):
    text = decoded(hostile_page)
    assert "<script>alert" not in hostile_page and "<script>alert" not in text
    assert "<img src=x" not in text and "<svg onload" not in text
    for match in re.finditer(r"onerror=", text):
        assert text[max(0, match.start() - 14):match.start()] == "&lt;img src=x ", text[match.start() - 40:match.end()]
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", text, re.IGNORECASE)
    # Data reaches scripts only as JSON strings, never inside a template literal where ${…} runs.
    assert "${alert" not in re.sub(r'"(?:[^"\\]|\\.)*"', '""', hostile_page)
    assert SCRIPT not in text
    assert '"evil": ' not in text  # boundary properties other than the label never reach the page


def test_hostile_confidential_and_area_rows_leave_no_trace(hostile_page):
    text = decoded(hostile_page)
    for secret in ("SECRET-SHELTER", "SECRET-IT", "SECRET-EN", "Skrita ulica", "AREA-SERVICE", "Urad 1"):
        assert secret not in text, secret
    for coordinate in ("45.612345", "13.854321", "45.498765", "13.912345"):
        assert coordinate not in hostile_page, coordinate


@pytest.mark.browser
def test_hostile_map_runs_no_script_in_a_browser(tmp_path, hostile_table, hostile_geography):
    """Open every popup and tooltip of the hostile map: no alert ever fires."""
    browser_support.require_browser()
    from playwright.sync_api import sync_playwright

    m = build(hostile_table, hostile_geography)
    page_file = tmp_path / "hostile.html"
    page_file.write_text(assets.standalone_html(m), encoding="utf-8")
    dialogs, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(browser_support.CHROMIUM), args=browser_support.CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route(re.compile(r"^https?://"), lambda route: route.abort())
            page.goto(page_file.as_uri())
            page.wait_for_selector(".koper-legend", timeout=10_000)
            opened = page.evaluate("""() => {
                let n = 0;
                for (const key of Object.keys(window)) {
                    const map = window[key];
                    if (!key.startsWith("map_") || !map || !map.eachLayer) continue;
                    map.setView([45.5411, 13.7311], 18);
                    map.eachLayer(layer => {
                        if (layer.getPopup && layer.getPopup()) { layer.openPopup(); n++; }
                        if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
                    });
                }
                return n;
            }""")
            page.wait_for_timeout(300)
            assert opened >= 1
            assert page.locator(".koper-popup").count() >= 1
            # the popup built in the browser shows what the Python reference (popup_html) shows
            shown = page.locator(".koper-popup").first.evaluate("e => e.textContent")
            located = mapping.map_locations(hostile_table)[0]
            assert shown == "".join(parsed(popup_reference.popup_html(located, "sl", WHEN)).text)
            assert page.locator(".koper-popup").first.evaluate(
                "e => [...e.querySelectorAll('[data-service-id]')].map(s => s.dataset.serviceId)") == ["evil", "evil-2"]
        finally:
            browser.close()
    assert dialogs == [] and errors == []


# --- template syntax and size --------------------------------------------------------------------

TEMPLATE_NAME = "{{ 7*7 }} {% raw %}"


def test_template_syntax_in_a_name_reaches_the_browser_as_text_on_both_render_paths(table, geography, monkeypatch):
    import streamlit_folium

    table = table.copy()
    table.loc[table["id"] == "day-care-oljka", "name_sl"] = TEMPLATE_NAME
    page = build(table, geography).get_root().render()
    captured = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: captured.update(kwargs))
    streamlit_folium.st_folium(build(table, geography), key="map", returned_objects=[])
    for html in (page, captured["script"]):
        assert "{{ 7*7" not in html and "{% raw" not in html
        row = next(r for r in location_rows(html) if r[2] == "loc-krozna-cesta-5-6000-koper")
        name = next(s[1] for s in row[7] if s[0] == "day-care-oljka")
        assert name == "&#123;&#123; 7*7 &#125;&#125; &#123;% raw %&#125;"  # entities, shown as the name
        assert "".join(parsed(name).text) == TEMPLATE_NAME


def test_script_json_never_closes_a_script_nor_forms_a_template_delimiter():
    text = mapping.script_json([[1.5, "</script><!-- {{ x }} {% y %} {# z #} & é \u2028", ["a"]]])
    assert not set("<>&{}") & set(text) and text.isascii()
    assert json.loads(text) == [[1.5, "</script><!-- {{ x }} {% y %} {# z #} & é \u2028", ["a"]]]


def synthetic_table(n: int, seed: int = 7) -> pd.DataFrame:
    """n services, each at its own address in the Koper box, like bench/synthetic.py (seeded)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    south, west, north, east = settings.KOPER_BBOX
    rows = []
    for i, (lat, lon, category) in enumerate(zip(rng.uniform(south, north, n), rng.uniform(west, east, n),
                                                 rng.choice(model.CATEGORIES, n))):
        record = {name: "" for name in model.FIELD_NAMES}
        record.update(id=f"synthetic-{i + 1}", name_sl=f"Sintetična storitev {i + 1}", category=str(category),
                      name_en=f"Synthetic service {i + 1}", target_groups=["general"],
                      location_type="site" if i % 5 else "office", provider=f"Ponudnik {i % 97 + 1}",
                      address=f"Sintetična ulica {i + 1}, 6000 Koper", phones=["+38656634593"], emails=[],
                      opening_hours=("Mo-Fr 08:00-15:00; PH off", "")[i % 2], price_type="free",
                      source="synthetic", last_verified="2026-11-23", lat=round(float(lat), 6),
                      lon=round(float(lon), 6), location_precision="manual", location_accuracy_m=10)
        rows.append(record)
    return pd.DataFrame(rows)


#: Average bytes of rendered map HTML per address (one service each) that the map must stay under:
#: measured 581 with compact popup rows (2,200 with full popup HTML per address), ~20 % headroom.
BYTES_PER_LOCATION = 700


def test_ten_thousand_addresses_build_and_render_in_one_layer_within_the_byte_budget(geography):
    big = synthetic_table(10_000)
    m = mapping.build_map(big, "en", when=WHEN, **geography)
    html = m.get_root().render()
    rows = location_rows(html)
    assert len(rows) == 10_000 and len({r[2] for r in rows}) == 10_000
    assert html.count("L.marker(") == 2 and len(settlement_labels(html)) == len(geography["settlements"])
    empty = mapping.build_map(big.iloc[:0], "en", when=WHEN, **geography).get_root().render()
    per_location = (len(html.encode()) - len(empty.encode())) / 10_000
    assert per_location < BYTES_PER_LOCATION, per_location


def test_ten_thousand_addresses_keep_their_markers_file_and_koper_carries_its_markers_inline(table):
    """ui.frames inlines a view's markers only under rows.INLINE_MARKERS_MAX_BYTES (issue 14)."""
    big = mapping.rows.marker_json(mapping.map_locations(synthetic_table(10_000)), "en")
    assert len(big) > 1_000_000 and mapping.rows.inline_markers(big) is None
    for lang in i18n.LANGUAGES:
        koper = mapping.rows.marker_json(mapping.map_locations(table), lang)
        assert mapping.rows.inline_markers(koper) == koper
        assert len(koper) < mapping.rows.INLINE_MARKERS_MAX_BYTES / 10  # Koper is ~3 KB
    assert mapping.rows.inline_markers("[" + " " * 10 + "]", max_bytes=11) is None
    assert mapping.rows.inline_markers("[" + " " * 9 + "]", max_bytes=11) == "[" + " " * 9 + "]"


def test_inline_markers_go_with_a_rows_url_only(table, geography):
    located = mapping.map_locations(table)
    markers = mapping.rows.marker_json(located, "sl")
    html = mapping.build_map(table, "sl", when=WHEN, located=located, rows_url="/app/static/maprows/v.json",
                             markers_json=markers, **geography).get_root().render()
    assert "var rows = null;" in html and f"var markers = {markers};" in html
    assert html.count("var markers = ") == 1 and '"rowsUrl": "/app/static/maprows/v.json"' in html
    fetched = mapping.build_map(table, "sl", when=WHEN, located=located, rows_url="/app/static/maprows/v.json",
                                **geography).get_root().render()
    assert "var markers = null;" in fetched
    with pytest.raises(ValueError):
        mapping.LocationLayer(markers, "sl", markers=markers)  # nothing would bring their details


# --- the map's own JavaScript and CSS: real files, inlined as they are ---------------------------

from geo.mapping import elements, layers, rows, style  # noqa: E402 - the package's modules, tested one by one

JS_FUNCTIONS = {"location_layer.js": "koperLocationLayer", "open_selected.js": "koperOpenSelected",
                "legend.js": "koperLegend", "map_look.js": "koperMapLook", "street_tiles.js": "koperStreetTiles",
                "fit_view.js": "koperFitView"}


def test_static_files_are_the_package_resources_on_disk():
    folder = settings.PROJECT_DIR / "geo" / "mapping" / "static"
    assert sorted(p.name for p in folder.iterdir()) == sorted(elements.STATIC_FILES)
    for name in elements.STATIC_FILES:
        assert elements.static_text(name) == (folder / name).read_text("utf-8")
    assert elements.LOCATION_LAYER_JS == (folder / "location_layer.js").read_text("utf-8")
    with pytest.raises(FileNotFoundError):
        elements.static_text("no-such-file.js")


@pytest.mark.parametrize("name", elements.STATIC_FILES)
def test_static_code_cannot_end_its_element_nor_form_a_template_delimiter(name):
    code = elements.static_text(name)
    # branca renders an element's output again as a Jinja template; "</script"/"</style" would end the element
    for forbidden in ("{{", "{%", "{#", "</script", "</style", "<!--"):
        assert forbidden not in code.lower(), (name, forbidden)
    assert code.isascii()


@pytest.mark.parametrize(("name", "function"), sorted(JS_FUNCTIONS.items()))
def test_each_script_is_one_function_the_template_calls(name, function):
    code = elements.static_text(name)
    assert re.findall(r"^function (\w+)\(", code, re.MULTILINE) == [function]
    # the template wraps the file in parentheses: it must end with the function's closing brace
    assert code.rstrip().endswith("}")
    node = shutil.which("node")
    if node:  # a syntax check when Node.js is there; the browser tests run the code in any case
        result = subprocess.run([node, "--check", str(settings.PROJECT_DIR / "geo" / "mapping" / "static" / name)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr


def test_page_inlines_each_file_once_and_the_css_in_the_header(table, geography):
    m = build(table, geography, selected="day-care-oljka")
    html = m.get_root().render()
    for code in (elements.LOCATION_LAYER_JS, elements.OPEN_SELECTED_JS, elements.LEGEND_JS, elements.MAP_LOOK_JS):
        assert html.count(code) == 1
    assert html.count(elements.MAP_CSS) == 1 and html.count(style.map_css()) == 1
    header = m.get_root().header.render()
    assert elements.MAP_CSS in header and html.index(elements.MAP_CSS) < html.index(style.map_css())
    # the calls: each file's function with the element's arguments, data only as JSON values
    assert re.search(r"\)\(map_\w+, 13\);", html)  # MapLook: DETAIL_ZOOM
    assert re.search(r"\)\(cluster, rows, labels, selectedId, \{", html)
    assert re.search(r"\}\)\(marker_cluster_\w+\);", html)
    assert re.search(r'\)\(location_layer_\w+, "loc-krozna-cesta-5-6000-koper"\);', html)


def test_css_rules_from_the_constants_cover_every_category_and_size():
    css = style.map_css()
    for category, colour in style.CATEGORY_COLOURS.items():
        assert f".koper-symbol.koper-cat-{category}{{background:{colour};color:{style.text_colour(colour)};" in css
    for size in style.SYMBOL_CLASS_SIZES:
        assert f".koper-s{size}{{width:{size}px;height:{size}px;" in css
    assert f".koper-marker{{position:relative;width:{style.MARKER_SIZE}px;height:{style.MARKER_SIZE}px;" in css
    assert style.text_colour("#F0E442") == "#000000" and style.text_colour("#0072B2") == "#ffffff"


def test_rows_of_a_whole_map_equal_the_rows_one_by_one_and_share_no_list(table):
    located = mapping.map_locations(table)
    together = rows.location_rows(located, "sl", WHEN)
    assert together == [rows.location_row(loc, "sl", WHEN) for loc in located]
    # phone numbers are formatted once per map: the rows must still be independent lists
    first_phone = next(s[5][0] for r in together for s in r[7] if s[5])
    first_phone.append("changed")
    assert not any(p == first_phone for r in together for s in r[7] for p in s[5] if p is not first_phone)
    assert rows.location_json(located, "sl", WHEN) == rows.script_json(rows.location_rows(located, "sl", WHEN))


def test_hours_and_verified_lines_in_each_language():
    record = {"opening_hours": "Mo-Fr 07:00-15:00", "hours_note_sl": "Po dogovoru", "last_verified": "2026-11-20"}
    assert rows.hours_lines(record, "en", WHEN) == ["Po dogovoru", "Mon 23 Nov: 07:00–15:00",
                                                      present.state_text(record, "en", WHEN)]
    assert rows.hours_lines({"opening_hours": "", "hours_note_sl": ""}, "en", WHEN) == [present.hours_text({}, "en")]
    with pytest.raises(Exception):  # noqa: B017 - whatever the hours parser raises
        present.state_text({"opening_hours": "not hours at all((("}, "en", WHEN)
    assert rows.state_text({"opening_hours": "not hours at all((("}, "en", WHEN) == i18n.t("state.unknown", "en")
    assert rows.verified_text(record, "sl") == i18n.t("map.verified", "sl", date="20. nov. 2026")
    assert rows.verified_text({"last_verified": "yesterday"}, "sl") == rows.verified_text({}, "sl") == ""


def test_base_layers_keep_only_geometry_and_an_escaped_label():
    collection = {"features": [{"geometry": {"type": "Point", "coordinates": [13.7, 45.5]},
                                "properties": {"name_sl": "<b>Koper</b>", "name_it": "Capodistria", "area_id": "ks-1",
                                               "secret": "x"}}]}
    kept = layers.feature_collection(collection, lambda p: i18n.name_in(p, "it"))
    assert kept["features"][0]["properties"] == {"label": "Capodistria", "area_id": "ks-1"}
    kept = layers.feature_collection(collection, lambda p: i18n.name_in(p, "sl"))
    assert kept["features"][0]["properties"]["label"] == safe.html_text("<b>Koper</b>")
    settlements = pd.DataFrame({"name_sl": ["Koper", "Vas", "Nikjer"], "name_it": ["Capodistria", "", ""],
                                "lat": [45.5, 45.4, float("nan")], "lon": [13.7, 13.8, 13.9], "population": [25000, 40, 9]})
    assert layers.settlement_rows(settlements, {}, "it") == [("Capodistria", 45.5, 13.7, True), ("Vas", 45.4, 13.8, False)]


def test_the_choropleth_stands_on_the_same_base_map(geography):
    from geo import choropleth

    area_id = geography["boundaries"]["features"][0]["properties"]["area_id"]
    table = pd.DataFrame({"area_id": [area_id], "name_sl": ["Bertoki"], "name_it": ["Bertocchi"], "mean_distance_km": [2.0]})
    fmap = choropleth.build_choropleth(table, geography["boundaries"], "mean_distance_km", "it", title="T",
                                       outline=geography["outline"])
    html = fmap.get_root().render()
    assert fmap.options["min_zoom"] == style.MIN_ZOOM and fmap.options["max_zoom"] == style.MAX_ZOOM
    assert html.count(elements.MAP_LOOK_JS) == 1 and html.count(elements.LEGEND_JS) == 1
    assert elements.MAP_CSS in html and "tile.openstreetmap.org" in html
    assert decoded(html).count('"attribution": "Vir: GURS, Register prostorskih enot"') == 2  # areas and outline


# --- a map people can read (issue 12) -------------------------------------------------------------


def test_the_map_page_lets_a_phone_user_pinch_zoom(table, geography):
    m = build(table, geography)
    m.get_root().render()
    header = m.get_root().header.render()
    assert "maximum-scale" not in header and "user-scalable" not in header
    assert header.count(elements.VIEWPORT) == 1
    m.render()  # streamlit-folium renders the map again before reading the header: still one, still zoomable
    header = m.get_root().header.render()
    assert "maximum-scale" not in header and header.count('name="viewport"') == 1


def test_the_scale_is_metric_only(page):
    assert "L.control.scale()" not in page  # folium's own shows miles and feet too
    assert "L.control.scale({metric: true, imperial: false})" in elements.MAP_LOOK_JS


def fit_calls(html: str) -> list[list]:
    return [json.loads(b) for b in re.findall(r"\)\(map_\w+, (\[\[[^\]]*\], \[[^\]]*\]\]), 16, 24\);", html)]


def test_the_first_view_is_the_whole_municipality_at_the_maps_real_size(table, geography, page):
    south, west, north, east = settings.MUNICIPALITY_BOUNDS
    assert fit_calls(page) == [[[south, west], [north, east]]]
    assert page.count(elements.FIT_VIEW_JS) == 1
    # the outline file lies inside those bounds (the eastern villages included)
    coords = re.findall(r"\[(1[34]\.\d+), (45\.\d+)\]", json.dumps(geography["outline"]))
    assert coords and all(west <= float(x) <= east and south <= float(y) <= north for x, y in coords)
    # a view from the link, or a selected address, is kept as it is
    assert fit_calls(build(table, geography, center=(45.5, 13.7), zoom=14).get_root().render()) == []
    assert fit_calls(build(table, geography, selected="day-care-oljka").get_root().render()) == []


def test_a_result_map_frames_the_start_and_every_result(table, geography):
    points = [(45.5497, 13.8133), (45.5385, 13.7225), (45.5466, 13.7301)]
    html = build(table, geography, fit=points).get_root().render()
    assert fit_calls(html) == [[[45.5385, 13.7225], [45.5497, 13.8133]]]
    assert "fitBounds([[" not in html  # not folium's fit at creation, on a frame without its size
    assert layers.bounds_of([(1.0, 2.0)]) == [[1.0, 2.0], [1.0, 2.0]]
    with pytest.raises(ValueError):
        layers.bounds_of([])


def test_settlement_names_are_ranked_major_first_then_by_residents(geography, page):
    ranks = {name: rank for _lat, _lon, name, _major, rank in settlement_labels(page)}
    assert len(ranks) == len(set(ranks.values())) == 105
    settlements = geography["settlements"]
    by_people = settlements.sort_values("population", ascending=False)["name_sl"].tolist()
    assert ranks[by_people[0]] == 0 == ranks["Koper"]
    major = set(settlements.loc[settlements["population"] >= mapping.MAJOR_SETTLEMENT_POPULATION, "name_sl"])
    assert max(ranks[n] for n in major) < min(r for n, r in ranks.items() if n not in major)
    assert ranks["Gračišče"] < ranks["Abitanti"] or settlements.set_index("name_sl").loc["Gračišče", "population"] <= \
        settlements.set_index("name_sl").loc["Abitanti", "population"]


def test_popup_links_never_break_mid_word():
    assert "break-all" not in elements.MAP_CSS
    assert ".koper-popup a.koper-nowrap { white-space: nowrap; }" in elements.MAP_CSS
    assert 'link(osmHref, "OpenStreetMap", true, "koper-nowrap")' in elements.LOCATION_LAYER_JS
    assert 'link(s[12], "Google Maps", true, "koper-nowrap")' in elements.LOCATION_LAYER_JS


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_markers_and_clusters_get_names_for_screen_readers(table, geography, lang):
    html = build(table, geography, lang).get_root().render()
    # settlement names are hidden from screen readers (markers and the list carry the places), the
    # areas' shapes are taken out of the Tab order, the map's box has a name
    assert len(settlement_labels(html)) == 105 and '" aria-hidden="true">\' + row[2]' in elements.SETTLEMENT_LABELS_JS
    assert 'path.setAttribute("tabindex", "-1")' in elements.MAP_LOOK_JS
    assert 'box.setAttribute("aria-label", texts.frame_title)' in elements.STREET_TILES_JS
    before, after = i18n.t("map.cluster_label", lang).split("{n}")
    assert re.search(r'"clusterLabel": \[\s*' + re.escape(json.dumps(safe.html_text(before))) + r',\s*'
                     + re.escape(json.dumps(safe.html_text(after))) + r',?\s*\]', html)
    assert "options.clusterLabel[0] + String(group.getChildCount()) + options.clusterLabel[1]" in elements.LOCATION_LAYER_JS
    assert 'marker._icon.setAttribute("aria-label", name)' in elements.LOCATION_LAYER_JS


# --- ui.map_view: a cleared selection stays cleared; a framed first view stays out of the link ------


def _map_view_script():
    import streamlit as st

    from geo import mapping
    from ui import map_view

    located = [mapping.Location("loc-a", "A", 45.5, 13.7, ({"id": "s1"},))]
    map_view.start(("sig",))
    click = {"last_object_clicked": {"lat": 45.5, "lng": 13.7}, "center": {"lat": 45.51, "lng": 13.84}, "zoom": 11}
    steps = []
    map_view.remember({**click, "last_object_clicked_count": 1}, located)  # first report: the framing + a click
    steps.append((st.session_state.map_selected, dict(map_view.link_params())))
    map_view.clear_selection()
    map_view.remember({**click, "last_object_clicked_count": 1}, located)  # the same (stale) click again
    steps.append((st.session_state.map_selected, dict(map_view.link_params())))
    map_view.remember({**click, "last_object_clicked_count": 2}, located)  # a new click on the same marker
    steps.append((st.session_state.map_selected, None))
    map_view.remember({**click, "center": {"lat": 45.55, "lng": 13.75}, "zoom": 13, "last_object_clicked_count": 2},
                      located)  # the user moved the map
    steps.append((None, dict(map_view.link_params())))
    st.session_state.steps = steps


def test_clear_selection_ignores_the_stale_click_and_the_framing_is_not_a_move():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_map_view_script).run()
    assert not at.exception
    steps = at.session_state["steps"]
    assert steps[0] == ("loc-a", {"loc": "loc-a"})  # the fitted first view is not put in the link
    assert steps[1] == (None, {})  # cleared, and the map's repeated last click does not select it again
    assert steps[2][0] == "loc-a"  # a new click does
    assert steps[3][1] == {"lat": "45.55000", "lon": "13.75000", "z": "13", "loc": "loc-a"}


def _reframing_script():
    import streamlit as st

    from ui import map_view

    map_view.start(("sig",))
    whole = {"_southWest": {"lat": 45.40, "lng": 13.60}, "_northEast": {"lat": 45.62, "lng": 14.05}}
    part = {"_southWest": {"lat": 45.50, "lng": 13.70}, "_northEast": {"lat": 45.56, "lng": 13.80}}
    steps = []
    # the first framing, then the map framing itself again once its notes are laid out (another centre)
    map_view.remember({"center": {"lat": 45.513, "lng": 13.840}, "zoom": 11.25, "bounds": whole}, [])
    map_view.remember({"center": {"lat": 45.489, "lng": 13.964}, "zoom": 11, "bounds": whole}, [])
    steps.append(dict(map_view.link_params()))
    map_view.remember({"center": {"lat": 45.53, "lng": 13.75}, "zoom": 14, "bounds": part}, [])  # the visitor zooms in
    steps.append(dict(map_view.link_params()))
    map_view.remember({"center": {"lat": 45.51, "lng": 13.84}, "zoom": 10, "bounds": whole}, [])  # and out again
    steps.append(dict(map_view.link_params()))
    map_view.remember({"center": {"lat": 45.5, "lng": 13.8}, "zoom": 9, "bounds": {"_southWest": "?"}}, [])
    steps.append(dict(map_view.link_params()))  # unreadable bounds: an ordinary move
    st.session_state.steps = steps


def test_a_view_of_the_whole_municipality_stays_out_of_the_link():
    # Every new visitor's link carried lat/lon/z: the map frames itself again as its notes appear,
    # and that second report counted as the visitor's move (seen in probes, this round and the last).
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_reframing_script).run()
    assert not at.exception
    steps = at.session_state["steps"]
    assert steps[0] == {}
    assert steps[1] == {"lat": "45.53000", "lon": "13.75000", "z": "14"}
    assert steps[2] == {}
    assert steps[3] == {"lat": "45.50000", "lon": "13.80000", "z": "9"}


def test_the_choropleth_is_framed_in_the_browser_beside_its_legend(geography):
    from geo import choropleth

    area_id = geography["boundaries"]["features"][0]["properties"]["area_id"]
    table = pd.DataFrame({"area_id": [area_id], "name_sl": ["Bertoki"], "name_it": ["Bertocchi"], "mean_distance_km": [2.0]})
    html = choropleth.build_choropleth(table, geography["boundaries"], "mean_distance_km", "sl", title="T",
                                       outline=geography["outline"]).get_root().render()
    assert html.count(elements.FIT_VIEW_JS) == 1 and "fitBounds([[" not in html
    assert len(fit_calls(html)) == 1

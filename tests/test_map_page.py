"""The service map page (the start page) through AppTest: filters, list, links, languages."""
from __future__ import annotations

import pytest

from apptest_support import list_entries, list_labels, map_args, map_location_ids, map_rows_text, run_page, texts
from geo import i18n, safe

# The shipped data: 36 records, 22 placed at 15 addresses, 10 area-wide, 3 confidential, and one
# information record (the funding call, issue 13: not a service, listed last as information).
ALL_ADDRESSES = 15
SUMMARY = {
    "sl": "**35** ustreznih storitev: 22 na 15 naslovih na zemljevidu, 10 na voljo kjer koli v občini, 3 samo po telefonu.",
    "it": "**35** servizi corrispondenti: 22 in 15 indirizzi sulla mappa, 10 disponibili ovunque nel comune, 3 solo per telefono.",
    "en": "**35** matching services: 22 at 15 addresses on the map, 10 available anywhere in the municipality, 3 by phone only.",
}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_map_page_renders_every_service_in_each_language(lang, data_dir):
    app = run_page(lang=lang)
    assert not app.exception, app.exception
    assert app.title[0].value == i18n.t("page.map", lang)
    assert app.markdown[0].value == SUMMARY[lang]  # every count in its own plural form (issue 12)
    assert len(map_location_ids(app)) == ALL_ADDRESSES
    headings = [s.value for s in app.subheader]
    assert headings == [i18n.t("list.at_address", lang, n=22), i18n.t("list.anywhere", lang, n=10),
                        i18n.t("list.confidential", lang, n=3), i18n.t("list.information", lang, n=1)]


def test_the_map_loads_its_code_from_this_server_only(data_dir):
    args = map_args(run_page(lang="en"))
    links = args["js_links"] + args["css_links"]
    assert links and all(link.startswith("/app/static/vendor/") for link in links)
    assert "cdn" not in args["script"].lower() and "cdn" not in args["html"].lower()


def test_a_category_filter_changes_the_markers_and_the_list(data_dir):
    app = run_page(lang="en")
    app.checkbox(key="map_category_residential").check().run()
    assert map_location_ids(app) == [
        "loc-krozna-cesta-5-6000-koper", "loc-oljcna-pot-65-6000-koper", "loc-gazon-39-6274-smarje",
        "loc-oljcna-pot-65-a-6000-koper", "loc-levja-ulica-7-6000-koper", "loc-kolodvorska-cesta-6000-koper",
    ]
    labels = list_labels(app)
    assert len(labels) == 7 and labels[0].startswith("Obalni dom upokojencev Koper")
    assert not any("Remote alarm" in label for label in labels)
    assert app.query_params["cat"] == "residential"  # the view is a link


def test_option_labels_carry_counts(data_dir):
    app = run_page(lang="en")
    assert app.checkbox(key="map_category_residential").label == "Housing and residential care (7)"
    app.checkbox(key="map_target_group_homeless").check().run()
    # with the target group chosen, the category counts shrink to what each choice would show
    # (a service for all residents matches every target group: the AED network counts too)
    assert app.checkbox(key="map_category_residential").label == "Housing and residential care (2)"
    assert app.checkbox(key="map_target_group_homeless").label == "Homeless people (4)"
    app.checkbox(key="map_category_residential").check().run()
    assert not app.exception and app.markdown[0].value.startswith("**2** matching")


def test_older_people_open_on_saturday_morning_from_a_link(data_dir):
    app = run_page(lang="en", grp="older", hours="open_at", at="2026-11-28T10:00", unk="0")
    assert not app.exception
    assert app.checkbox(key="map_target_group_older").value is True
    assert app.radio(key="map_hours").value == "open_at"
    assert app.checkbox(key="map_unknown").value is False
    # Only the 24/7 remote alarm is known to be open then; every other older-people service
    # has unknown or weekday hours, and unknown ones are excluded by this link.
    assert app.markdown[0].value.startswith("**1** matching service:")  # one service: singular (issue 12)
    assert list_labels(app) == ["Remote alarm – Red button · Care at home · Open"]
    assert "Open status is for Sat 28 Nov at 10:00." in texts(app)


def test_unknown_hours_are_kept_and_labelled_by_default(data_dir):
    app = run_page(lang="en", grp="older", hours="open_at", at="2026-11-28T10:00")
    labels = list_labels(app)
    assert "Remote alarm – Red button · Care at home · Open" in labels
    assert any(label.endswith("Open status unknown") and label.startswith("Day care centre") for label in labels) is False
    assert sum(label.endswith("Open status unknown") for label in labels) >= 5
    # a weekday-only day centre is closed on Saturday and is not listed
    assert not any(label.startswith("Oljka") for label in labels)


def test_a_public_holiday_is_said_and_respected(data_dir):
    app = run_page(lang="sl", hours="open_at", at="2026-12-25T10:00", unk="0")
    assert "je državni praznik v Sloveniji" in texts(app)
    assert all("Zaprto" not in label for label in list_labels(app))


def test_accent_insensitive_search_finds_cajanke(data_dir):
    app = run_page(lang="sl", q="cajanke")
    labels = list_labels(app)
    assert len(labels) == 1 and labels[0].startswith("Čajanke")
    assert app.text_input(key="map_text").value == "cajanke"


def test_a_link_restores_the_view_and_selected_location(data_dir):
    app = run_page(lang="it", cat="residential", lat="45.54000", lon="13.73000", z="15",
                   loc="loc-krozna-cesta-5-6000-koper")
    assert not app.exception
    assert app.checkbox(key="map_category_residential").value is True
    script = map_args(app)["script"]
    assert "center: [45.54, 13.73]" in script and '"zoom": 15' in script
    # in Italian, the register's Italian street and town names, the Slovene address after them
    assert app.subheader[0].value == i18n.t(  # the address is data: Markdown-escaped (geo.safe.md_text)
        "map.selected", "it", address=safe.md_text("Strada Circolare 5, 6000 Capodistria (Krožna cesta 5, 6000 Koper)"))
    assert app.query_params["loc"] == "loc-krozna-cesta-5-6000-koper"
    assert app.query_params["z"] == "15"


def test_bad_link_values_are_ignored_not_fatal(data_dir):
    app = run_page(lang="xx", cat="nonsense,residential", hours="sometimes", at="yesterday", lat="north", z="99",
                   loc="<script>")
    assert not app.exception
    assert app.title[0].value == i18n.t("page.map", "sl")  # unknown language → Slovene
    assert app.checkbox(key="map_category_residential").value is True
    assert app.radio(key="map_hours").value == "any"


def test_reset_clears_filters_and_their_link(data_dir):
    app = run_page(lang="en", cat="residential", q="dom")
    app.button(key="map_reset").click().run()
    assert app.checkbox(key="map_category_residential").value is False
    assert "cat" not in app.query_params and "q" not in app.query_params
    assert len(map_location_ids(app)) == ALL_ADDRESSES


def test_confidential_services_are_listed_by_phone_only_and_never_on_the_map(data_dir):
    app = run_page(lang="en", cat="crisis")
    text = texts(app)
    assert i18n.t("list.confidential", "en", n=3) in text
    assert "tel:+38670754530" in text
    script = map_args(app)["script"] + map_rows_text(app)  # the frame and the marker rows it fetches
    assert map_rows_text(app).startswith("[")  # the rows were found and read: the check below looks at them
    for service_id in ("safe-house", "crisis-centre-adults", "crisis-centre-youth"):
        assert service_id not in script


def test_no_match_says_so(data_dir):
    app = run_page(lang="en", q="zzzz-no-such-service")
    assert app.info[0].value == i18n.t("map.none", "en")
    assert map_location_ids(app) == []


def test_a_long_list_is_shown_a_page_at_a_time(data_dir, monkeypatch):
    from ui import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 10)
    app = run_page(lang="en")
    assert len(list_entries(app)) == 10 + 10 + 3 + 1  # at an address (22), anywhere (10), by phone (3), information (1)
    assert "Showing 10 of 22." in texts(app)
    app.button(key="list_shown_site_more").click().run()
    assert len(list_entries(app)) == 20 + 10 + 3 + 1
    app.button(key="list_shown_site_more").click().run()
    assert len(list_entries(app)) == 22 + 10 + 3 + 1


def test_two_sessions_with_the_same_view_share_one_built_marker_layer(data_dir, monkeypatch):
    import datetime as dt

    from geo import hours, mapping

    # a fixed clock: the layer is keyed by the minute, and a minute may tick between two page loads
    monkeypatch.setattr(hours, "local_now", lambda: dt.datetime(2026, 11, 23, 10, 0))
    built = []
    original = mapping.rows.marker_json
    monkeypatch.setattr(mapping.rows, "marker_json", lambda *a, **k: built.append(1) or original(*a, **k))
    first = run_page(lang="en", cat="residential")
    second = run_page(lang="en", cat="residential")  # another browser, same link
    assert map_location_ids(first) == map_location_ids(second)
    assert len(built) == 1
    run_page(lang="it", cat="residential")  # another language is another view
    assert len(built) == 2


# --- ui.map_view: the link and the browser's report, without a page -------------------------------

def test_the_view_from_a_link_is_bounded():
    from geo import mapping
    from ui import map_view

    assert map_view.from_link({"lat": "45.55", "lon": "13.73", "z": "14", "loc": "loc-1"}) == {
        "center": (45.55, 13.73), "zoom": 14, "selected": "loc-1"}
    bad = map_view.from_link({"lat": "91", "lon": "nan", "z": str(mapping.MAX_ZOOM + 1), "loc": "x" * 100_000})
    assert bad["center"] is None and bad["zoom"] is None and len(bad["selected"]) == map_view.MAX_LOC_CHARS
    assert map_view.from_link({"lat": "45.5", "z": "1e309"}) == {"center": None, "zoom": None, "selected": None}


def test_a_click_selects_the_marker_it_hit_only():
    from types import SimpleNamespace

    from ui import map_view

    located = [SimpleNamespace(lat=45.5, lon=13.7, location_id="a"), SimpleNamespace(lat=45.6, lon=13.8, location_id="b")]
    assert map_view.clicked_location(located, {"lat": 45.6, "lng": 13.8}).location_id == "b"
    assert map_view.clicked_location(located, {"lat": 45.6001, "lng": 13.8}) is None  # ~11 m away: no marker
    assert map_view.clicked_location(located, {"lat": "junk", "lng": 13.8}) is None
    assert map_view.clicked_location(located, None) is None


def test_the_list_texts_are_made_once_and_shared_by_every_session(data_dir, monkeypatch):
    import datetime as dt

    from geo import hours, present

    monkeypatch.setattr(hours, "local_now", lambda: dt.datetime(2026, 11, 23, 10, 0))  # keyed by the minute
    made = []
    original = present.details_markdown
    monkeypatch.setattr(present, "details_markdown", lambda *a, **k: made.append(1) or original(*a, **k))
    first = run_page(lang="en")
    once = len(made)
    assert once >= len(list_entries(first)) > 30
    second = run_page(lang="en")  # another browser, same minute: nothing made again
    assert len(made) == once
    assert list_labels(first) == list_labels(second)
    assert [m.value for m in first.markdown] == [m.value for m in second.markdown]
    run_page(lang="it")  # another language: made once more
    assert len(made) > once


def test_the_filter_counts_are_counted_once_and_shared_by_every_session(data_dir, monkeypatch):
    import datetime as dt

    from geo import filters, hours

    monkeypatch.setattr(hours, "local_now", lambda: dt.datetime(2026, 11, 23, 10, 0))
    counted = []
    original = filters.counts
    monkeypatch.setattr(filters, "counts", lambda *a, **k: counted.append(1) or original(*a, **k))
    first = run_page(lang="en")
    second = run_page(lang="en")
    assert len(counted) == 1
    assert first.checkbox(key="map_category_residential").label == "Housing and residential care (7)"
    assert second.checkbox(key="map_category_residential").label == "Housing and residential care (7)"
    second.checkbox(key="map_target_group_homeless").check().run()  # other filters: counted for that view
    assert len(counted) == 2
    assert second.checkbox(key="map_category_residential").label == "Housing and residential care (2)"


def test_the_matching_services_are_filtered_once_per_view_and_shared_by_every_session(data_dir, monkeypatch):
    """The page's filtered table (summary, list, referral sheet) is one shared result per view and minute
    (issue 14); the map's own layer is cached apart and filters once per view too."""
    import datetime as dt

    from geo import filters, hours

    monkeypatch.setattr(hours, "local_now", lambda: dt.datetime(2026, 11, 23, 10, 0))
    filtered = []
    original = filters.apply
    monkeypatch.setattr(filters, "apply", lambda *a, **k: filtered.append(a[1]) or original(*a, **k))
    first = run_page(lang="en")
    once = len(filtered)
    second = run_page(lang="en")  # another browser, same view and minute
    assert len(filtered) == once and first.markdown[0].value == second.markdown[0].value
    second.checkbox(key="map_category_residential").check().run()  # another view: filtered for it
    assert len(filtered) > once and second.markdown[0].value.startswith("**7** matching")
    assert len(list_entries(second)) == 7

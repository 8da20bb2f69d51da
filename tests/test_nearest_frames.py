"""The nearest page's result map and the what-if tables and map: made once per view and shared by the
sessions that may share them, rebuilt when the view changes (issue 14)."""
from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st

from apptest_support import map_args, map_location_ids, run_page
from geo import areas, coverage, hours, nearest, scenario
from test_whatif_page import MAREZIGE, open_page
from ui import map_frame

NEAREST = "pages/nearest.py"
DEKANI, HRVATINI = "10101522", "10101662"
WHEN = dt.datetime(2026, 11, 23, 10, 0)  # a Monday morning


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setattr(hours, "local_now", lambda: WHEN)  # the frames are keyed by the minute
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The key of every result or what-if map frame rendered (ui.map_frame.frame_args called; the
    service map that run_page opens first is not counted)."""
    calls: list[str] = []
    original = map_frame.frame_args

    def counted(*args, **kwargs):
        if kwargs["key"] in ("near_result_map", "wi_map"):
            calls.append(kwargs["key"])
        return original(*args, **kwargs)

    monkeypatch.setattr(map_frame, "frame_args", counted)
    return calls


def _typed_address(app, address: str):
    app.radio(key="near_method").set_value("address").run()
    app.text_input(key="near_address").input(address)
    app.button[0].click().run()  # the form's submit button
    return app


def test_a_second_session_gets_the_same_result_map_without_rendering_it(data_dir, rendered):
    first = run_page(NEAREST, "en", **{"from": f"settlement:{DEKANI}"})
    assert not first.exception and len(rendered) == 1
    second = run_page(NEAREST, "en", **{"from": f"settlement:{DEKANI}"})  # another browser, same link
    assert map_args(second) == map_args(first)
    assert len(rendered) == 1
    first.run()  # a rerun of the same view
    assert len(rendered) == 1
    assert len(map_location_ids(second)) == 3


def test_the_map_changes_with_the_start_point_the_results_and_the_language(data_dir, rendered):
    dekani = run_page(NEAREST, "en", **{"from": f"settlement:{DEKANI}"})
    app = run_page(NEAREST, "en", **{"from": f"settlement:{DEKANI}"})
    app.selectbox(key="near_settlement").set_value(HRVATINI).run()
    assert not app.exception and len(rendered) == 2
    before, after = map_args(dekani), map_args(app)
    assert before["script"] != after["script"] and before["key"] != after["key"]
    settlements = areas.load_settlements(data_dir)
    for shown, here, elsewhere in ((after, HRVATINI, DEKANI), (before, DEKANI, HRVATINI)):
        # the start marker is at the chosen settlement's centre (folium writes "[lat, lon]")
        lat, lon, _label, _kind = nearest.start_from_settlement(here, settlements)
        other_lat, other_lon, _label, _kind = nearest.start_from_settlement(elsewhere, settlements)
        assert f"[{lat!r}, {lon!r}]" in shown["script"] and f"[{other_lat!r}, {other_lon!r}]" not in shown["script"]
    assert map_location_ids(app) != map_location_ids(dekani)
    app.select_slider(key="near_k").set_value(5).run()  # more places: another map
    assert len(rendered) == 3 and len(map_location_ids(app)) == 5
    run_page(NEAREST, "it", **{"from": f"settlement:{DEKANI}"})  # another language: another map
    assert len(rendered) == 4


def test_a_typed_address_keeps_its_map_in_its_own_session_only(data_dir, rendered):
    one = _typed_address(run_page(NEAREST, "en"), "Krožna cesta 5, Koper")
    assert not one.exception and len(rendered) == 1
    one.run()  # the same session again: its own kept frame
    assert len(rendered) == 1
    other = _typed_address(run_page(NEAREST, "en"), "Krožna cesta 5, Koper")
    # Another session that typed the same address renders its own: nothing shared holds the point.
    assert len(rendered) == 2
    assert map_args(other) == map_args(one)
    kept_view, _frame = other.session_state["near_map_frame"]
    assert not any("Krožna" in str(part) or "Kro" in str(part) for part in kept_view)  # the point, not the text


def test_a_second_what_if_session_gets_the_tables_and_map_without_computing_them(data_dir, rendered, monkeypatch):
    computed = []
    original = coverage.area_coverage
    monkeypatch.setattr(coverage, "area_coverage", lambda *a, **k: computed.append(1) or original(*a, **k))
    link = scenario.encode([MAREZIGE])
    first = open_page("en", wi=link)
    assert not first.exception
    tables_once, maps_once = len(computed), len(rendered)
    assert tables_once >= 2 and maps_once == 1  # before and after (and whatever else the page computes)
    second = open_page("en", wi=link)
    assert len(computed) == tables_once and len(rendered) == 1
    assert second.dataframe[0].value.equals(first.dataframe[0].value)
    assert map_args(second) == map_args(first)
    second.toggle(key="wi_only_changed").set_value(False).run()  # a rerun: nothing recomputed
    assert len(computed) == tables_once and len(rendered) == 1
    assert len(second.dataframe[0].value) > len(first.dataframe[0].value)
    italian = open_page("it", wi=link)  # the same numbers in another language: a new map, not new tables
    assert not italian.exception and len(computed) == tables_once and len(rendered) == 2
    other = open_page("en", wi=scenario.encode([MAREZIGE, scenario.Place(45.53, 13.70, "day_activities", ("older",))]))
    assert not other.exception and len(computed) > tables_once and len(rendered) == 3  # another scenario


def test_the_click_map_is_shared_until_a_click_which_stays_in_its_session(data_dir, monkeypatch):
    keys: list[str] = []
    original = map_frame.frame_args

    def counted(*args, **kwargs):
        keys.append(kwargs["key"])
        return original(*args, **kwargs)

    monkeypatch.setattr(map_frame, "frame_args", counted)
    one = run_page(NEAREST, "en")
    one.radio(key="near_method").set_value("map").run()
    other = run_page(NEAREST, "en")
    other.radio(key="near_method").set_value("map").run()
    assert not one.exception and keys.count("near_pick_map") == 1  # nothing clicked yet: one shared frame
    assert map_args(one, 0) == map_args(other, 0)
    one.session_state["near_clicked"] = (45.548, 13.73)  # as the map reports a click
    one.run()
    assert not one.exception and keys.count("near_pick_map") == 2
    assert "[45.548, 13.73]" in map_args(one, 0)["script"]  # the clicked point is marked
    assert "Starting from:" in "".join(m.value for m in one.markdown)
    one.run()
    assert keys.count("near_pick_map") == 2  # kept in the session
    other.session_state["near_clicked"] = (45.548, 13.73)
    other.run()
    assert keys.count("near_pick_map") == 3  # the same click elsewhere: not taken from another session
    assert one.session_state["near_pick_map_frame"][1] == other.session_state["near_pick_map_frame"][1]


def test_the_what_if_click_map_with_the_links_places_is_shared(data_dir, rendered, monkeypatch):
    keys: list[str] = []
    original = map_frame.frame_args
    monkeypatch.setattr(map_frame, "frame_args", lambda *a, **k: keys.append(k["key"]) or original(*a, **k))
    link = scenario.encode([MAREZIGE])
    for _session in range(2):
        app = open_page("sl", wi=link)
        app.radio(key="wi_method").set_value("map").run()
        assert not app.exception
    assert keys.count("wi_pick_map") == 1
    assert f"[{MAREZIGE.lat!r}, {MAREZIGE.lon!r}]" in map_args(app, 0)["script"]  # the link's place is marked

"""ui.map_frame and the published marker rows: the frame sent once per view is exactly streamlit-folium's (issue 14)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
import urllib.request
from urllib.parse import urlsplit

import pytest
import streamlit as st
import streamlit_folium

import browser_support
import hostile
from apptest_support import map_args, map_location_ids, map_rows_text, run_page
from geo import areas, directory, filters, hours, mapping, safe, settings
from ui import map_frame

WHEN = dt.datetime(2026, 11, 23, 10, 0)
RETURNED = ("last_object_clicked", "last_object_clicked_count", "center", "zoom", "bounds")


@pytest.fixture(autouse=True)
def _empty_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def service_map(data_dir, rows_url=None, **kwargs):
    services = directory.build_directory(data_dir).services
    return mapping.build_map(
        services, "sl", boundaries=areas.load_boundaries(data_dir), outline=areas.load_outline(data_dir),
        settlements=mapping.settlements_with_population(areas.load_settlements(data_dir),
                                                        areas.load_demand_points(data_dir)),
        when=WHEN, rows_url=rows_url, **kwargs)


@pytest.mark.parametrize("view", [{}, {"center": (45.54, 13.73), "zoom": 15, "selected": "loc-krozna-cesta-5-6000-koper"}])
def test_the_kept_arguments_are_exactly_what_st_folium_sends(data_dir, monkeypatch, view):
    sent = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    streamlit_folium.st_folium(service_map(data_dir, **view), key="service_map", height=560, use_container_width=True,
                               returned_objects=list(RETURNED))
    on_change = sent.pop("on_change")
    assert callable(on_change)
    ours = map_frame.frame_args(service_map(data_dir, **view), key="service_map", height=560, returned_objects=RETURNED)
    assert ours == sent
    assert ours["key"] != streamlit_folium.generate_js_hash("", "service_map", False)  # a hash of the real script


def test_show_hands_a_copy_to_the_component_and_keeps_what_the_browser_reports(monkeypatch):
    args = {"key": "abc", "default": {"zoom": 11}, "script": "x"}
    calls = []

    def component(**kwargs):
        calls.append(kwargs)
        kwargs["default"]["zoom"] = 99  # whatever the component does with it
        return {"zoom": 12}

    monkeypatch.setattr(streamlit_folium, "_component_func", component)
    assert map_frame.show(args, "service_map") == {"zoom": 12}
    assert args["default"] == {"zoom": 11} and calls[0]["key"] == "abc" and calls[0]["script"] == "x"
    st.session_state["abc"] = {"zoom": 13}
    calls[0]["on_change"]()
    assert st.session_state["service_map"] == {"zoom": 13}


def test_rows_are_published_once_under_their_hash_and_old_files_go(tmp_path):
    rows = mapping.script_json([[45.5, 13.7, "loc-a", "crisis", "A &lt;b&gt;", "", "", []]])
    url = mapping.publish_rows(tmp_path, rows)
    name = url.removeprefix(mapping.rows.ROWS_URL_PREFIX + "/")
    path = tmp_path / mapping.rows.ROWS_DIR_NAME / name
    assert url.startswith("/app/static/maprows/") and path.read_text(encoding="utf-8") == rows
    assert json.loads(path.read_text(encoding="utf-8"))[0][2] == "loc-a"
    assert mapping.publish_rows(tmp_path, rows) == url  # the same rows, the same file
    stale = path.parent / "0123.json"
    stale.write_text("[]", encoding="utf-8")
    os.utime(stale, (time.time() - 2 * mapping.rows.ROWS_FILE_MAX_AGE_S,) * 2)
    other = mapping.publish_rows(tmp_path, mapping.script_json([]))
    assert other != url and not stale.exists() and path.exists()
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([name, other.rsplit("/", 1)[1]])


def inline_markers_of(script: str) -> list | None:
    """The marker rows a frame's script carries inline (LocationLayer's ``var markers``), or None."""
    found = re.findall(r"var markers = (.*);\n", script)
    assert len(found) == 1, "one LocationLayer per map"
    return json.loads(found[0])


def test_the_page_map_carries_koper_markers_inline_and_fetches_the_rest(data_dir):
    """Koper's markers (~3 KB) come inline in the frame, drawn without a fetch (issue 14); the popups'
    details and the open states are still fetched (the view file)."""
    app = run_page(lang="en")
    script = map_args(app)["script"]
    assert "var rows = null;" in script and '"rowsUrl": "/app/static/maprows/' in script
    markers = inline_markers_of(script)
    assert markers is not None and len(markers) == len(map_location_ids(app)) == 15
    assert markers == json.loads(map_rows_text(app))  # the very rows of the markers file the view names
    assert all(len(m) == 7 for m in markers)  # marker_row: no popup details
    assert "loc-krozna-cesta-5-6000-koper" in script
    assert "tel:+386" not in script and "google.com/maps" not in script  # the popups' details stay in their file
    assert "koper-markers-of-this-view" not in script and "rows-of-this-view" not in script
    # the view file's content is inline too (one request less per visit): only the popups' details are fetched
    url = re.findall(r'"rowsUrl": "(/app/static/maprows/[0-9a-f]+\.json)"', script)[0]
    inline_view = re.findall(r"var view = (.*);\n", script)
    assert len(inline_view) == 1 and "koper-view-of-this-minute" not in script
    published = (settings.PROJECT_DIR / "static" / url.removeprefix("/app/static/")).read_text(encoding="utf-8")
    assert json.loads(inline_view[0]) == json.loads(published)  # [markers URL, details URL, texts, codes]
    assert len(json.loads(published)[3]) == sum(len(loc.services) for loc in mapping.map_locations(
        directory.build_directory(data_dir).services))  # one open-state code per service


def test_a_view_over_the_limit_fetches_its_markers_and_carries_none(data_dir, monkeypatch):
    """Large views (10,000 addresses: ~1.5 MB of markers) keep the markers file; here Koper's limit is lowered."""
    size = len(mapping.rows.marker_json(mapping.map_locations(directory.build_directory(data_dir).services), "en"))
    monkeypatch.setattr(mapping.rows, "INLINE_MARKERS_MAX_BYTES", size - 1)
    app = run_page(lang="en")
    script = map_args(app)["script"]
    assert "var rows = null;" in script and "var markers = null;" in script and "var view = null;" in script
    assert '"rowsUrl": "/app/static/maprows/' in script
    assert "loc-krozna-cesta-5-6000-koper" not in script  # no marker row in the frame's arguments
    assert "loc-krozna-cesta-5-6000-koper" in map_rows_text(app)
    assert len(json.loads(map_rows_text(app))) == len(map_location_ids(app)) == 15


def test_hostile_names_stay_escaped_in_the_inline_markers(tmp_path, monkeypatch):
    """The inline path escapes as the files do: texts HTML-escaped in Python, the JSON script-safe.
    A name that reads like the rows URL's placeholder does not move the URL (markers go in last)."""
    placeholder_name = mapping.rows.ROWS_URL_PREFIX + "/rows-of-this-view.json"
    data = hostile.build(tmp_path / "data", payloads=(*hostile.HOSTILE, placeholder_name, '"koper-markers-of-this-view"'))
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(data))
    script = map_args(run_page(lang="en"))["script"]
    inline = re.findall(r"var markers = (.*);\n", script)[0]
    assert not set("<>&{}") & set(inline)  # script-safe: every such character is \\u-escaped
    assert "</script" not in script.lower() and "<img" not in script and "<svg" not in script
    markers = inline_markers_of(script)
    located = mapping.map_locations(directory.build_directory(data).services)
    assert markers == json.loads(mapping.rows.marker_json(located, "en"))
    names = [name for m in markers for name in m[6]]
    assert any("&lt;script&gt;window.__pwned=1&lt;/script&gt;" in n for n in names)
    assert any(safe.html_text(hostile.HOSTILE_ADDRESS) == m[4] for m in markers)
    assert any(placeholder_name in n for n in names)
    assert re.findall(r'"rowsUrl": "(/app/static/maprows/[0-9a-f]+\.json)"', script)  # the URL went where it belongs


def test_two_sessions_with_the_same_view_share_one_rendered_frame(data_dir, monkeypatch):
    monkeypatch.setattr(hours, "local_now", lambda: WHEN)  # the frame is keyed by the minute
    rendered = []
    original = map_frame.frame_args
    monkeypatch.setattr(map_frame, "frame_args", lambda *a, **k: rendered.append(1) or original(*a, **k))
    first = run_page(lang="en")
    second = run_page(lang="en")  # another browser, same link
    assert map_args(first) == map_args(second)
    assert len(rendered) == 1
    second.checkbox(key="map_category_residential").check().run()  # another view: rendered once more
    assert len(rendered) == 2 and len(map_location_ids(second)) == 6
    run_page(lang="en", cat="residential")  # that view again, from a link: shared
    assert len(rendered) == 2
    run_page(lang="it")
    assert len(rendered) == 3


def test_an_edited_directory_is_a_new_frame(data_dir, monkeypatch):
    monkeypatch.setattr(hours, "local_now", lambda: WHEN)
    before = map_location_ids(run_page(lang="en"))
    path = data_dir / settings.SERVICES_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Krožna cesta 5", "Krožna cesta 7"), encoding="utf-8")
    os.utime(path, ns=(3, 3))
    after = map_location_ids(run_page(lang="en"))
    assert "loc-krozna-cesta-5-6000-koper" in before and "loc-krozna-cesta-5-6000-koper" not in after
    assert filters.Filters() == filters.Filters()  # the view key is the filters' value, not their identity


def _settable_clock_and_frame_renders(monkeypatch) -> tuple[list, list]:
    """([the local time, settable as [0]], [one item per frame layout rendered])."""
    now, rendered = [WHEN], []
    monkeypatch.setattr(hours, "local_now", lambda: now[0])
    original = map_frame.frame_args
    monkeypatch.setattr(map_frame, "frame_args", lambda *a, **k: rendered.append(1) or original(*a, **k))
    return now, rendered


def test_a_new_minute_fetches_new_rows_without_rendering_the_frame_again(data_dir, monkeypatch):
    now, rendered = _settable_clock_and_frame_renders(monkeypatch)
    morning = map_args(run_page(lang="en"))
    now[0] = WHEN.replace(hour=22)  # the offices have closed: other popups, so other rows
    evening_app = run_page(lang="en")
    evening = map_args(evening_app)
    assert len(rendered) == 1
    assert morning["script"] != evening["script"] and morning["key"] != evening["key"]  # a new frame for the browser
    # the same layout; the minute's view file (open states: offices closed now) comes inline with the markers
    view = lambda script: re.findall(r"var view = (.*);\n", script)[0]  # noqa: E731
    layout = lambda script: script.replace(view(script), "").split('"rowsUrl"')[0]  # noqa: E731
    assert layout(morning["script"]) == layout(evening["script"])
    assert json.loads(view(morning["script"]))[2:] != json.loads(view(evening["script"]))[2:]  # texts, codes
    assert "rows-of-this-view" not in evening["script"] and len(map_location_ids(evening_app)) == 15
    with pytest.raises(ValueError):
        map_frame.with_rows_url(evening, "/nowhere.json", "/app/static/maprows/x.json", "service_map")


def test_open_now_inline_markers_follow_the_minute_while_the_layout_is_rendered_once(data_dir, monkeypatch):
    """The layout is kept without its minute; "open now" markers change with it, so they go in per minute."""
    now, rendered = _settable_clock_and_frame_renders(monkeypatch)
    morning = run_page(lang="en", hours="open_now", unk="0")
    now[0] = WHEN.replace(hour=22)  # the offices have closed
    evening = run_page(lang="en", hours="open_now", unk="0")
    assert len(rendered) == 1
    opened_morning = [m[2] for m in inline_markers_of(map_args(morning)["script"])]
    opened_evening = [m[2] for m in inline_markers_of(map_args(evening)["script"])]
    assert opened_morning == map_location_ids(morning) and opened_evening == map_location_ids(evening)
    assert len(opened_evening) < len(opened_morning)


@pytest.mark.browser
def test_koper_markers_are_drawn_before_any_rows_file_and_an_open_popup_fills_in_when_they_come(browser, tmp_path):
    """In Chromium: with every rows file held back, Koper's markers are drawn (they came inline) and
    the selected address's popup opens with its address; once the files are let through, only the popups'
    details are fetched (the markers and the view file came inline) and that popup shows its services."""
    data = tmp_path / "data"
    shutil.copytree(settings.PROJECT_DIR / "data", data)
    asked, held, released = [], [], []

    def route(r):
        url = r.request.url
        if not browser_support.is_local(url):
            r.abort()
        elif "/app/static/maprows/" in url:
            asked.append(urlsplit(url).path)
            held.append(r) if not released else r.continue_()
        else:
            r.continue_()

    with browser_support.streamlit_server(data) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/*", route)
            page.goto(f"{base}/?lang=sl&loc=loc-krozna-cesta-5-6000-koper")
            frame = page.frame_locator(browser_support.MAP_FRAME).first
            frame.locator('.koper-marker[data-location-id="loc-krozna-cesta-5-6000-koper"]').wait_for(timeout=60_000)
            popup = frame.locator('.koper-popup[data-location-id="loc-krozna-cesta-5-6000-koper"]')
            popup.wait_for(timeout=10_000)  # opened at once (the selected address), before any rows file came
            page.wait_for_timeout(500)
            assert asked and len(held) == len(asked)  # the details were asked for and are still on their way
            assert "Krožna cesta 5, 6000 Koper" in popup.inner_text() and popup.locator(".koper-service").count() == 0
            assert frame.locator(".koper-marker-icon, .marker-cluster").count() > 1  # the other markers too
            released.append(True)
            for r in held:
                r.continue_()
            popup.locator(".koper-service").first.wait_for(timeout=10_000)
            assert "Obalni dom upokojencev Koper" in popup.inner_text()
            assert len(set(asked)) == 1  # one file: the popups' details (rows.detail_rows), nothing else
            with urllib.request.urlopen(base + asked[0], timeout=10) as reply:
                details = json.loads(reply.read())
            assert len(details) == 15 and all(d[0].startswith("https://www.openstreetmap.org/") for d in details)
            assert errors == []
        finally:
            context.close()

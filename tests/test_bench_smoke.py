"""The benchmark scripts' helpers on tiny inputs (no timings are asserted: they depend on the machine)."""
from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from geo import (
    assets,
    bilingual,
    directory,
    filters,
    mapping,
    model,
    nearest,
    settings,
)

sys.path.insert(0, str(settings.PROJECT_DIR / "bench"))

import bench_map
import bench_nearest
import loadtest
import synthetic


def test_percentile_interpolates_like_the_textbook():
    assert synthetic.percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.5
    assert synthetic.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert synthetic.percentile([7.0], 95) == 7.0
    assert synthetic.percentile([], 50) != synthetic.percentile([], 50)  # NaN


def test_synthetic_services_pass_the_schema_and_stay_in_the_bbox():
    services, manual = synthetic.service_rows(12)
    parsed = model.parse_services(pd.DataFrame(services), file="services.csv")
    assert len(parsed) == 12 and set(parsed["category"]) <= set(model.CATEGORIES)
    south, west, north, east = settings.KOPER_BBOX
    assert all(south <= float(m["lat"]) <= north and west <= float(m["lon"]) <= east for m in manual)
    assert [m["address"] for m in manual] == [s["address"] for s in services]


def test_the_faster_synthetic_loading_gives_the_same_directory(tmp_path, monkeypatch):
    folder = synthetic.write_data_dir(tmp_path / "data", 6)
    plain = directory.build_directory(folder)
    assert plain.error is None and plain.services["lat"].notna().all()
    # The speed-up patches a module function; monkeypatch puts it back after the test.
    monkeypatch.setattr(bilingual, "italian_addresses", bilingual.italian_addresses)
    synthetic.speed_up_synthetic_loading()
    fast = directory.build_directory(folder)
    pd.testing.assert_frame_equal(fast.services, plain.services)


def test_bare_map_is_self_contained_and_has_every_point(tmp_path):
    located = mapping.map_locations(directory.build_directory(settings.data_dir()).services)
    html = bench_map.bare_map_html(located)
    assert assets.external_links(html) == []
    assert html.count("L.marker(") == len(located)


def test_naive_nearest_agrees_with_the_index():
    frame = bench_nearest.synthetic(40)
    index = nearest.build_index(frame)
    lat, lon = settings.MAP_CENTER
    assert nearest.nearest(index, lat, lon, k=3)["id"].tolist() == bench_nearest.naive_nearest(frame, lat, lon, 3)


def test_loadtest_expects_the_residential_addresses(data_dir):
    services = directory.build_directory(data_dir).services
    shown = filters.apply(services, filters.Filters(categories=("residential",)), "en")
    assert loadtest.expected_markers(data_dir) == len(mapping.map_locations(shown)) > 0


def test_capacity_is_the_highest_rate_under_three_seconds_without_errors(capsys):
    rows = [{"rate": 1.0, "sessions": 20, "p50": 0.3, "p95": 0.9, "errors": 0, "cpu_per_session": 0.2},
            {"rate": 2.0, "sessions": 40, "p50": 1.0, "p95": 2.9, "errors": 0, "cpu_per_session": 0.2},
            {"rate": 3.0, "sessions": 60, "p50": 1.0, "p95": 2.0, "errors": 1, "cpu_per_session": 0.2},
            {"rate": 4.0, "sessions": 80, "p50": 4.0, "p95": 9.0, "errors": 0, "cpu_per_session": 0.2}]
    loadtest.capacity_report(rows, 20)
    assert "under 3 s: 2.0 new visitors per second" in capsys.readouterr().out
    loadtest.capacity_report(rows[3:], 20)
    assert "none of the rates tried" in capsys.readouterr().out


def test_the_peer_page_draws_the_same_addresses_as_plain_markers_with_local_leaflet(data_dir, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KOPER_MAP_PROJECT", str(settings.PROJECT_DIR))
    app = AppTest.from_file(str(settings.PROJECT_DIR / "bench" / "peer_app.py"), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    maps = [e for e in app.get("component_instance") if e.proto.component_name.endswith("st_folium")]
    args = json.loads(maps[0].proto.json_args)
    located = mapping.map_locations(directory.build_directory(data_dir).services)
    assert args["script"].count("L.marker(") == len(located) > 0
    assert "L.markerClusterGroup(" in args["script"]
    assert all(link.startswith("/app/static/vendor/") for link in args["js_links"] + args["css_links"])


def test_the_server_table_says_which_target_is_missed(capsys):
    import bench_server

    steps = dict.fromkeys(bench_server.STEPS, 0.05)
    medians = {lang: dict(steps) for lang in bench_server.LANGUAGES}
    medians["it"]["filter change"] = 0.25
    bench_server.print_table(steps, medians, 3)
    out = capsys.readouterr().out
    assert "≤ 0.3 s: met" in out and "≤ 0.1 s: MISSED (0.250 s)" in out

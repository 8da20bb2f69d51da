"""The benchmark scripts' helpers on tiny inputs (no timings are asserted: they depend on the machine)."""
from __future__ import annotations

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

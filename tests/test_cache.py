"""ui.cache: the only home of caches and of the data folder — built once per data stamp, last good data kept."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import shapely
import streamlit as st

from apptest_support import run_page, texts
from geo import areas, settings
from ui import cache

TRIESTE = (45.65, 13.78)


@pytest.fixture(autouse=True)
def _empty_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_area_index_is_built_once_per_data_stamp_and_follows_an_edit(data_dir: Path):
    first = cache.area_index()
    assert cache.area_index() is first  # not rebuilt on a rerun
    assert areas.area_of_point(*TRIESTE, first) is None
    collection = json.loads((data_dir / settings.AREA_BOUNDARIES_FILE).read_text(encoding="utf-8"))
    collection["features"][-1]["geometry"] = shapely.geometry.mapping(shapely.box(13.77, 45.64, 13.79, 45.66))
    official = data_dir / settings.OFFICIAL_AREA_BOUNDARIES_FILE
    official.write_text(json.dumps(collection), encoding="utf-8")
    os.utime(official, ns=(1, 1))
    edited = cache.area_index()
    assert edited is not first
    assert areas.area_of_point(*TRIESTE, edited) == collection["features"][-1]["properties"]["area_id"]
    assert cache.boundary_is_official()


def test_a_broken_services_file_keeps_the_last_good_directory_on_screen(data_dir: Path):
    good, error = cache.load_directory()
    assert error is None and len(good) == 36 and good["lat"].notna().sum() == 22
    path = data_dir / settings.SERVICES_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("financial_aid", "money", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.utime(path, ns=(2, 2))
    stale, error = cache.load_directory()
    assert "services.csv, row 4, field 'category'" in error
    assert stale is not None and len(stale) == 36 and "lat" in stale.columns  # the located last good table


def test_a_folder_that_never_loaded_has_no_data_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    services, error = cache.load_directory()
    assert services is None and "services.csv: file not found" in error


def test_the_nearest_page_reads_the_settlements_once_not_on_every_rerun(data_dir: Path, monkeypatch):
    reads = []
    real = areas.load_settlements
    monkeypatch.setattr(areas, "load_settlements", lambda folder: reads.append(folder) or real(folder))
    app = run_page("pages/nearest.py", "en", **{"from": "settlement:10101522"})  # Dekani
    assert not app.exception, app.exception
    assert "Starting from: **Dekani**" in texts(app)
    app.select_slider(key="near_k").set_value(5).run()
    app.radio(key="near_method").set_value("area").run()
    assert not app.exception, app.exception
    assert len(reads) == 1

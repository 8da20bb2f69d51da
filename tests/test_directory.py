"""Every placed service lies in the municipality and in the local area its address belongs to;
area-wide and confidential services are never placed."""
from __future__ import annotations

import pandas as pd
import pytest

from geo import areas, directory, geocode, settings

DATA = settings.PROJECT_DIR / "data"
TABLE = directory.directory_table(DATA)
AREA_INDEX = areas.area_index(areas.load_boundaries(DATA))
PLACED = TABLE[TABLE["location_type"].isin(["site", "office"])]


def test_every_site_and_office_has_a_location():
    assert len(PLACED) == 22  # self-help-groups became an area service (issue 13)
    assert PLACED["lat"].notna().all() and PLACED["lon"].notna().all()
    assert set(PLACED["location_precision"]) <= {"manual", "settlement", "street", "address"}


@pytest.mark.parametrize("record", PLACED.to_dict("records"), ids=list(PLACED["id"]))
def test_each_placed_site_is_inside_the_municipality(record):
    assert areas.in_municipality(record["lat"], record["lon"], AREA_INDEX)
    assert record["area_id"].startswith("ks-")  # all of these services are in Koper, not Ankaran


def test_hand_placed_points_lie_in_the_local_community_of_their_address():
    manual = geocode.load_manual_coordinates(DATA)
    for row in manual.to_dict("records"):
        found = areas.area_of_point(float(row["lat"]), float(row["lon"]), AREA_INDEX)
        assert found == row["area_id"], f"{row['address']} is placed in {found}, not {row['area_id']}"
    old_town = manual[manual["address"].str.startswith(("Levja", "Kolarska", "Muzejski", "Cankarjeva", "Verdijeva"))]
    assert set(old_town["area_id"]) == {"ks-50619"}  # Koper - Center


def test_village_address_falls_in_its_village_and_local_community():
    danica = TABLE.set_index("id").loc["care-home-danica"]
    settlements = pd.read_csv(DATA / "settlements.csv", dtype=str)
    gazon = settlements[settlements["name_sl"] == "Gažon"].iloc[0]
    assert (danica["lat"], danica["lon"]) == (float(gazon["lat"]), float(gazon["lon"]))
    # Issue 13: placed at the settlement centroid with an honest radius (data/manual_coordinates.csv)
    assert danica["location_precision"] == "manual" and danica["location_accuracy_m"] == 800
    assert danica["area_id"] == gazon["area_id"] == "ks-50614"  # Gažon is in KS Šmarje


def test_area_wide_and_confidential_services_carry_no_location():
    unplaced = TABLE[TABLE["location_type"].isin(["area", "confidential"])]
    assert len(unplaced) == 14
    assert unplaced["lat"].isna().all() and unplaced["lon"].isna().all()
    assert (unplaced["area_id"] == "").all()


def test_confidential_services_are_never_geocoded(monkeypatch):
    asked: list[str] = []
    real = geocode.geocode
    monkeypatch.setattr(geocode, "geocode", lambda q, **kw: asked.append(q) or real(q, **kw))
    table = directory.directory_table(DATA)
    assert len(table) == 36
    assert sorted(asked) == sorted(set(PLACED["address"]))  # one lookup per site/office address, nothing else


def test_with_locations_reads_no_file(tmp_path, monkeypatch):
    services = TABLE.drop(columns=[*directory.model.LOCATION_COLUMNS, "address_it"])
    sources = geocode.load_sources(DATA)
    area_table = areas.load_areas(DATA)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "nothing-here"))  # any file read would fail

    def no_reading(*args, **kwargs):
        raise AssertionError("with_locations read a file")

    monkeypatch.setattr(areas, "load_boundaries", no_reading)
    monkeypatch.setattr(geocode, "load_sources", no_reading)
    located = directory.with_locations(services, sources, AREA_INDEX, area_table)
    pd.testing.assert_frame_equal(located, TABLE[located.columns])


def test_a_broken_file_is_reported_not_raised(tmp_path):
    broken = tmp_path / "data"
    broken.mkdir()
    (broken / settings.SERVICES_FILE).write_text("id,name_sl\nx,y\n", encoding="utf-8")
    built = directory.build_directory(broken)
    assert built.services is None and "services.csv" in str(built.error)

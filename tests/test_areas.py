"""geo.areas: the 23 areas, their populations, boundaries and point lookup (on the committed data/)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geo import areas, settings
from geo.errors import DataFileError, DataValidationError

SURS_KS = settings.REFERENCE_DIR / "population" / "local_communities_koper_2024.csv"

OLD_TOWN = (45.5482, 13.7298)
TRIESTE = (45.65, 13.78)
IZOLA = (45.5378, 13.6610)


def _index(folder: Path | None = None) -> areas.AreaIndex:
    """The area index of a data directory (the committed one, or the one the environment names)."""
    return areas.area_index(areas.load_boundaries(folder or settings.data_dir()))


def _boundaries(folder: Path) -> dict:
    return json.loads((folder / settings.AREA_BOUNDARIES_FILE).read_text(encoding="utf-8"))


def _write_official(folder: Path, collection: dict) -> Path:
    path = folder / settings.OFFICIAL_AREA_BOUNDARIES_FILE
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


# --- tables ----------------------------------------------------------------------------------


def test_there_are_22_ks_and_ankaran():
    table = areas.load_areas(settings.data_dir())
    assert len(table) == 23 and table["area_id"].is_unique
    assert (table["kind"] == "ks").sum() == 22
    ankaran = table[table["kind"] == "municipality"]
    assert ankaran[["area_id", "name_sl", "name_it", "municipality"]].values.tolist() == [
        ["ob-213", "Ankaran", "Ancarano", "Ankaran"]]
    assert set(table.loc[table["kind"] == "ks", "municipality"]) == {"Koper"}
    assert table.loc[table["area_id"] == "ks-50614", "name_sl"].item() == "Šmarje"
    assert set(table["boundary"]) == {"approximate"}


def test_population_matches_surs():
    table = areas.load_areas(settings.data_dir()).set_index("area_id")
    surs = pd.read_csv(SURS_KS, dtype={"reference_date": str})
    assert areas.filter_areas(table.reset_index(), include_ankaran=False)["population"].sum() == 54_252
    for row in surs.itertuples():
        assert table.loc[f"ks-{row.ODO_ID}", "population"] == row.population
        assert table.loc[f"ks-{row.ODO_ID}", "population_date"] == row.reference_date
    assert table.loc["ob-213", "population"] == 3249
    assert table.loc["ob-213", "population_date"] == "2022 (approx.)"


def test_filter_areas_limits_any_table_to_the_22_ks():
    table = areas.load_areas(settings.data_dir())
    assert len(areas.filter_areas(table, include_ankaran=True)) == 23
    only_ks = areas.filter_areas(table, include_ankaran=False)
    assert len(only_ks) == 22 and set(only_ks["kind"]) == {"ks"}
    points = areas.load_demand_points(settings.data_dir())
    assert "ob-213" not in set(areas.filter_areas(points, include_ankaran=False)["area_id"])
    with_gaps = pd.DataFrame({"area_id": ["ks-50614", None, "ob-213"]})
    assert areas.filter_areas(with_gaps, include_ankaran=False)["area_id"].tolist() == ["ks-50614"]


def test_boundary_error_meets_the_target():
    table = areas.filter_areas(areas.load_areas(settings.data_dir()), include_ankaran=False)
    error = table["area_error_pct"].abs()
    assert error.median() <= 3.0
    others = table[~table["name_sl"].isin(["Za gradom", "Semedela"])]
    assert (others["area_error_pct"].abs() <= 15.0).all()
    recomputed = (table["computed_km2"] - table["official_km2"]) / table["official_km2"] * 100
    assert (recomputed - table["area_error_pct"]).abs().max() < 0.01


def test_demand_points_sum_to_area_populations():
    points = areas.load_demand_points(settings.data_dir())
    table = areas.load_areas(settings.data_dir()).set_index("area_id")
    sums = points.groupby("area_id")["population"].sum()
    assert set(sums.index) == set(table.index)
    for area_id, total in sums.items():
        assert total == pytest.approx(table.loc[area_id, "population"], abs=1e-6)


def test_settlements_and_streets_load_with_types():
    settlements = areas.load_settlements(settings.data_dir())
    assert len(settlements) == 105 and settlements["settlement_id"].dtype.kind == "i"
    assert settlements.loc[settlements["name_sl"] == "Barizoni", "name_it"].item() == "Barisoni"
    assert settlements.loc[settlements["name_sl"] == "Abitanti", "name_it"].item() == ""  # no official Italian name
    assert set(settlements["area_id"]) <= set(areas.load_areas(settings.data_dir())["area_id"])
    streets = areas.load_streets(settings.data_dir())
    assert len(streets) == 278 and set(streets["settlement_id"]) <= set(settlements["settlement_id"])


def test_missing_table_names_the_file_and_the_fix(tmp_path: Path):
    with pytest.raises(DataFileError, match=r"areas\.csv is missing; rebuild it with `make data`"):
        areas.load_areas(tmp_path)


# --- points ----------------------------------------------------------------------------------


def test_gazon_lies_in_smarje():
    settlements = areas.load_settlements(settings.data_dir()).set_index("name_sl")
    gazon = settlements.loc["Gažon"]
    assert gazon["area_id"] == "ks-50614"
    assert areas.area_of_point(gazon["lat"], gazon["lon"], _index()) == "ks-50614"


def test_koper_old_town_is_in_koper_center():
    assert areas.area_of_point(*OLD_TOWN, _index()) == "ks-50619"
    assert areas.in_municipality(*OLD_TOWN, _index())


@pytest.mark.parametrize("point", [TRIESTE, IZOLA], ids=["Trieste", "Izola"])
def test_points_outside_koper_and_ankaran_have_no_area(point):
    assert areas.area_of_point(*point, _index()) is None
    assert not areas.in_municipality(*point, _index())


def test_ankaran_point_is_in_ankaran():
    settlements = areas.load_settlements(settings.data_dir()).set_index("name_sl")
    assert areas.area_of_point(settlements.loc["Ankaran", "lat"], settlements.loc["Ankaran", "lon"], _index()) == "ob-213"


def test_missing_coordinates_have_no_area():
    assert areas.area_of_point(float("nan"), 13.7, _index()) is None
    assert areas.area_of_point(None, None, _index()) is None


def test_every_area_label_point_maps_back_to_its_area():
    index = _index()
    for row in areas.load_areas(settings.data_dir()).itertuples():
        assert areas.area_of_point(row.centroid_lat, row.centroid_lon, index) == row.area_id


def test_area_polygons_come_from_the_index_without_reading_files(data_dir: Path):
    index = _index(data_dir)
    first = areas.area_polygons(index)
    (data_dir / settings.AREA_BOUNDARIES_FILE).unlink()  # the index reads nothing any more
    assert areas.area_polygons(index)["ks-50614"] is first["ks-50614"]  # built once, not per call
    assert set(first) == set(areas.load_areas(data_dir)["area_id"])
    assert areas.area_of_point(*OLD_TOWN, index) == "ks-50619"


def test_geo_areas_keeps_no_cache_and_needs_the_folder():
    assert not [name for name, value in vars(areas).items() if hasattr(value, "cache_info")]
    with pytest.raises(TypeError, match="data_dir is required"):
        areas.load_areas(None)


# --- official boundary file ------------------------------------------------------------------


def test_official_file_replaces_the_approximation(data_dir: Path):
    assert not areas.boundary_is_official(settings.data_dir())
    collection = _boundaries(data_dir)
    # Pretend the official Šmarje polygon is a square around a point in Trieste: only the file changed.
    square = shapely.geometry.mapping(shapely.box(13.77, 45.64, 13.79, 45.66))
    for feature in collection["features"]:
        feature["properties"] = {"area_id": feature["properties"]["area_id"]}
        if feature["properties"]["area_id"] == "ks-50614":
            feature["geometry"] = {"type": square["type"], "coordinates": [list(map(list, r)) for r in square["coordinates"]]}
    _write_official(data_dir, collection)
    assert os.environ[settings.DATA_DIR_ENV] == str(data_dir)
    assert areas.boundary_is_official(settings.data_dir())
    assert areas.area_of_point(*TRIESTE, _index()) == "ks-50614"
    gazon = areas.load_settlements(settings.data_dir()).set_index("name_sl").loc["Gažon"]
    assert areas.area_of_point(gazon["lat"], gazon["lon"], _index()) is None
    loaded = areas.load_boundaries(settings.data_dir())
    assert loaded["features"][0]["properties"] == {"area_id": collection["features"][0]["properties"]["area_id"]}


def test_official_file_may_split_an_area_over_several_features(data_dir: Path):
    collection = _boundaries(data_dir)
    old_town = next(f for f in collection["features"] if f["properties"]["area_id"] == "ks-50619")
    extra = {"type": "Feature", "properties": {"area_id": "ks-50619"},
             "geometry": shapely.geometry.mapping(shapely.box(13.77, 45.64, 13.79, 45.66))}
    collection["features"].append(json.loads(json.dumps(extra)))
    _write_official(data_dir, collection)
    assert areas.area_of_point(*TRIESTE, _index()) == "ks-50619"
    assert areas.area_of_point(*OLD_TOWN, _index()) == "ks-50619"
    assert old_town  # the original feature is still there


def test_broken_official_file_names_the_file_feature_and_field(data_dir: Path):
    collection = _boundaries(data_dir)
    lost = collection["features"][1]["properties"]["area_id"]
    collection["features"][1]["properties"]["area_id"] = "ks-99999"
    collection["features"][2]["geometry"] = None
    _write_official(data_dir, collection)
    with pytest.raises(DataValidationError) as caught:
        areas.load_boundaries(settings.data_dir())
    problems = caught.value.problems
    fields = {p.field for p in problems}
    assert "features[1].properties.area_id" in fields
    assert "features[2].geometry" in fields
    assert all(p.file == settings.OFFICIAL_AREA_BOUNDARIES_FILE for p in problems)
    message = str(caught.value)
    assert "areas_official.geojson" in message and "feature 1" in message and "'ks-99999'" in message
    assert "feature 2" in message and "Polygon" in message
    # The area that lost its only feature is reported too.
    assert any(p.field == "features" and p.value == lost for p in problems)
    with pytest.raises(DataValidationError):
        _index()


def test_official_file_in_metres_is_refused_with_the_fix(data_dir: Path):
    collection = _boundaries(data_dir)
    collection["features"][0]["geometry"] = shapely.geometry.mapping(shapely.box(400000, 45000, 401000, 46000))
    _write_official(data_dir, collection)
    with pytest.raises(DataValidationError, match=r"features\[0\]\.geometry.*convert the file to WGS84"):
        areas.load_boundaries(settings.data_dir())


def test_official_file_that_is_not_json_is_a_file_error(data_dir: Path):
    (data_dir / settings.OFFICIAL_AREA_BOUNDARIES_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match="areas_official.geojson is not valid GeoJSON"):
        areas.load_boundaries(settings.data_dir())


def test_editing_the_boundary_file_is_picked_up(data_dir: Path):
    assert areas.area_of_point(*TRIESTE, _index(data_dir)) is None
    collection = _boundaries(data_dir)
    collection["features"][-1]["geometry"] = shapely.geometry.mapping(shapely.box(13.77, 45.64, 13.79, 45.66))
    path = _write_official(data_dir, collection)
    os.utime(path, ns=(1, 1))  # a distinct timestamp even on coarse-clock file systems
    assert areas.area_of_point(*TRIESTE, _index(data_dir)) == collection["features"][-1]["properties"]["area_id"]


def test_an_area_list_from_a_link_is_bounded_deduplicated_and_known_only():
    known = ["ks-50605", "ks-50617", "ob-213"]
    assert areas.parse_area_list("ks-50617, ks-50605,ks-50617,nonsense,,ob-213", known) == ["ks-50617", "ks-50605", "ob-213"]
    assert areas.parse_area_list(None, known) == [] and areas.parse_area_list("", known) == []
    huge = "ks-50605,ks-50617,nonsense," * 10_000
    assert areas.parse_area_list(huge, known) == ["ks-50605", "ks-50617"]
    # Only the first MAX_AREA_LIST_CHARS characters are read: an id after them is ignored.
    assert areas.parse_area_list("x" * areas.MAX_AREA_LIST_CHARS + ",ob-213", known) == []


@pytest.mark.parametrize("lang, population, official, computed", [("it", "2.345", "6,02", "6,067"),
                                                                   ("sl", "2.345", "6,02", "6,067"),
                                                                   ("en", "2,345", "6.02", "6.067")])
def test_areas_page_writes_numbers_as_its_language_does(lang, population, official, computed, data_dir: Path):
    """/areas in Italian showed 6.02, 6.067 and 2345 (the browser's locale): babel, per language, right-aligned."""
    from apptest_support import run_page
    from geo import i18n

    app = run_page("pages/areas.py", lang)
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    first = table.iloc[0]
    assert first[i18n.t("areas.population", lang)] == population
    assert first[i18n.t("areas.official_km2", lang)] == official
    assert first[i18n.t("areas.computed_km2", lang)] == computed
    configured = json.loads(app.dataframe[0].proto.columns or "{}")
    assert any(c.get("alignment") == "right" for c in configured.values())

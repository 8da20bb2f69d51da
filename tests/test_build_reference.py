"""scripts/build_reference.py: the tessellation engine, determinism and the files it writes."""
from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import settings

SCRIPT = settings.PROJECT_DIR / "scripts" / "build_reference.py"
RPE = settings.REFERENCE_DIR / "rpe"
POPULATION = settings.REFERENCE_DIR / "population"
OUTPUT_FILES = (
    settings.AREA_BOUNDARIES_FILE, settings.AREAS_FILE, settings.MUNICIPALITY_OUTLINE_FILE,
    settings.SETTLEMENTS_FILE, settings.STREETS_FILE, settings.DEMAND_POINTS_FILE, "area_boundary_error.csv",
)


def _load_script():
    """Import the script as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build_reference = _load_script()


@pytest.fixture(scope="module")
def build_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One full build through the command line entry point: (output dir, what it printed)."""
    out = tmp_path_factory.mktemp("build_a")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert build_reference.main(["--out-dir", str(out)]) == 0
    return out, printed.getvalue()


@pytest.fixture(scope="module")
def built(build_run: tuple[Path, str]) -> Path:
    """The output dir of the shared build."""
    return build_run[0]


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, dtype=str)


# --- engine ----------------------------------------------------------------------------------


def test_power_cells_with_zero_weights_equal_shapely_voronoi():
    rng = np.random.default_rng(7)
    points = rng.uniform(0, 1000, size=(40, 2))
    frame = np.array([[-500.0, -500.0], [1500.0, -500.0], [1500.0, 1500.0], [-500.0, 1500.0]])
    cells = build_reference.power_cells(points, np.zeros(len(points)), frame)
    reference = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=shapely.Polygon(frame))
    box = shapely.Polygon(frame)
    for site, cell in zip(points, cells):
        expected = next(g for g in shapely.get_parts(reference) if g.contains(shapely.Point(site))).intersection(box)
        assert cell.symmetric_difference(expected).area < 1e-6 * expected.area


def test_power_cells_partition_the_frame():
    rng = np.random.default_rng(11)
    points = rng.uniform(0, 1000, size=(60, 2))
    weights = rng.uniform(-20_000, 20_000, size=60)
    frame = np.array([[0.0, 0.0], [1000.0, 0.0], [1000.0, 1000.0], [0.0, 1000.0]])
    cells = build_reference.power_cells(points, weights, frame)
    assert sum(c.area for c in cells) == pytest.approx(1e6, rel=1e-9)
    assert shapely.union_all(cells).area == pytest.approx(1e6, rel=1e-9)


def test_limit_capture_keeps_every_site_inside_its_own_cell():
    rng = np.random.default_rng(3)
    points = rng.uniform(0, 1000, size=(50, 2))
    wild = rng.uniform(0, 500_000, size=50)  # large enough that sites would be swallowed
    dist2 = ((points[:, None] - points[None]) ** 2).sum(-1)
    frame = np.array([[-1e4, -1e4], [1e4, -1e4], [1e4, 1e4], [-1e4, 1e4]])
    raw = build_reference.power_cells(points, wild, frame)
    assert any(not c.contains(shapely.Point(p)) for c, p in zip(raw, points))
    limited = build_reference.limit_capture(wild, dist2)
    cells = build_reference.power_cells(points, limited, frame)
    assert all(c.contains(shapely.Point(p)) for c, p in zip(cells, points))
    assert (limited <= wild).all()


def test_fragment_without_own_site_goes_to_the_neighbour_with_the_longest_edge():
    left = shapely.union(shapely.box(0, 0, 10, 10), shapely.box(20, 0, 21, 1))  # second part: stray fragment
    right = shapely.box(10, 0, 30, 10).difference(shapely.box(20, 0, 21, 1))
    polygons, moved = build_reference._reassign_orphan_parts(
        {1: left, 2: right}, np.array([[5.0, 5.0], [25.0, 5.0]]), np.array([1, 2]))
    assert moved == [(1, 2, pytest.approx(1e-6))]
    assert shapely.get_num_geometries(polygons[1]) == 1
    assert polygons[2].area == pytest.approx(200)


# --- the build -------------------------------------------------------------------------------


def test_build_is_byte_identical_when_run_twice(built: Path, tmp_path: Path):
    build_reference.build(settings.REFERENCE_DIR, tmp_path, verbose=False)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_committed_data_matches_a_fresh_build(built: Path):
    # Compared with a tolerance, not byte for byte: another CPU may round a last bit differently.
    repo = settings.PROJECT_DIR / "data"
    for name in OUTPUT_FILES:
        if name.endswith(".csv"):
            fresh, committed = _csv(built / name), _csv(repo / name)
            assert list(fresh.columns) == list(committed.columns) and len(fresh) == len(committed), name
            for column in fresh.columns:
                try:
                    a, b = fresh[column].astype(float), committed[column].astype(float)
                except ValueError:
                    assert (fresh[column] == committed[column]).all(), f"data/{name} is stale: run make data"
                else:
                    assert np.allclose(a, b, rtol=0, atol=0.02), f"data/{name} is stale: run make data"
        else:
            fresh = json.loads((built / name).read_text(encoding="utf-8"))["features"]
            committed = json.loads((repo / name).read_text(encoding="utf-8"))["features"]
            assert [f["properties"] for f in fresh] == [f["properties"] for f in committed], name
            for a, b in zip(fresh, committed):
                ga, gb = shapely.geometry.shape(a["geometry"]), shapely.geometry.shape(b["geometry"])
                assert ga.symmetric_difference(gb).area <= 1e-3 * ga.area, f"data/{name} is stale: run make data"


def test_outputs_stay_small(built: Path):
    assert sum((built / n).stat().st_size for n in OUTPUT_FILES) < 1_000_000


def test_areas_geojson_has_the_23_areas(built: Path):
    features = json.loads((built / settings.AREA_BOUNDARIES_FILE).read_text(encoding="utf-8"))["features"]
    props = [f["properties"] for f in features]
    assert len(features) == 23
    assert sum(p["kind"] == "ks" for p in props) == 22
    assert [p for p in props if p["kind"] == "municipality"] == [
        {"area_id": "ob-213", "name_sl": "Ankaran", "name_it": "Ancarano", "kind": "municipality", "boundary": "approximate"}]
    ks_ids = {f"ks-{i}" for i in pd.read_csv(RPE / "local_communities_koper.csv")["ODO_ID"]}
    assert {p["area_id"] for p in props} == ks_ids | {"ob-213"}
    for feature in features:
        geom = shapely.geometry.shape(feature["geometry"])
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert geom.is_valid and not geom.is_empty
        # WGS84 with at most 6 decimals
        coords = shapely.get_coordinates(geom)
        assert np.allclose(coords, np.round(coords, 6), atol=1e-12, rtol=0)


def test_areas_tile_without_overlap_and_each_is_one_piece(built: Path):
    features = json.loads((built / settings.AREA_BOUNDARIES_FILE).read_text(encoding="utf-8"))["features"]
    geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
    assert shapely.coverage_is_valid(np.array(geoms, dtype=object))
    assert [f["properties"]["area_id"] for f, g in zip(features, geoms) if shapely.get_num_geometries(g) > 1] == []


def test_italian_names_come_only_from_the_register(built: Path):
    areas = _csv(built / settings.AREAS_FILE).set_index("area_id")
    official = set(_csv(RPE / "settlements_obalno_kraska.csv")["NA_DJ"]) - {""}
    for row in areas.itertuples():
        assert row.name_it == row.name_sl or row.name_it in official
    assert areas.loc["ks-50612", "name_it"] == "San Canziano"  # Škocjan: settlement of the same name
    assert areas.loc["ks-50616", "name_it"] == "Žusterna"  # no register name: Slovene repeated
    assert areas.loc["ks-50619", "name_it"] == "Koper - Center"  # not the settlement "Koper"


def test_areas_csv_population_and_dates_come_from_the_sources(built: Path):
    areas = _csv(built / settings.AREAS_FILE).set_index("area_id")
    surs = pd.read_csv(POPULATION / "local_communities_koper_2024.csv", dtype={"reference_date": str})
    for row in surs.itertuples():
        assert int(areas.loc[f"ks-{row.ODO_ID}", "population"]) == row.population
        assert areas.loc[f"ks-{row.ODO_ID}", "population_date"] == row.reference_date == "2024-01-01"
    assert areas.loc["ob-213", "population"] == "3249"
    assert areas.loc["ob-213", "population_date"] == "2022 (approx.)"
    assert areas.loc["ob-213", "municipality"] == "Ankaran"


def test_label_points_lie_inside_their_area(built: Path):
    features = json.loads((built / settings.AREA_BOUNDARIES_FILE).read_text(encoding="utf-8"))["features"]
    geoms = {f["properties"]["area_id"]: shapely.geometry.shape(f["geometry"]) for f in features}
    for row in pd.read_csv(built / settings.AREAS_FILE).itertuples():
        assert geoms[row.area_id].contains(shapely.Point(row.centroid_lon, row.centroid_lat)), row.area_id


def test_error_table_matches_areas_and_recomputed_areas(built: Path):
    errors = pd.read_csv(built / "area_boundary_error.csv").set_index("area_id")
    areas = pd.read_csv(built / settings.AREAS_FILE).set_index("area_id")
    assert list(errors.columns) == ["name_sl", "official_km2", "computed_km2", "error_pct", "abs_error_pct"]
    assert (errors["error_pct"] == areas.loc[errors.index, "area_error_pct"]).all()
    assert (errors["abs_error_pct"] == errors["error_pct"].abs()).all()
    features = json.loads((built / settings.AREA_BOUNDARIES_FILE).read_text(encoding="utf-8"))["features"]
    for feature in features:
        km2 = build_reference._area_km2(shapely.geometry.shape(feature["geometry"]))
        assert km2 == pytest.approx(errors.loc[feature["properties"]["area_id"], "computed_km2"], abs=1e-3)
    assert errors.loc["ob-213", "official_km2"] == 8.06


def test_municipality_outline_is_the_union_of_the_ks(built: Path):
    outline = json.loads((built / settings.MUNICIPALITY_OUTLINE_FILE).read_text(encoding="utf-8"))["features"]
    assert [(f["properties"]["name_sl"], f["properties"]["name_it"], f["properties"]["municipality_id"]) for f in outline] == [
        ("Koper", "Capodistria", 50), ("Ankaran", "Ancarano", 213)]
    areas = json.loads((built / settings.AREA_BOUNDARIES_FILE).read_text(encoding="utf-8"))["features"]
    ks = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in areas if f["properties"]["kind"] == "ks"])
    koper = shapely.geometry.shape(outline[0]["geometry"])
    assert koper.symmetric_difference(ks).area < 1e-6 * ks.area
    assert 0.95 < build_reference._area_km2(koper) / 303.52 < 1.05


def test_settlements_cover_koper_and_ankaran(built: Path):
    settlements = _csv(built / settings.SETTLEMENTS_FILE)
    assert list(settlements.columns) == ["settlement_id", "name_sl", "name_it", "municipality", "area_id", "lon", "lat"]
    assert settlements["municipality"].value_counts().to_dict() == {"Koper": 104, "Ankaran": 1}
    by_name = settlements.set_index("name_sl")
    assert by_name.loc["Gažon", "area_id"] == "ks-50614"
    assert by_name.loc["Ankaran", "area_id"] == "ob-213"
    assert by_name.loc["Koper", "name_it"] == "Capodistria"
    # Koper town spreads over six KS; Koper - Center and Žusterna tie on PO count, the larger PO area wins.
    assert by_name.loc["Koper", "area_id"] == "ks-50619"


def test_streets_are_copied_from_the_register(built: Path):
    streets = _csv(built / settings.STREETS_FILE)
    source = _csv(RPE / "streets_koper_ankaran.csv")
    assert len(streets) == len(source) == 278
    assert list(streets.columns) == ["street_id", "name_sl", "name_it", "settlement_id", "municipality"]
    assert set(streets["municipality"]) == {"Koper", "Ankaran"}
    merged = streets.merge(source, left_on="street_id", right_on="UL_MID")
    assert (merged["name_sl"] == merged["UL_UIME"]).all() and (merged["name_it"] == merged["UL_DJ"]).all()


def test_demand_points_split_each_area_population_exactly(built: Path):
    points = pd.read_csv(built / settings.DEMAND_POINTS_FILE)
    areas = pd.read_csv(built / settings.AREAS_FILE).set_index("area_id")
    assert len(points) == 384 and points["point_id"].is_unique
    sums = points.groupby("area_id")["population"].sum()
    for area_id, total in sums.items():
        assert total == pytest.approx(areas.loc[area_id, "population"], abs=1e-6)
    spread = points.groupby("area_id")["population"].agg(lambda s: s.max() - s.min())
    assert (spread <= 0.001 + 1e-9).all()  # equal shares, up to the last rounded thousandth


def test_every_demand_point_lies_in_its_register_area(built: Path):
    features = json.loads((built / settings.AREA_BOUNDARIES_FILE).read_text(encoding="utf-8"))["features"]
    geoms = {f["properties"]["area_id"]: shapely.geometry.shape(f["geometry"]) for f in features}
    for row in pd.read_csv(built / settings.DEMAND_POINTS_FILE).itertuples():
        assert geoms[row.area_id].covers(shapely.Point(row.lon, row.lat)), row.point_id


def test_boundary_error_target_is_met(built: Path):
    errors = pd.read_csv(built / "area_boundary_error.csv")
    ks = errors[errors["area_id"].str.startswith("ks-")]
    assert len(ks) == 22
    assert ks["abs_error_pct"].median() <= 3.0
    others = ks[~ks["name_sl"].isin(["Za gradom", "Semedela"])]
    assert (others["abs_error_pct"] <= 15.0).all(), others.sort_values("abs_error_pct").tail(3)


def test_build_prints_the_error_summary(build_run: tuple[Path, str]):
    printed = build_run[1]
    assert "median |error|" in printed and "worst Za gradom (ks-50618)" in printed and "target met" in printed
    assert "Areas in more than one part: none" in printed


def test_main_defaults_to_the_configured_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    calls = []
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(build_reference, "build", lambda ref, out: calls.append((ref, out)) or pd.DataFrame(
        {"kind": ["ks"], "name_sl": ["x"], "abs_error_pct": [0.0]}))
    assert build_reference.main([]) == 0
    assert calls == [(settings.REFERENCE_DIR, tmp_path.resolve())]

"""Nearest locations: hand-computed cases, masks, confidential rows, real data and a 10,000-point check."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from geopy.distance import geodesic
from pyproj import Geod

from geo import areas, directory, errors, filters, nearest, settings

START = (45.5480, 13.7300)  # Koper old town
_GEOD = Geod(ellps="WGS84")
DATA = settings.PROJECT_DIR / "data"
SETTLEMENTS = areas.load_settlements(DATA)
AREAS = areas.load_areas(DATA)
AREA_INDEX = areas.area_index(areas.load_boundaries(DATA))


def _offset(lat: float, lon: float, bearing_deg: float, metres: float) -> tuple[float, float]:
    """The point at a given bearing and geodesic distance (geopy, independent of the code under test)."""
    point = geodesic(meters=metres).destination((lat, lon), bearing_deg)
    return point.latitude, point.longitude


def _row(id_: str, lat: float | None, lon: float | None, location_type: str = "site", **values) -> dict:
    return {"id": id_, "lat": lat, "lon": lon, "location_type": location_type, "category": "counselling",
            "service_area": [], "target_groups": ["older"]} | values


# Three points at known offsets: 800 m north, 1500 m east, 2500 m south-west.
NORTH = _offset(*START, 0, 800)
EAST = _offset(*START, 90, 1500)
SOUTH_WEST = _offset(*START, 225, 2500)


@pytest.fixture
def three() -> pd.DataFrame:
    return pd.DataFrame(
        [_row("far", *SOUTH_WEST), _row("near", *NORTH), _row("middle", *EAST)],
        index=[30, 10, 20],
    )


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return directory.directory_table(DATA)


def test_known_offsets_are_ordered_with_geodesic_distances(three):
    result = nearest.nearest(nearest.build_index(three), *START, k=3)
    assert result["id"].tolist() == ["near", "middle", "far"]
    assert result["location_rank"].tolist() == [1, 2, 3]
    assert result["distance_m"].to_numpy() == pytest.approx([800, 1500, 2500], rel=1e-6)
    for record in result.to_dict("records"):
        expected = geodesic(START, (record["lat"], record["lon"])).meters
        assert record["distance_m"] == pytest.approx(expected, rel=0.005)
    assert result["road_distance_m"].to_numpy() == pytest.approx(result["distance_m"].to_numpy() * 1.3)
    assert settings.DETOUR_FACTOR == 1.3
    assert list(result.index) == [10, 20, 30]  # the caller's index labels are kept


def test_k_limits_the_number_of_locations(three):
    index = nearest.build_index(three)
    assert nearest.nearest(index, *START, k=1)["id"].tolist() == ["near"]
    assert nearest.nearest(index, *START, k=2)["id"].tolist() == ["near", "middle"]
    assert nearest.nearest(index, *START, k=50)["id"].tolist() == ["near", "middle", "far"]  # k > available
    assert nearest.nearest(index, *SOUTH_WEST, k=1)["distance_m"].tolist() == [0.0]


def test_k_counts_locations_and_returns_every_service_there(three):
    more = pd.concat([three, pd.DataFrame([_row("near-2", *NORTH), _row("middle-2", *EAST)], index=[11, 21])])
    index = nearest.build_index(more)
    assert index.n_locations == 3
    result = nearest.nearest(index, *START, k=2)
    assert result["id"].tolist() == ["near", "near-2", "middle", "middle-2"]
    assert result["location_rank"].tolist() == [1, 1, 2, 2]
    # a service masked out does not make its location count
    mask = more["id"].isin(["near-2", "far"])
    assert nearest.nearest(index, *START, k=2, mask=mask)["id"].tolist() == ["near-2", "far"]


def test_masks_as_series_by_label_and_as_positional_array(three):
    index = nearest.build_index(three)
    by_label = pd.Series({10: False, 20: True, 30: True})  # order differs from the table on purpose
    assert nearest.nearest(index, *START, k=1, mask=by_label)["id"].tolist() == ["middle"]
    positional = np.array([True, False, False])  # rows in the table's own order: "far" only
    assert nearest.nearest(index, *START, k=3, mask=positional)["id"].tolist() == ["far"]
    filtered = three[three["id"] != "near"]  # e.g. the output of filters.apply
    assert nearest.nearest(index, *START, k=1, mask=three.index.isin(filtered.index))["id"].tolist() == ["middle"]
    with pytest.raises(ValueError, match="2 values .* 3 rows"):
        nearest.nearest(index, *START, mask=np.array([True, False]))


def test_empty_results_keep_the_columns(three):
    index = nearest.build_index(three)
    none = nearest.nearest(index, *START, mask=pd.Series(False, index=three.index))
    assert none.empty
    assert {"id", "distance_m", "road_distance_m", "location_rank"} <= set(none.columns)
    unplaced = nearest.build_index(pd.DataFrame([_row("a", None, None), _row("b", "", np.nan)]))
    assert unplaced.n_locations == 0
    assert nearest.nearest(unplaced, *START, k=3).empty


def test_confidential_and_area_rows_never_enter_distances(three):
    # Even given coordinates (a data error), confidential and area rows are never indexed or returned.
    secret = pd.DataFrame(
        [_row("secret", *START, location_type="confidential"), _row("area", *START, location_type="area")],
        index=[1, 2],
    )
    table = pd.concat([secret, three])
    index = nearest.build_index(table)
    assert "secret" not in set(index.services["id"]) and "area" not in set(index.services["id"])
    assert index.n_locations == 3
    everything = nearest.nearest(index, *START, k=100, mask=pd.Series(True, index=table.index))
    assert everything["id"].tolist() == ["near", "middle", "far"]
    assert nearest.nearest(index, *START, k=1, mask=table["id"] == "secret").empty


def test_invalid_start_or_k_is_refused(three):
    index = nearest.build_index(three)
    for lat, lon in [(float("nan"), 13.7), (45.5, None), ("north", 13.7), (95.0, 13.7)]:
        with pytest.raises(ValueError, match="not a valid latitude"):
            nearest.nearest(index, lat, lon)
    for k in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="k must be"):
            nearest.nearest(index, *START, k=k)


# --- real data -----------------------------------------------------------------------------------

def test_from_dekani_three_nearest_day_activities_for_older_people(table):
    lat, lon, label, precision = nearest.start_from_settlement("Dekani", SETTLEMENTS)
    assert (label, precision) == ("Dekani", "settlement")
    chosen = filters.apply(table, filters.Filters(categories=("day_activities",), target_groups=("older",)), "sl")
    result = nearest.nearest(nearest.build_index(table), lat, lon, k=3, mask=table.index.isin(chosen.index))

    assert sorted(set(result["location_rank"])) == [1, 2, 3]
    assert set(result["id"]) <= set(chosen["id"])
    assert (result["category"] == "day_activities").all()
    per_location = result.groupby("location_rank")["distance_m"].first()
    assert per_location.is_monotonic_increasing and per_location.is_unique
    # Dekani lies 5–10 km inland from the Koper sites
    assert 5_000 < per_location.iloc[0] < per_location.iloc[-1] < 10_000
    for record in result.to_dict("records"):
        assert record["distance_m"] == pytest.approx(geodesic((lat, lon), (record["lat"], record["lon"])).meters, rel=0.005)
    # no matching placed service is closer than the third location
    placed = chosen[chosen["lat"].notna()]
    all_distances = [geodesic((lat, lon), (a, b)).meters for a, b in zip(placed["lat"], placed["lon"])]
    closer = [d for d in all_distances if d < per_location.iloc[-1] - 1e-6]
    assert len({round(d, 3) for d in closer}) == 2


def test_real_index_excludes_confidential_and_area_services(table):
    index = nearest.build_index(table)
    assert set(index.services["location_type"]) == {"site", "office"}
    assert len(index.services) == int(table["lat"].notna().sum())
    result = nearest.nearest(index, *START, k=1000)
    assert len(result) == len(index.services)
    assert not result["location_type"].isin(["confidential", "area"]).any()


# --- area services and start points ---------------------------------------------------------------

def test_area_services_follow_the_service_area_of_the_point():
    services = pd.DataFrame([
        _row("koper-wide", None, None, "area", service_area=["koper"]),
        _row("ankaran-wide", None, None, "area", service_area=["ankaran"]),
        _row("both", None, None, "area", service_area="koper;ankaran"),
        _row("site", *START),
    ])
    dekani = nearest.start_from_settlement("Dekani", SETTLEMENTS)[:2]
    ankaran = nearest.start_from_settlement("Ankaran", SETTLEMENTS)[:2]
    assert areas.area_of_point(*ankaran, AREA_INDEX) == areas.ANKARAN_AREA_ID
    assert nearest.area_services_for_point(services, *dekani, AREA_INDEX)["id"].tolist() == ["koper-wide", "both"]
    assert nearest.area_services_for_point(services, *ankaran, AREA_INDEX)["id"].tolist() == ["ankaran-wide", "both"]
    assert nearest.area_services_for_point(services, 45.65, 13.78, AREA_INDEX).empty  # Trieste, Italy


def test_area_services_on_real_data(table):
    found = nearest.area_services_for_point(table, *nearest.start_from_settlement("Dekani", SETTLEMENTS)[:2], AREA_INDEX)
    assert {"home-help", "prostofer", "aed-first-responders"} <= set(found["id"])
    assert (found["location_type"] == "area").all()


def test_start_from_settlement_by_name_id_and_italian_name():
    dekani = nearest.start_from_settlement("Dekani", SETTLEMENTS)
    assert dekani[:2] == pytest.approx((45.546925, 13.81459))
    assert nearest.start_from_settlement("10101522", SETTLEMENTS) == dekani
    assert nearest.start_from_settlement(10101522, SETTLEMENTS) == dekani
    assert nearest.start_from_settlement("  dekani ", SETTLEMENTS) == dekani
    assert nearest.start_from_settlement("crni kal", SETTLEMENTS)[2] == "Črni Kal"
    assert nearest.start_from_settlement("Ancarano", SETTLEMENTS)[2:] == ("Ankaran / Ancarano", "settlement")
    with pytest.raises(errors.UnknownPlaceError, match="Atlantis"):
        nearest.start_from_settlement("Atlantis", SETTLEMENTS)


def test_start_from_area_uses_the_area_centre():
    lat, lon, label, precision = nearest.start_from_area("ks-50605", AREAS)
    assert (lat, lon) == pytest.approx((45.546883, 13.812054))
    assert (label, precision) == ("Dekani", "area_centre")
    assert areas.area_of_point(lat, lon, AREA_INDEX) == "ks-50605"
    with pytest.raises(errors.UnknownPlaceError, match="ks-1"):
        nearest.start_from_area("ks-1", AREAS)


def test_start_points_read_only_the_tables_they_are_given():
    one = SETTLEMENTS[SETTLEMENTS["name_sl"] == "Dekani"]
    assert nearest.start_from_settlement("Dekani", one) == nearest.start_from_settlement("Dekani", SETTLEMENTS)
    with pytest.raises(errors.UnknownPlaceError):
        nearest.start_from_settlement("Ankaran", one)  # in the files, but not in the table given
    assert nearest.start_from_area("ob-213", AREAS[AREAS["area_id"] == "ob-213"])[2] == "Ankaran"
    assert not [name for name, value in vars(nearest).items() if hasattr(value, "cache_info")]  # no module cache


# --- 10,000 synthetic locations vs brute force -----------------------------------------------------

def _synthetic(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    south, west, north, east = settings.KOPER_BBOX
    return pd.DataFrame({
        "id": [f"s{i}" for i in range(n)],
        "lat": rng.uniform(south, north, n),
        "lon": rng.uniform(west, east, n),
        "location_type": rng.choice(["site", "office"], n),
    })


def _brute_force(frame: pd.DataFrame, lat: float, lon: float, k: int, mask: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Geodesic distance to every allowed row (numpy, no index), k smallest."""
    rows = frame[mask]
    _a, _b, dist = _GEOD.inv(np.full(len(rows), lon), np.full(len(rows), lat), rows["lon"].to_numpy(), rows["lat"].to_numpy())
    order = np.argsort(dist)[:k]
    return rows["id"].to_numpy()[order].tolist(), dist[order]


@pytest.mark.parametrize("mask_kind", ["all", "half", "one_percent"])
def test_ten_thousand_locations_match_brute_force(mask_kind):
    frame = _synthetic(10_000, seed=20260101)
    index = nearest.build_index(frame)
    assert index.n_locations == 10_000
    rng = np.random.default_rng(7)
    keep = {"all": np.ones(len(frame), bool), "half": rng.random(len(frame)) < 0.5,
            "one_percent": rng.random(len(frame)) < 0.01}[mask_kind]
    south, west, north, east = settings.KOPER_BBOX
    for lat, lon in zip(rng.uniform(south, north, 5), rng.uniform(west, east, 5)):
        result = nearest.nearest(index, lat, lon, k=7, mask=keep)
        expected_ids, expected_dist = _brute_force(frame, lat, lon, 7, keep)
        assert result["id"].tolist() == expected_ids
        assert result["distance_m"].to_numpy() == pytest.approx(expected_dist, rel=1e-9)


def test_a_start_label_in_the_page_language():
    assert nearest.start_from_settlement("Hrvatini", SETTLEMENTS, "it")[2] == "Crevatini"
    assert nearest.start_from_settlement("Hrvatini", SETTLEMENTS, "sl")[2] == "Hrvatini"
    assert nearest.start_from_settlement("Hrvatini", SETTLEMENTS, "en")[2] == "Hrvatini"
    assert nearest.start_from_settlement("Gažon", SETTLEMENTS, "it")[2] == "Gažon"  # no Italian name: as it is
    assert nearest.start_from_settlement("Hrvatini", SETTLEMENTS)[2] == "Hrvatini / Crevatini"


@pytest.mark.parametrize(("label", "italian"), [
    ("Krožna cesta 5, 6000 Koper", "Strada Circolare 5, 6000 Capodistria"),
    ("Hrvatini", "Crevatini"),
    ("Pristaniška ulica, Koper", "Via del Porto, Capodistria"),
    ("Gažon", "Gažon"),
    ("Nowhere 5", "Nowhere 5"),
])
def test_label_in_gives_the_register_names_in_italian_only(label, italian):
    from geo import geocode
    sources = geocode.load_sources(settings.PROJECT_DIR / "data")
    assert nearest.label_in(label, "it", sources.streets, sources.settlements) == italian
    assert nearest.label_in(label, "sl", sources.streets, sources.settlements) == label
    assert nearest.label_in(label, "en", sources.streets, sources.settlements) == label


def test_projection_is_the_crs_pipeline_and_cheap_in_a_new_thread():
    # Streamlit runs each script run in a new thread and pyproj makes its PROJ object per thread:
    # the projection is the pipeline from_crs picks (same metres), built without a database search.
    import threading

    from pyproj import Transformer

    reference = Transformer.from_crs(settings.CRS_WGS84, settings.CRS_D96TM, always_xy=True)
    lat, lon = np.array([45.45, 45.548, 45.60]), np.array([13.60, 13.73, 13.95])
    x, y = reference.transform(lon, lat)
    assert np.allclose(nearest.project(lat, lon), np.column_stack([x, y]), atol=1e-6)
    assert "proj=tmerc" in nearest._TO_D96.definition and "lon_0=15" in nearest._TO_D96.definition
    found = []
    thread = threading.Thread(target=lambda: found.append(nearest.project(45.548, 13.73)))
    thread.start()
    thread.join()
    assert np.allclose(found[0], nearest.project(45.548, 13.73))

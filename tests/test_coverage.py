"""Coverage measures: hand-computed cases, a brute-force and a PySAL cross-check, real data, the CLI."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo import access as geo_access
from geo import areas, cli, coverage, directory, errors, i18n, model, nearest, settings

# --- a hand-computed case -----------------------------------------------------------------------
# Everything on one east-west line 45 km north of the D96/TM false origin, near Koper; x in metres:
#
#   demand  A1 x=0 (300 people, area A)   A2 x=2000 (100, A)              B1 x=8000 (100, area B)
#   service s1 x=0 counselling (A)                      s2, s3 x=6000 (B): counselling, day activities
#   w1: area-wide counselling service for everyone in Koper (serves A = a KS, not B = Ankaran)
#
# Nearest counselling location: A1 0 m, A2 2000 m, B1 2000 m.
# 2SFCA, 5 km, counselling: s1 reaches A1, A2 (400 people) -> R1 = 1/400; s2 reaches A2, B1 (200) -> R2 = 1/200.
#   A1 = 1/400, A2 = 1/400 + 1/200, B1 = 1/200; area A = (300/400 + 100·3/400)/400 = 3.75 ‰, B = 5 ‰.
ORIGIN_X, LINE_Y = 400_000.0, 45_000.0
A, B = "ks-1", areas.ANKARAN_AREA_ID
_TO_WGS = Transformer.from_crs(settings.CRS_D96TM, settings.CRS_WGS84, always_xy=True)


def _latlon(x: float) -> tuple[float, float]:
    lon, lat = _TO_WGS.transform(ORIGIN_X + x, LINE_Y)
    return lat, lon


def _service(id_: str, x: float | None, area_id: str = "", category: str = "counselling",
             location_type: str = "site", groups: tuple[str, ...] = ("older",), hours: str = "",
             service_area: tuple[str, ...] = ()) -> dict:
    lat, lon = _latlon(x) if x is not None else (None, None)
    return {"id": id_, "category": category, "target_groups": list(groups), "location_type": location_type,
            "service_area": list(service_area), "lat": lat, "lon": lon, "area_id": area_id, "opening_hours": hours}


def _services() -> pd.DataFrame:
    return pd.DataFrame([
        _service("s1", 0, A),
        _service("s2", 6000, B, groups=("families",)),
        _service("s3", 6000, B, category="day_activities"),
        _service("w1", None, location_type="area", groups=("general",), service_area=("koper",)),
    ])


AREAS = pd.DataFrame({"area_id": [A, B], "name_sl": ["Aa", "Bb"], "name_it": ["", "Bi"],
                      "population": [400, 100], "population_date": ["2024-01-01", "2022"]})


def _demand(xs=(0, 2000, 8000), pops=(300, 100, 100), area_ids=(A, A, B)) -> pd.DataFrame:
    lat, lon = zip(*(_latlon(x) for x in xs))
    return pd.DataFrame({"point_id": range(len(xs)), "area_id": list(area_ids), "settlement_id": 0,
                         "lon": lon, "lat": lat, "population": [float(p) for p in pops]})


def _cover(services=None, **options) -> pd.DataFrame:
    options.setdefault("radius_km", 5)
    return coverage.area_coverage(_services() if services is None else services, AREAS, _demand(), **options)


def test_hand_computed_distances_shares_and_counts():
    table = _cover(category="counselling").set_index("area_id")
    assert list(table.index) == [A, B]
    assert table["population"].tolist() == [400, 100]
    assert table["population_date"].tolist() == ["2024-01-01", "2022"]
    assert table["services_in_area"].tolist() == [1, 1]
    assert table["services_per_1000"].tolist() == pytest.approx([2.5, 10.0])
    assert table["mean_distance_km"].tolist() == pytest.approx([0.5, 2.0], abs=1e-6)  # (300·0 + 100·2000)/400 m
    assert table["max_distance_km"].tolist() == pytest.approx([2.0, 2.0], abs=1e-6)
    assert table["mean_road_distance_km"].tolist() == pytest.approx([0.65, 2.6], abs=1e-6)
    assert table["max_road_distance_km"].tolist() == pytest.approx([2.6, 2.6], abs=1e-6)
    assert table["share_within_1km"].tolist() == pytest.approx([0.75, 0.0])
    assert table["share_within_5km"].tolist() == pytest.approx([1.0, 1.0])
    assert table["share_within_10km"].tolist() == pytest.approx([1.0, 1.0])
    assert table["access_2sfca"].tolist() == pytest.approx([3.75, 5.0])
    assert table["area_wide_services"].tolist() == [1, 0]
    assert table["area_wide_ids"].tolist() == [("w1",), ()]
    assert table["has_area_wide"].tolist() == [True, False]
    # counselling comes to the home in Koper (w1) and has places: both parts are measured
    assert table["basis"].tolist() == [coverage.MIXED, coverage.MIXED]
    assert table["reaching_ids"].tolist() == [("w1",), ()] and table["home_ids"].tolist() == [("w1",), ()]
    assert table["reaching_services"].tolist() == [1, 0] and table["home_services"].tolist() == [1, 0]
    # A's residents are near a place and reached at home: no gap. B's are near a place (2 km), but the
    # part of the selection delivered at home does not reach Ankaran: that is B's only gap.
    assert table["gap_far"].tolist() == [False, False] and table["gap_low_share"].tolist() == [False, False]
    assert table["gap_not_reached"].tolist() == [False, True] and table["gap"].tolist() == [False, True]
    assert table["gap_reasons"].tolist() == ["", "gap_not_reached: no matching service delivered to the residents serves this area"]
    assert table["below_min_in_area"].tolist() == [False, False]
    assert list(table.reset_index().columns) == list(coverage.COLUMNS)


def test_2sfca_counts_services_at_a_location_or_one_per_location():
    # All categories: s2 and s3 share a point, so S = 2 there: R2 = 2/200; A = 5 ‰, B = 10 ‰.
    every = _cover().set_index("area_id")
    assert every["access_2sfca"].tolist() == pytest.approx([5.0, 10.0])
    assert every["services_in_area"].tolist() == [1, 2]
    # 2SFCA hands out all supply when every location reaches someone: Σ pop·A = 3 services.
    assert (every["access_2sfca"] * every["population"]).sum() / 1000 == pytest.approx(3.0)
    locations = _cover(supply="locations").set_index("area_id")
    assert locations["access_2sfca"].tolist() == pytest.approx([3.75, 5.0])


def test_a_wider_catchment_shares_every_service_among_everyone():
    # 10 km: each counselling location reaches all 500 people, so everyone gets 2/500 = 4 per 1,000.
    table = _cover(category="counselling", radius_km=10)
    assert table["access_2sfca"].tolist() == pytest.approx([4.0, 4.0])
    assert table.attrs["parameters"]["radius_km"] == 10


def test_no_matching_service_anywhere_gives_empty_distances_not_zero():
    table = _cover(category="crisis")
    for column in ("mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km"):
        assert table[column].isna().all(), column
    assert table["share_within_10km"].tolist() == [0.0, 0.0]
    assert table["access_2sfca"].tolist() == [0.0, 0.0]
    assert table["basis"].tolist() == [coverage.NOTHING, coverage.NOTHING]
    # nothing of any kind: far and nobody within reach; not "not reached" (nothing is delivered either)
    assert table[["gap_far", "gap_low_share"]].all().all() and not table["gap_not_reached"].any()
    assert "no matching service of any kind for these residents" in table["gap_reasons"][0]
    assert any("unknown, not zero" in note for note in table.attrs["notes"])


def test_gap_flags_follow_their_thresholds_and_name_them():
    strict = coverage.GapThresholds(max_mean_distance_km=1, share_radius_km=1, min_share=0.8, min_services_in_area=2)
    table = _cover(category="counselling", thresholds=strict).set_index("area_id")
    assert table["gap_far"].tolist() == [False, True]  # 0.5 km vs 2.0 km mean
    assert table["gap_low_share"].tolist() == [True, True]  # 75 % and 0 % within 1 km
    assert table["gap_not_reached"].tolist() == [False, True]  # w1 comes to homes in Koper (A), not in Ankaran (B)
    # 1 < 2 located in each area: a neutral fact, never a gap by itself
    assert table["below_min_in_area"].tolist() == [True, True]
    assert table.loc[B, "gap_reasons"] == (
        "gap_far: mean distance 2.0 km > 1 km; gap_low_share: 0% of residents within 1 km < 80%; "
        "gap_not_reached: no matching service delivered to the residents serves this area"
    )
    assert table.loc[A, "gap_reasons"] == "gap_low_share: 75% of residents within 1 km < 80%"
    assert table["gap"].all()
    rules = strict.describe()
    assert "> 1 km" in rules["gap_far"] and "within 1 km" in rules["gap_low_share"] and "< 80%" in rules["gap_low_share"]
    assert "serves this area" in rules["gap_not_reached"]
    assert all(f"{flag}: {rule}." in table.attrs["notes"] for flag, rule in rules.items())
    assert table.attrs["parameters"]["thresholds"]["min_share"] == 0.8


@pytest.mark.parametrize("bad", [
    {"max_mean_distance_km": 0}, {"share_radius_km": -1}, {"min_share": 1.5}, {"min_services_in_area": -1},
    {"max_mean_distance_km": float("nan")},
])
def test_thresholds_refuse_impossible_values(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        coverage.GapThresholds(**bad)


def test_target_group_keeps_services_for_everyone():
    table = _cover(target_group="families").set_index("area_id")
    # s2 (families) and w1 (general) match; s1 and s3 (older) do not.
    assert table["services_in_area"].tolist() == [0, 1]
    assert table["area_wide_ids"].tolist() == [("w1",), ()]
    assert table["mean_distance_km"].tolist() == pytest.approx([(300 * 6 + 100 * 4) / 400, 2.0], abs=1e-6)


def test_semicolon_separated_lists_work_like_parsed_lists():
    raw = _services()
    raw["target_groups"] = raw["target_groups"].map(";".join)
    raw["service_area"] = raw["service_area"].map(";".join)
    pd.testing.assert_frame_equal(_cover(raw, target_group="families"), _cover(target_group="families"))


def test_without_ankaran_only_the_row_goes():
    full = _cover(category="counselling")
    only_ks = _cover(category="counselling", include_ankaran=False)
    assert only_ks["area_id"].tolist() == [A]
    # Ankaran's residents still count as demand in the catchments, so the KS values do not move.
    pd.testing.assert_frame_equal(only_ks, full.iloc[:1])
    assert any("Ankaran's row is left out" in note for note in only_ks.attrs["notes"])


def test_a_service_outside_the_areas_counts_for_distance_not_for_the_area():
    services = pd.concat([_services(), pd.DataFrame([_service("outside", 2500, "", category="residential")])])
    table = _cover(services, category="residential")
    assert table["services_in_area"].tolist() == [0, 0]
    assert table["max_distance_km"].tolist() == pytest.approx([2.5, 5.5], abs=1e-6)


# --- opening hours --------------------------------------------------------------------------------

SATURDAY = dt.datetime(2026, 11, 28, 10, 0)
MONDAY = dt.datetime(2026, 11, 30, 10, 0)
CHRISTMAS = dt.datetime(2026, 12, 25, 10, 0)  # a Friday and a Slovenian public holiday


def _timed_services() -> pd.DataFrame:
    services = _services()
    services["opening_hours"] = ["Mo-Fr 08:00-15:00; PH off", "Mo-Su 08:00-20:00", "", "Mo-Su 00:00-24:00"]
    return services


def test_a_service_closed_on_saturday_drops_out():
    monday = _cover(_timed_services(), category="counselling", at=MONDAY).set_index("area_id")
    saturday = _cover(_timed_services(), category="counselling", at=SATURDAY).set_index("area_id")
    assert monday["services_in_area"].tolist() == [1, 1]
    assert saturday["services_in_area"].tolist() == [0, 1]
    # Without s1 the nearest counselling for A is s2 at x=6000: (300·6000 + 100·4000)/400 = 5500 m.
    assert saturday["mean_distance_km"].tolist() == pytest.approx([5.5, 2.0], abs=1e-6)
    assert saturday["area_wide_ids"].tolist() == [("w1",), ()]  # 24/7
    assert saturday.attrs["parameters"]["at"] == "2026-11-28T10:00"
    assert any("Sat 2026-11-28 10:00" in note for note in saturday.attrs["notes"])


def test_public_holidays_close_ph_off_services():
    table = _cover(_timed_services(), category="counselling", at=CHRISTMAS)
    assert table["services_in_area"].tolist() == [0, 1]


def test_unknown_hours_are_left_out_unless_asked_for():
    left_out = _cover(_timed_services(), category="day_activities", at=MONDAY)
    kept = _cover(_timed_services(), category="day_activities", at=MONDAY, include_unknown_hours=True)
    assert left_out["services_in_area"].tolist() == [0, 0] and left_out["mean_distance_km"].isna().all()
    assert kept["services_in_area"].tolist() == [0, 1]
    assert not _cover(_timed_services(), category="day_activities")["mean_distance_km"].isna().any()


def test_an_aware_time_is_read_in_koper_time():
    utc = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)  # 10:00 in Koper (CET)
    table = _cover(_timed_services(), category="counselling", at=utc)
    assert table["services_in_area"].tolist() == [0, 1]
    assert table.attrs["parameters"]["at"] == "2026-11-28T10:00"


# --- confidential services ------------------------------------------------------------------------

def _with_leaked_secret() -> pd.DataFrame:
    """The hand-computed services plus a confidential one with (illegally) injected location data."""
    lat, lon = _latlon(2000)
    return pd.concat([_services(), pd.DataFrame([{
        "id": "secret-shelter", "category": "counselling", "target_groups": ["general"],
        "location_type": "confidential", "service_area": ["koper", "ankaran"], "lat": lat, "lon": lon,
        "area_id": A, "opening_hours": "24/7",
    }])], ignore_index=True)


def test_confidential_rows_change_nothing_even_with_injected_coordinates():
    clean, leaked = _services(), _with_leaked_secret()
    for options in ({}, {"category": "counselling"}, {"at": SATURDAY, "include_unknown_hours": True}):
        pd.testing.assert_frame_equal(_cover(leaked, **options), _cover(clean, **options))
    long = coverage.coverage_by_category(leaked, AREAS, _demand(), radius_km=5)
    assert "secret-shelter" not in long.to_csv()
    pd.testing.assert_frame_equal(long, coverage.coverage_by_category(clean, AREAS, _demand(), radius_km=5))


def test_the_entry_gate_is_what_keeps_confidential_rows_out(monkeypatch):
    # Even if "confidential" were ever counted as a located type, the gate at the entry drops the row first.
    monkeypatch.setattr(model, "PLACED_TYPES", (*model.PLACED_TYPES, "confidential"))
    pd.testing.assert_frame_equal(_cover(_with_leaked_secret()), _cover(_services()))
    assert coverage.without_confidential(_with_leaked_secret())["id"].tolist() == ["s1", "s2", "s3", "w1"]


def test_real_confidential_services_stay_out_with_coordinates_forced_on(real):
    services, areas_table, demand = real
    confidential = services["location_type"] == "confidential"
    assert confidential.sum() == 3
    forced = services.copy()
    forced.loc[confidential, ["lat", "lon"]] = [45.548, 13.730]  # Koper old town
    forced.loc[confidential, "area_id"] = "ks-50619"
    forced.loc[confidential, "service_area"] = pd.Series([["koper", "ankaran"]] * 3, index=forced.index[confidential])
    before = coverage.coverage_by_category(services, areas_table, demand)
    after = coverage.coverage_by_category(forced, areas_table, demand)
    # The one difference: the widened service_area now lets Ankaran's residents call them (phone_only),
    # so Ankaran's crisis row is help by phone, not a gap; no measure counts them anywhere.
    ankaran_crisis = (after["area_id"] == "ob-213") & (after["category"] == "crisis")
    pd.testing.assert_frame_equal(after[~ankaran_crisis], before[~ankaran_crisis])
    assert before.loc[ankaran_crisis, ["phone_only", "gap"]].values.tolist() == [[False, True]]
    assert after.loc[ankaran_crisis, ["phone_only", "gap"]].values.tolist() == [[True, False]]
    crisis = after[after["category"] == "crisis"]  # crisis services are all confidential
    assert crisis["mean_distance_km"].isna().all() and (crisis["services_in_area"] == 0).all()
    for service_id in services.loc[confidential, "id"]:
        assert service_id not in after.to_csv()


# --- the array functions against independent calculations ----------------------------------------

def _brute_force_2sfca(demand_xy, population, supply_xy, size, radius):
    """The textbook definition, one pair at a time (O(n·m) Python loops)."""
    distance = [[float(np.hypot(*(d - s))) for s in supply_xy] for d in demand_xy]
    ratio = []
    for j, s_j in enumerate(size):
        reached = sum(population[i] for i in range(len(demand_xy)) if distance[i][j] <= radius)
        ratio.append(s_j / reached if reached > 0 else 0.0)
    return np.array([sum(ratio[j] for j in range(len(supply_xy)) if distance[i][j] <= radius)
                     for i in range(len(demand_xy))])


@pytest.fixture
def random_case():
    rng = np.random.default_rng(3)
    demand_xy = rng.uniform(0, 20_000, (60, 2))
    population = rng.integers(0, 500, 60).astype(float)  # some points are empty
    supply_xy = np.vstack([rng.uniform(0, 20_000, (24, 2)), [[90_000, 90_000]]])  # the last reaches no one
    size = rng.integers(0, 4, 25).astype(float)
    return demand_xy, population, supply_xy, size


def test_2sfca_matches_the_brute_force_definition(random_case):
    demand_xy, population, supply_xy, size = random_case
    for radius in (1_000, 4_000, 12_000):
        expected = _brute_force_2sfca(demand_xy, population, supply_xy, size, radius)
        got = geo_access.two_step_fca(demand_xy, population, supply_xy, size, radius)
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_2sfca_matches_pysal_access(random_case):
    pysal_fca = pytest.importorskip("access.fca")  # test-only dependency, pinned in requirements.txt
    demand_xy, population, supply_xy, size = random_case
    radius = 4_000
    i, j, distance = geo_access.pairs_within(demand_xy, supply_xy, radius * 2)  # PySAL applies the cut itself
    costs = pd.DataFrame({"origin": i, "dest": j, "cost": distance})
    demand = pd.DataFrame({"geoid": np.arange(len(demand_xy)), "pop": population})
    supply = pd.DataFrame({"supply": size}, index=pd.Index(np.arange(len(supply_xy)), name="geoid"))
    theirs = pysal_fca.two_stage_fca(demand, supply, costs, max_cost=radius, demand_index="geoid",
                                     demand_name="pop", supply_name="supply")
    ours = geo_access.two_step_fca(demand_xy, population, supply_xy, size, radius)
    reached = theirs.index.to_numpy()
    assert len(reached) > 40
    assert ours[reached] == pytest.approx(theirs.to_numpy(), rel=1e-12)
    # PySAL leaves out demand points with no supply in reach; for us they are 0.
    assert (ours[np.setdiff1d(np.arange(len(demand_xy)), reached)] == 0).all()


def test_pairs_within_includes_the_boundary_and_coincident_points():
    demand = np.array([[0.0, 0.0], [2000.0, 0.0], [8000.0, 0.0]])
    supply = np.array([[0.0, 0.0], [6000.0, 0.0]])
    i, j, distance = geo_access.pairs_within(demand, supply, 2000)
    assert sorted(zip(i.tolist(), j.tolist(), distance.tolist())) == [(0, 0, 0.0), (1, 0, 2000.0), (2, 1, 2000.0)]
    with pytest.raises(ValueError, match="radius"):
        geo_access.pairs_within(demand, supply, -1)


def test_array_helpers_keep_unknown_unknown():
    assert np.isnan(geo_access.nearest_distance(np.zeros((2, 2)), np.empty((0, 2)))).all()
    assert geo_access.nearest_distance(np.array([[3.0, 4.0]]), np.array([[0.0, 0.0], [30.0, 40.0]])).tolist() == [5.0]
    groups = np.array([0, 0, 1, 1, 2, -1])
    values = np.array([1.0, 3.0, np.nan, 4.0, 5.0, 100.0])
    weights = np.array([1.0, 3.0, 1.0, 1.0, 0.0, 1.0])
    mean = geo_access.group_weighted_mean(values, weights, groups, 4)
    assert mean[0] == pytest.approx(2.5) and np.isnan(mean[1:]).all()  # a NaN value, no weight, no points
    maximum = geo_access.group_max(values, groups, 4)
    assert maximum[0] == 3.0 and np.isnan(maximum[1]) and maximum[2] == 5.0 and np.isnan(maximum[3])
    share = geo_access.group_share(np.array([True, False, True, False, True, True]), weights, groups, 4)
    assert share[0] == pytest.approx(0.25) and share[1] == 0.5 and np.isnan(share[2])


def test_area_measures_match_a_plain_per_area_calculation():
    """A random case of 40 areas checked against loops over demand points and services."""
    rng = np.random.default_rng(11)
    n_areas = 40
    area_ids = [f"ks-{k}" for k in range(n_areas)]
    xs = rng.uniform(0, 30_000, 400)
    demand = _demand(xs, rng.uniform(10, 100, 400), rng.choice(area_ids[:-1], 400))  # the last area: no points
    services = pd.DataFrame([
        _service(f"s{k}", x, rng.choice(area_ids), category=rng.choice(["counselling", "crisis"]))
        for k, x in enumerate(rng.uniform(0, 30_000, 30))
    ])
    areas_table = pd.DataFrame({"area_id": area_ids, "name_sl": area_ids, "name_it": "",
                                "population": rng.integers(100, 1000, n_areas), "population_date": "2024"})
    table = coverage.area_coverage(services, areas_table, demand, category="counselling", radius_km=3)

    points = nearest.project(demand["lat"].to_numpy(), demand["lon"].to_numpy())
    chosen = services[services["category"] == "counselling"]
    sites = nearest.project(chosen["lat"].to_numpy(dtype=float), chosen["lon"].to_numpy(dtype=float))
    per_point = np.array([min(np.hypot(*(p - s)) for s in sites) for p in points])
    a_i = _brute_force_2sfca(points, demand["population"].to_numpy(), sites, np.ones(len(sites)), 3000)
    for k, area_id in enumerate(area_ids):
        row = table.iloc[k]
        mine = (demand["area_id"] == area_id).to_numpy()
        if not mine.any():
            assert np.isnan(row["mean_distance_km"]) and np.isnan(row["access_2sfca"])
            continue
        pop = demand["population"].to_numpy()[mine]
        assert row["mean_distance_km"] == pytest.approx(np.average(per_point[mine], weights=pop) / 1000)
        assert row["max_distance_km"] == pytest.approx(per_point[mine].max() / 1000)
        assert row["share_within_1km"] == pytest.approx(pop[per_point[mine] <= 1000].sum() / pop.sum())
        assert row["access_2sfca"] == pytest.approx(np.average(a_i[mine], weights=pop) * 1000)
        assert row["services_in_area"] == (chosen["area_id"] == area_id).sum()


# --- input checks ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "message"), [
    ({"category": "shelters"}, "unknown category 'shelters'; use one of: home_care"),
    ({"target_group": "cats"}, "unknown target group 'cats'"),
    ({"radius_km": 0}, "catchment radius"),
    ({"radius_km": "far"}, "catchment radius"),
    ({"supply": "beds"}, "unknown supply mode"),
    ({"at": "Sa 10:00"}, "parse_when"),
    ({"at": dt.datetime.fromisoformat("0001-01-01T00:00+14:00")}, "at: .*out of range"),
])
def test_bad_parameters_are_named(options, message):
    with pytest.raises(errors.CoverageError, match=message):
        _cover(**options)


def test_missing_columns_are_named():
    with pytest.raises(errors.CoverageError, match="demand points table lacks column.*population"):
        coverage.area_coverage(_services(), AREAS, _demand().drop(columns="population"))


def test_all_is_accepted_as_every_category():
    pd.testing.assert_frame_equal(_cover(category=coverage.ALL), _cover())


# --- real data --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    loaded = directory.build_directory(settings.data_dir())
    assert loaded.error is None
    return loaded.services, areas.load_areas(settings.data_dir()), areas.load_demand_points(settings.data_dir())


@pytest.fixture(scope="module")
def real_long(real) -> pd.DataFrame:
    return coverage.coverage_by_category(*real)


def test_real_data_has_23_areas_and_their_population(real):
    services, areas_table, demand = real
    table = coverage.area_coverage(services, areas_table, demand)
    assert len(table) == 23
    assert table["area_id"].tolist() == areas_table["area_id"].tolist()
    assert table["population"].sum() == areas_table["population"].sum()
    # demand points carry each area's population exactly (thousandths of a person)
    assert demand.groupby("area_id")["population"].sum().reindex(table["area_id"]).to_numpy() == pytest.approx(
        table["population"].to_numpy(), abs=0.01)
    only_ks = coverage.area_coverage(services, areas_table, demand, include_ankaran=False)
    assert len(only_ks) == 22 and areas.ANKARAN_AREA_ID not in set(only_ks["area_id"])
    pd.testing.assert_frame_equal(only_ks, table.iloc[:22])


def test_real_data_measures_are_consistent(real, real_long):
    services, _areas_table, _demand_points = real
    assert len(real_long) == 23 * 8
    assert real_long["category"].unique().tolist() == [coverage.ALL, *model.CATEGORIES]
    every = real_long[real_long["category"] == coverage.ALL].set_index("area_id")
    placed = services[services["location_type"].isin(["site", "office"]) & (services["area_id"] != "")]
    assert every["services_in_area"].sum() == len(placed)
    assert real_long.groupby("category")["services_in_area"].sum().drop(coverage.ALL).sum() == len(placed)
    located = real_long.dropna(subset=["mean_distance_km"])
    assert (located["mean_distance_km"] <= located["max_distance_km"] + 1e-12).all()
    assert located["mean_road_distance_km"].to_numpy() == pytest.approx(located["mean_distance_km"].to_numpy() * 1.3)
    measured = real_long[(real_long["basis"] != coverage.DELIVERED) & ~real_long["phone_only"]]
    assert (measured["share_within_1km"] <= measured["share_within_5km"]).all()
    assert (measured["share_within_5km"] <= measured["share_within_10km"]).all()
    # delivered only (home care): no distance, no share, no 2SFCA, never a 0 % that reads like a distance
    delivered = real_long[real_long["basis"] == coverage.DELIVERED]
    assert set(delivered["category"]) >= {"home_care"}
    assert delivered[["mean_distance_km", "share_within_5km", "access_2sfca"]].isna().all().all()
    # by phone only (crisis: all confidential): not measured by distance either, and never a gap
    by_phone = real_long[real_long["phone_only"]]
    assert set(by_phone["category"]) == {"crisis"} and len(by_phone) == 22  # Koper's 22 KS (service_area koper)
    assert by_phone[["mean_distance_km", "share_within_5km", "access_2sfca"]].isna().all().all()
    assert not by_phone[["gap", *coverage.GAP_FLAGS]].any().any()
    assert every.loc["ks-50619", "mean_distance_km"] < 1  # Koper - Center holds most services
    assert every.loc["ks-50619", "services_in_area"] >= 10
    assert every.loc["ks-50623", "mean_distance_km"] > 10  # Rakitovec, on the Croatian border
    home_care = real_long[real_long["category"] == "home_care"].set_index("area_id")
    assert (home_care.loc[home_care.index.str.startswith("ks-"), "area_wide_services"] == 5).all()
    assert home_care.loc[areas.ANKARAN_AREA_ID, "area_wide_services"] == 0  # the data say "koper" only


def test_long_table_equals_one_category_at_a_time(real, real_long):
    for category in (coverage.ALL, "home_care", "crisis"):
        single = coverage.area_coverage(*real, category=category)
        part = real_long[real_long["category"] == category].drop(columns="category").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, single)


def test_distances_agree_with_geo_nearest(real, real_long):
    """The projected distances against geo.nearest's geodesic ones, demand point by demand point."""
    services, _areas_table, demand = real
    index = nearest.build_index(services)
    geodesic = np.array([nearest.nearest(index, lat, lon, k=1)["distance_m"].iloc[0]
                         for lat, lon in zip(demand["lat"], demand["lon"])])
    expected = (demand.assign(d=geodesic * demand["population"]).groupby("area_id")["d"].sum()
                / demand.groupby("area_id")["population"].sum() / 1000)
    every = real_long[real_long["category"] == coverage.ALL].set_index("area_id")
    assert every["mean_distance_km"].drop(areas.ANKARAN_AREA_ID).to_numpy() == pytest.approx(
        expected.reindex(every.index).drop(areas.ANKARAN_AREA_ID).to_numpy(), rel=1e-3)
    # Ankaran's residents may use only the places whose service_area names Ankaran (the municipal
    # rights of Koper, for instance, are not theirs): the nearest of those, from geo.nearest.
    for_ankaran = services[services["service_area"].map(lambda tokens: "ankaran" in tokens)]
    index = nearest.build_index(for_ankaran)
    mine = demand[demand["area_id"] == areas.ANKARAN_AREA_ID]
    geodesic = np.array([nearest.nearest(index, lat, lon, k=1)["distance_m"].iloc[0] for lat, lon in zip(mine["lat"], mine["lon"])])
    ankaran = np.average(geodesic, weights=mine["population"]) / 1000
    assert every.loc[areas.ANKARAN_AREA_ID, "mean_distance_km"] == pytest.approx(ankaran, rel=1e-3)
    assert ankaran > expected[areas.ANKARAN_AREA_ID] + 0.1  # the eligibility rule moves the figure


def test_areas_are_looked_up_when_services_carry_no_area_id(real):
    services, areas_table, demand = real
    with_ids = coverage.area_coverage(services, areas_table, demand)
    index = areas.area_index(areas.load_boundaries(settings.data_dir()))
    looked_up = coverage.area_coverage(services.drop(columns=["area_id", "area_name"]), areas_table, demand, area_index=index)
    pd.testing.assert_frame_equal(looked_up, with_ids)
    placed = services[services["lat"].notna()]
    expected = [areas.area_of_point(lat, lon, index) or "" for lat, lon in zip(placed["lat"], placed["lon"])]
    lat, lon = placed["lat"].to_numpy(dtype=float), placed["lon"].to_numpy(dtype=float)
    assert coverage._areas_of_points(lat, lon, index).tolist() == expected


def test_real_saturday_keeps_only_services_open_then(real):
    saturday = coverage.area_coverage(*real, at=SATURDAY).set_index("area_id")
    with_unknown = coverage.area_coverage(*real, at=SATURDAY, include_unknown_hours=True).set_index("area_id")
    # No located service states Saturday hours; remote alarm (24/7) is the one area-wide service open for sure.
    assert saturday["services_in_area"].sum() == 0 and saturday["mean_distance_km"].isna().all()
    assert saturday.loc["ks-50619", "area_wide_ids"] == ("remote-alarm",)
    assert with_unknown["services_in_area"].sum() > 0


# --- command line ---------------------------------------------------------------------------------

def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "coverage", *args], capture_output=True, text=True,
                          cwd=settings.PROJECT_DIR, timeout=120)


def test_cli_csv_parses_with_one_row_per_area():
    done = _run("--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 23
    assert list(rows[0]) == list(cli.COVERAGE_COLUMNS)
    assert rows[0]["name"] == "Bertoki" and rows[0]["population_date"] == "2024-01-01"
    assert "EPSG:3794" in done.stderr and "equal share" in done.stderr  # the assumptions travel along


def test_cli_json_with_options():
    done = _run("--format", "json", "--category", "crisis", "--no-ankaran", "--lang", "it", "--at", "Sa 10:00",
                "--radius-km", "7.5")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert len(document["areas"]) == 22
    assert document["areas"][0]["name"] == "Bertocchi"
    assert document["areas"][0]["mean_distance_km"] is None  # unknown, not 0
    assert document["areas"][0]["gap_far"] is True
    assert document["parameters"]["radius_km"] == 7.5 and document["parameters"]["category"] == "crisis"
    assert document["parameters"]["at"].endswith("T10:00")
    assert any("1.3" in note for note in document["notes"])


@pytest.mark.parametrize("args", [
    ("--category", "shelters"), ("--target-group", "cats"), ("--at", "someday"), ("--radius-km", "-2"),
    ("--radius-km", "far"), ("--format", "xml"), ("--lang", "de"),
])
def test_cli_bad_arguments_exit_2_with_one_line(args):
    done = _run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and args[0] in done.stderr


def test_main_in_process_prints_csv_with_empty_unknowns(capsys, data_dir):
    assert cli.main(["coverage", "--category", "day_activities", "--no-ankaran"]) == 0
    rows = {row["area_id"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert len(rows) == 22
    assert rows["ks-50623"]["mean_distance_km"] != "" and rows["ks-50623"]["share_within_5km"] == "0.0"  # Rakitovec
    # crisis (confidential only) is help by phone: not measured, so empty, never 0
    assert cli.main(["coverage", "--category", "crisis", "--no-ankaran"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 22
    assert rows[0]["mean_distance_km"] == "" and rows[0]["share_within_5km"] == ""


PHONE_WORDS = {"sl": "pomoč samo po telefonu (naslov je zaupen)", "it": "aiuto solo per telefono (indirizzo riservato)",
               "en": "help by phone only (confidential address)"}


@pytest.mark.parametrize("lang", ["sl", "it", "en"])
def test_cli_says_crisis_help_is_by_phone_not_a_gap(capsys, data_dir, lang):
    # Crisis centres and safe houses are confidential (no address): the old CLI printed every Koper
    # area as basis none with gap_far "no matching service of any kind" (gap True).
    assert cli.main(["coverage", "--category", "crisis", "--lang", lang]) == 0
    rows = {row["area_id"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    koper = [row for area_id, row in rows.items() if area_id.startswith("ks-")]
    assert len(koper) == 22
    for row in koper:
        assert row["phone_only"] == "True" and row["gap"] == "False" and row["gap_far"] == "False"
        assert row["reach"].startswith(PHONE_WORDS[lang]) and row["reach"] == i18n.t("coverage.value_phone_only", lang)
        assert row["gap_text"] == "" and "no matching service" not in row["gap_reasons"]
        assert row["mean_distance_km"] == "" and row["share_within_5km"] == ""  # not measured by distance
    # Ankaran: the data say these confidential services serve Koper only, so it stays a gap, said in the language
    ankaran = rows["ob-213"]
    assert ankaran["phone_only"] == "False" and ankaran["gap"] == "True"
    assert ankaran["gap_text"] == i18n.t("gap.far_nothing", lang)
    # the same in JSON (booleans, null for not measured)
    assert cli.main(["coverage", "--category", "crisis", "--format", "json", "--no-ankaran", "--lang", lang]) == 0
    areas_json = json.loads(capsys.readouterr().out)["areas"]
    assert all(a["phone_only"] is True and a["gap"] is False and a["share_within_5km"] is None for a in areas_json)
    assert {a["reach"] for a in areas_json} == {i18n.t("coverage.value_phone_only", lang)}


def test_cli_phone_only_needs_a_confidential_service_of_the_selection(capsys, data_dir):
    # At Saturday 10:00 without unknown hours the crisis services (hours unpublished) do not count: a gap again;
    # with unknown hours kept they are help by phone. Any other category never reads "by phone".
    assert cli.main(["coverage", "--category", "crisis", "--at", "Sa 10:00", "--no-ankaran", "--lang", "en"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["phone_only"] for r in rows} == {"False"} and {r["gap"] for r in rows} == {"True"}
    assert cli.main(["coverage", "--category", "crisis", "--at", "Sa 10:00", "--include-unknown-hours", "--no-ankaran"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["phone_only"] for r in rows} == {"True"} and {r["gap"] for r in rows} == {"False"}
    assert cli.main(["coverage", "--category", "financial_aid", "--lang", "en"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["phone_only"] for r in rows} == {"False"} and not any("phone" in r["reach"] for r in rows)


@pytest.mark.parametrize("lang", ["sl", "it", "en"])
def test_council_report_tables_say_crisis_help_is_by_phone(real, lang):
    """geo.report (council page, PDF, downloads) reads area_coverage as it is: crisis is help by phone, no gap."""
    from geo import report

    table = coverage.area_coverage(*real, category="crisis", include_ankaran=False)
    shown = report.figures(table, lang, coverage.GapThresholds())
    phone = i18n.t("coverage.value_phone_only", lang)
    assert (shown[i18n.t("report.col.mean_distance_km", lang)] == phone).all()
    assert (shown[i18n.t("report.col.gap", lang)] == i18n.t("report.no", lang)).all()
    assert (shown[i18n.t("report.col.gap_text", lang)] == "").all()
    data = pd.read_csv(io.BytesIO(report.data_csv_bytes(table)))
    assert data["phone_only"].all() and not data["gap"].any()


def test_area_coverage_marks_phone_only_per_category():
    # area_coverage for one category: a confidential crisis service never makes another category "by phone"
    services = _rows(_service("c1", 0, A, category="crisis", location_type="confidential", service_area=("koper",)),
                     _service("h1", 0, A, category="financial_aid", location_type="office", service_area=("koper",)))
    crisis = _cover(services, category="crisis").set_index("area_id")
    assert crisis["phone_only"].tolist() == [True, False]  # B (Ankaran) is not served by c1
    assert crisis["gap"].tolist() == [False, True]
    assert crisis.loc[A, "gap_reasons"].startswith("phone only")
    day = _cover(services, category="day_activities").set_index("area_id")
    assert not day["phone_only"].any() and day["gap"].all()  # nothing matches: a gap, not "by phone"
    every = _cover(services).set_index("area_id")  # all categories: the office is measured, nothing by phone
    assert not every["phone_only"].any() and every["basis"].tolist() == ["places", "places"]


def test_main_reports_unreadable_data_in_one_line(capsys, data_dir):
    (data_dir / settings.SERVICES_FILE).write_text("id,name_sl\nbroken\n", encoding="utf-8")
    assert cli.main(["coverage"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("python -m geo coverage: error:") and len(err.strip().splitlines()) == 1


# --- issue 11: measures that mean what they say ------------------------------------------------------
#
# The same line of demand points: A1 x=0 and A2 x=2000 in the KS A (Koper), B1 x=8000 in Ankaran (B).

def _rows(*services: dict) -> pd.DataFrame:
    return pd.DataFrame(list(services))


def test_a_right_for_koper_residents_does_not_serve_ankaran_however_close():
    # o1: an office at x=8000 (on B1's doorstep) for Koper's residents only; o2 at x=0 for both.
    services = _rows(_service("o1", 8000, B, category="financial_aid", location_type="office", service_area=("koper",)),
                     _service("o2", 0, A, category="financial_aid", location_type="office", service_area=("koper", "ankaran")))
    table = _cover(services).set_index("area_id")
    # A: nearest is o2 at 0 / 2000 m (o1 is 6–8 km away); B may use only o2, 8 km away, not o1 at 0 m.
    assert table["mean_distance_km"].tolist() == pytest.approx([0.5, 8.0], abs=1e-6)
    assert table["services_in_area"].tolist() == [1, 0]  # o1 lies in Ankaran but does not serve it
    # 2SFCA, 5 km: o2 reaches A1, A2 (400 people, both may use it) -> 1/400; o1 reaches only B1 by
    # distance, and B1 may not use it: o1 serves nobody -> R = 0 (the rule split per service_area).
    assert table["access_2sfca"].tolist() == pytest.approx([2.5, 0.0])
    # with the restriction lifted, o1 would serve B1 (and A2 at 6 km is out of the 5 km catchment)
    open_to_all = services.assign(service_area=[("koper", "ankaran"), ("koper", "ankaran")])
    assert _cover(open_to_all)["access_2sfca"].tolist() == pytest.approx([2.5, 10.0])


def test_a_right_no_one_in_ankaran_may_use_is_far_for_ankaran_and_said_so():
    services = _rows(_service("o1", 8000, B, category="financial_aid", location_type="office", service_area=("koper",)))
    table = _cover(services).set_index("area_id")
    assert np.isnan(table.loc[B, "mean_distance_km"]) and table.loc[B, "share_within_5km"] == 0
    assert table.loc[B, "basis"] == coverage.PLACES and table.loc[B, "gap_far"]
    assert "no matching place these residents may use" in table.loc[B, "gap_reasons"]
    assert not table.loc[A, "gap_far"]


def test_home_delivered_categories_are_served_or_not_never_a_distance():
    services = _rows(
        _service("h1", None, location_type="area", category="home_care", service_area=("koper",)),
        _service("h2", None, location_type="area", category="home_care", service_area=("koper",)),
        _service("s1", 0, A),
    )
    table = _cover(services, category="home_care").set_index("area_id")
    assert table["basis"].tolist() == [coverage.DELIVERED, coverage.DELIVERED]
    for column in ("mean_distance_km", "share_within_1km", "share_within_5km", "share_within_10km", "access_2sfca"):
        assert table[column].isna().all(), column  # never "0 % within 5 km" for a service that comes home
    assert table["reaching_services"].tolist() == [2, 0] and table["home_ids"].tolist() == [("h1", "h2"), ()]
    assert table["gap"].tolist() == [False, True]  # Koper's KS served; Ankaran not reached
    assert table["gap_far"].tolist() == [False, False] and table["gap_low_share"].tolist() == [False, False]
    assert table.loc[B, "gap_reasons"] == "gap_not_reached: no matching service delivered to the residents serves this area"
    # "no service inside the area" is a neutral fact, never a gap by itself
    assert table["below_min_in_area"].tolist() == [True, True] and not table.loc[A, "gap"]


def test_community_and_accommodation_reach_without_being_at_home():
    services = _rows(
        _service("c1", None, location_type="area", category="health_prevention", service_area=("koper", "ankaran")),
        _service("a1", None, location_type="area", category="residential", service_area=("koper",), groups=("homeless",)),
    )
    services["delivery"] = ["community", "accommodation"]
    prevention = _cover(services, category="health_prevention").set_index("area_id")
    assert prevention["reaching_ids"].tolist() == [("c1",), ("c1",)] and prevention["home_ids"].tolist() == [(), ()]
    assert not prevention["gap"].any()
    housing = _cover(services, category="residential").set_index("area_id")
    assert housing["reaching_services"].tolist() == [1, 0] and housing["home_services"].tolist() == [0, 0]


def test_a_service_for_everyone_does_not_close_a_gap_for_a_target_group():
    services = _rows(
        _service("aed", None, location_type="area", category="health_prevention", groups=("general",),
                 service_area=("koper", "ankaran")),
        _service("everyone-place", 0, A, category="health_prevention", groups=("general",)),
        _service("older-place", 8000, B, category="health_prevention", groups=("older",)),
    )
    older = _cover(services, category="health_prevention", target_group="older").set_index("area_id")
    # The general place at x=0 does not count: A's residents are 8 and 6 km from the older people's place.
    assert older["mean_distance_km"].tolist() == pytest.approx([(300 * 8 + 100 * 6) / 400, 0.0], abs=1e-6)
    assert older["services_in_area"].tolist() == [0, 1]
    assert older["general_ids"].tolist() == [("aed",), ("aed",)]  # listed, not counted
    assert older["reaching_services"].tolist() == [0, 0] and older["basis"].tolist() == [coverage.PLACES] * 2
    assert older["gap_low_share"].tolist() == [True, False]
    assert any("general" in note and "never close a gap" in note for note in older.attrs["notes"])
    # without a target group the same services do count
    everyone = _cover(services, category="health_prevention").set_index("area_id")
    assert everyone["mean_distance_km"].tolist() == pytest.approx([0.5, 0.0], abs=1e-6)
    assert everyone["reaching_ids"].tolist() == [("aed",), ("aed",)] and not everyone["gap"].any()


def test_information_records_never_count():
    services = _rows(_service("call", None, location_type="area", category="health_prevention", service_area=("koper",)),
                     _service("call-office", 0, A, category="health_prevention", location_type="office"))
    services["record_kind"] = ["information", "information"]
    table = _cover(services, category="health_prevention")
    assert table["basis"].tolist() == [coverage.NOTHING] * 2 and table["area_wide_services"].tolist() == [0, 0]
    assert "call" not in table.to_csv() and coverage.counted(services).empty


def test_a_hypothetical_place_without_an_area_id_is_looked_up(real):
    """What-if rows: a site with lat/lon only, its area found from the boundaries."""
    services, areas_table, demand = real
    index = areas.area_index(areas.load_boundaries(settings.data_dir()))
    marezige = areas_table.set_index("area_id").loc["ks-50610"]
    new = pd.DataFrame([{"id": "scenario-1", "category": "day_activities", "target_groups": ["older"],
                         "location_type": "site", "service_area": ["koper"], "record_kind": "service",
                         "lat": float(marezige["centroid_lat"]), "lon": float(marezige["centroid_lon"]),
                         "opening_hours": "Mo-Fr 08:00-16:00"}])
    before = coverage.area_coverage(services, areas_table, demand, category="day_activities", target_group="older",
                                    area_index=index).set_index("area_id")
    after = coverage.area_coverage(pd.concat([services, new], ignore_index=True), areas_table, demand,
                                   category="day_activities", target_group="older", area_index=index).set_index("area_id")
    assert after.loc["ks-50610", "services_in_area"] == before.loc["ks-50610", "services_in_area"] + 1
    assert after.loc["ks-50610", "mean_distance_km"] < before.loc["ks-50610", "mean_distance_km"] - 3
    assert not after.loc["ks-50610", "gap"] and before.loc["ks-50610", "gap"]
    # the new place serves Koper only: Ankaran's figures do not move
    pd.testing.assert_series_equal(after.loc[areas.ANKARAN_AREA_ID], before.loc[areas.ANKARAN_AREA_ID])


def test_time_status_lists_closed_with_next_opening_and_unknown_apart():
    services = _timed_services()
    status = coverage.time_status(services, SATURDAY)
    by_id = status.set_index("id")
    assert list(status.columns) == list(coverage.STATUS_COLUMNS)
    assert by_id.loc["s1", "state"] == "closed"
    assert by_id.loc["s1", "next_opening"] == dt.datetime(2026, 11, 30, 8, 0)  # Monday 08:00
    assert by_id.loc["s3", "state"] == "unknown" and by_id.loc["s3", "next_opening"] is None
    assert by_id["counted"].to_dict() == {"s1": False, "s2": True, "s3": False, "w1": True}
    assert status["id"].tolist()[:2] == ["s1", "s3"]  # closed first, then unknown, then open
    kept = coverage.time_status(services, SATURDAY, include_unknown_hours=True).set_index("id")
    assert kept.loc["s3", "counted"]
    # the measures agree: what time_status does not count is left out of area_coverage
    table = _cover(services, category="counselling", at=SATURDAY)
    assert table["services_in_area"].tolist() == [0, 1]
    only_day = coverage.time_status(services, SATURDAY, category="day_activities", target_group="older")
    assert only_day["id"].tolist() == ["s3"]
    assert coverage.time_status(_with_leaked_secret(), SATURDAY)["id"].str.contains("secret").sum() == 0


# --- the done-when checks on the real data ----------------------------------------------------

def test_home_care_has_no_gap_in_any_of_koper_s_22_local_communities(real_long):
    home = real_long[real_long["category"] == "home_care"].set_index("area_id")
    ks = home[home.index.str.startswith("ks-")]
    assert len(ks) == 22 and not ks["gap"].any()
    assert (ks["basis"] == coverage.DELIVERED).all() and (ks["home_services"] == 5).all()
    assert ks["mean_distance_km"].isna().all() and ks["share_within_5km"].isna().all()
    # the data say home care serves Koper only: Ankaran is the one area not reached
    assert home.loc[areas.ANKARAN_AREA_ID, "gap_not_reached"] and home["gap"].sum() == 1


def test_za_gradom_is_not_a_day_centre_gap_for_older_people(real):
    table = coverage.area_coverage(*real, category="day_activities", target_group="older").set_index("area_id")
    za_gradom = table.loc["ks-50618"]
    assert za_gradom["name_sl"] == "Za gradom"
    assert za_gradom["services_in_area"] == 0 and za_gradom["share_within_1km"] == 1.0  # none inside, all near one
    assert not za_gradom["gap"] and za_gradom["gap_reasons"] == ""


def test_the_gap_headline_counts_exactly_the_flags(real):
    from geo import i18n

    table = coverage.area_coverage(*real, category="day_activities")
    flagged = table[table["gap_far"] | table["gap_low_share"] | table["gap_not_reached"]]
    assert table["gap"].sum() == len(flagged) > 0
    people = int(flagged["population"].sum())
    assert coverage.words.gap_summary(table, "en") == i18n.t(
        "coverage.gap_summary", "en", areas=i18n.plural("coverage.gap_areas", "en", len(flagged), total=23),
        people=i18n.plural("coverage.gap_people", "en", people))
    assert f"**{len(flagged)}** of 23 areas have a gap" in coverage.words.gap_summary(table, "en")
    # Slovene's four plural forms, on the people the flagged rows hold (2 → "živita … prebivalca")
    two_people = table.iloc[[0, 1]].assign(gap=[True, False], population=[2, 500])
    assert coverage.words.gap_summary(two_people, "sl") == "Vrzel ima **1** od 2 območij; v njih živita **2** prebivalca."


def test_birth_grant_and_municipal_aid_do_not_serve_ankaran(real):
    services, _areas_table, _demand = real
    ankaran = coverage.serves_area(services, areas.ANKARAN_AREA_ID)
    by_id = dict(zip(services["id"], ankaran))
    assert not by_id["birth-grant"] and not by_id["municipal-financial-aid"]
    assert by_id["rent-subsidy"] and by_id["family-assistant"]  # the social-work centre serves both
    assert not by_id["co-financed-social-programmes"] and not by_id["safe-house-kras"]
    koper = dict(zip(services["id"], coverage.serves_area(services, "ks-50605")))
    assert koper["birth-grant"] and not koper["co-financed-social-programmes"]


def test_the_funding_call_is_never_counted(real_long):
    assert "co-financed-social-programmes" not in real_long.to_csv()


def test_the_choropleth_colours_home_care_served_or_not(real_long):
    from geo import choropleth

    table = real_long[real_long["category"] == "home_care"].drop(columns="category").reset_index(drop=True)
    m_scale = choropleth.scale(table, "share_within_5km")
    fills = [choropleth.fill_colour(m_scale, row, "share_within_5km") for row in table.to_dict("records")]
    assert fills.count(choropleth.SERVED) == 22 and fills.count(choropleth.NOT_SERVED) == 1
    assert [c for c, _label in choropleth.legend_rows(m_scale, table, "en")] == [choropleth.SERVED, choropleth.NOT_SERVED]
    ranked = choropleth.ranked(table, "share_within_5km")
    assert ranked.iloc[0]["area_id"] == areas.ANKARAN_AREA_ID  # not served: the worst, first
    assert (ranked.iloc[1:]["reaching_services"] == 5).all()
    # a choice of places keeps the value classes
    places = real_long[real_long["category"] == "financial_aid"].drop(columns="category").reset_index(drop=True)
    assert choropleth.legend_rows(choropleth.scale(places, "mean_distance_km"), places, "en")[0][0] in choropleth.PALETTE

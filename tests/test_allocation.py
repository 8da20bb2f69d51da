"""geo.allocation: spopt's MCLP and p-median against a brute-force enumeration, and on Koper's data."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from geo import allocation, areas, directory, nearest, settings
from geo.errors import ScenarioError

RADIUS_M = 2500.0


def small_case(seed: int):
    """12 demand points, 7 candidates and 1 existing place in a 10 km square near Koper (seeded)."""
    rng = np.random.default_rng(seed)
    demand = pd.DataFrame({
        "area_id": "ks-50620", "lat": rng.uniform(45.47, 45.56, 12), "lon": rng.uniform(13.72, 13.85, 12),
        "population": rng.integers(50, 2000, 12).astype(float),
    })
    candidate_points = pd.DataFrame({
        "candidate": [f"c{i}" for i in range(7)], "name_sl": "", "name_it": "", "area_id": "ks-50620",
        "lat": rng.uniform(45.47, 45.56, 7), "lon": rng.uniform(13.72, 13.85, 7),
    })
    existing = pd.DataFrame({"lat": [45.52], "lon": [13.78], "service_area": [[]]})
    return demand, candidate_points, existing


def matrices(demand, candidate_points, existing):
    d_xy = nearest.project(demand["lat"].to_numpy(), demand["lon"].to_numpy())
    c_xy = nearest.project(candidate_points["lat"].to_numpy(), candidate_points["lon"].to_numpy())
    e_xy = nearest.project(existing["lat"].to_numpy(), existing["lon"].to_numpy())
    cost = np.sqrt(((d_xy[:, None] - c_xy[None]) ** 2).sum(axis=2))
    before = np.sqrt(((d_xy[:, None] - e_xy[None]) ** 2).sum(axis=2)).min(axis=1)
    return cost, before


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_mclp_matches_brute_force(seed, k):
    demand, candidate_points, existing = small_case(seed)
    cost, before = matrices(demand, candidate_points, existing)
    weights = demand["population"].to_numpy()
    _best, best_value = allocation.brute_force(allocation.MCLP, cost, weights, k, RADIUS_M, before)
    found = allocation.suggest(allocation.MCLP, k, demand, candidate_points, existing, radius_km=RADIUS_M / 1000)
    assert found.status in (allocation.OPTIMAL, allocation.NOT_NEEDED)
    assert found.within_after == pytest.approx(best_value)
    assert found.within_before == pytest.approx(weights[before <= RADIUS_M].sum())
    # What each site brings adds up to the gain, and never counts the already covered.
    assert found.sites["residents_gained"].sum() == pytest.approx(found.within_after - found.within_before)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_p_median_matches_brute_force(seed, k):
    demand, candidate_points, existing = small_case(seed)
    cost, before = matrices(demand, candidate_points, existing)
    weights = demand["population"].to_numpy()
    best, best_value = allocation.brute_force(allocation.P_MEDIAN, cost, weights, k, RADIUS_M, before)
    found = allocation.suggest(allocation.P_MEDIAN, k, demand, candidate_points, existing, radius_km=RADIUS_M / 1000)
    assert found.status == allocation.OPTIMAL and len(found.sites) == k
    total_km = found.mean_km_after * weights.sum()
    assert total_km * 1000 == pytest.approx(best_value, rel=1e-9)
    # Without existing places the same reference holds (no fixed column).
    alone = allocation.suggest(allocation.P_MEDIAN, k, demand, candidate_points, existing.iloc[0:0],
                               radius_km=RADIUS_M / 1000)
    _b, alone_value = allocation.brute_force(allocation.P_MEDIAN, cost, weights, k, RADIUS_M)
    assert alone.mean_km_after * weights.sum() * 1000 == pytest.approx(alone_value, rel=1e-9)


def test_the_solvers_on_a_cost_matrix_pick_the_obvious_column():
    cost = np.array([[1.0, 9.0, 9.0], [1.0, 9.0, 9.0], [9.0, 9.0, 1.0]])
    weights = np.array([10.0, 10.0, 1.0])
    assert allocation.solve_mclp(cost, weights, 2.0, 1) == ([0], allocation.OPTIMAL)
    assert allocation.solve_p_median(cost, weights, 1) == ([0], allocation.OPTIMAL)
    fixed = np.array([1, 0, 0])
    assert allocation.solve_p_median(cost, weights, 1, fixed) == ([2], allocation.OPTIMAL)


def test_mclp_says_when_nothing_is_left_to_cover():
    demand, candidate_points, existing = small_case(1)
    found = allocation.suggest(allocation.MCLP, 2, demand, candidate_points, existing, radius_km=30)
    assert found.status == allocation.NOT_NEEDED and found.sites.empty
    assert found.within_before == found.within_after == found.residents


@pytest.mark.parametrize("bad, message", [
    (dict(model_name="lscp"), "unknown model"),
    (dict(k=0), "k must be one of"),
    (dict(k=6), "k must be one of"),
    (dict(radius_km=-1), "radius"),
])
def test_bad_requests_are_refused_naming_the_value(bad, message):
    demand, candidate_points, existing = small_case(1)
    request = dict(model_name=allocation.MCLP, k=1, demand_points=demand, candidate_points=candidate_points,
                   existing=existing, radius_km=2.5) | bad
    with pytest.raises((ScenarioError, ValueError), match=message):
        allocation.suggest(**request)
    with pytest.raises(ScenarioError, match="only 3 candidate"):
        allocation.suggest(allocation.MCLP, 5, demand, candidate_points.head(3), existing)


# --- Koper --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def koper():
    folder = settings.PROJECT_DIR / "data"
    services = directory.build_directory(folder).services
    return services, areas.load_demand_points(folder), areas.load_settlements(folder)


def test_existing_places_are_the_located_matching_services(koper):
    services, _demand, _settlements = koper
    existing = allocation.existing_places(services, "day_activities", "older")
    assert len(existing) >= 3 and existing["lat"].notna().all()
    # Home care is delivered at home: it has no place to go to.
    assert allocation.existing_places(services, "home_care", "older").empty
    with pytest.raises(ScenarioError, match="unknown category"):
        allocation.existing_places(services, "cooking", None)


@pytest.mark.parametrize("model_name", allocation.MODELS)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_koper_day_centres_for_older_people_k_1_to_3(koper, model_name, k):
    services, demand, settlements = koper
    points = allocation.candidates("settlements", settlements, demand)
    existing = allocation.existing_places(services, "day_activities", "older")
    found = allocation.suggest(model_name, k, demand, points, existing, radius_km=5)
    assert found.status == allocation.OPTIMAL and len(found.sites) == k
    assert set(found.sites.columns) == set(allocation.SITE_COLUMNS)
    assert (found.sites["residents_gained"] > 0).all()  # every suggested site brings residents within 5 km
    assert found.sites["residents_gained"].is_monotonic_decreasing
    assert found.within_after > found.within_before and found.mean_km_after < found.mean_km_before
    assert found.sites["residents_gained"].sum() == pytest.approx(found.within_after - found.within_before)
    assert found.n_existing == len(existing) and found.solve_seconds > 0
    assert found.sites["name_sl"].str.len().gt(0).all()  # settlements have names
    # Only Koper's residents count by default (a Koper-funded place): Ankaran's demand points are out.
    assert found.residents == pytest.approx(demand.loc[demand["area_id"] != areas.ANKARAN_AREA_ID, "population"].sum())


def test_more_sites_never_cover_fewer_residents(koper):
    services, demand, settlements = koper
    points = allocation.candidates("settlements", settlements, demand)
    existing = allocation.existing_places(services, "day_activities", "older")
    covered = [allocation.suggest(allocation.MCLP, k, demand, points, existing).within_after for k in (1, 2, 3)]
    assert covered[0] < covered[1] < covered[2]


def test_demand_point_candidates_are_named_after_their_settlement(koper):
    _services, demand, settlements = koper
    points = allocation.candidates("demand_points", settlements, demand)
    assert len(points) == len(demand)
    assert (points["name_sl"] != "").mean() > 0.9
    with pytest.raises(ScenarioError, match="unknown candidate set"):
        allocation.candidates("streets", settlements, demand)


def test_the_benchmark_solves_a_tiny_ladder_case():
    sys.path.insert(0, str(settings.PROJECT_DIR / "bench"))
    import bench_allocation

    for model_name in allocation.MODELS:
        result = bench_allocation.solve_case(model_name, 30, 12, 10.0)
        assert result["status"] == allocation.OPTIMAL and len(result["chosen"]) == bench_allocation.K
    assert bench_allocation.LADDER[-1] == (18_000, 10_000)
    line = bench_allocation.estimate(allocation.MCLP, [(2_000_000, 50.0)])
    assert "≥ 4,500" in line and "not run" in line and "2.9 GB" in line  # 90 × 50 s, two dense float64 matrices
    assert "180 million variables" in bench_allocation.estimate(allocation.P_MEDIAN, [])

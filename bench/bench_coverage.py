"""Benchmark: all coverage measures for every area × (all + each category), on Koper and at national scale.

Run with ``python bench/bench_coverage.py``. Times ``geo.coverage.coverage_by_category`` (8 selections:
``all`` and the 7 categories) on the real data (23 areas, 384 demand points) and on a seeded
synthetic national case (212 areas, 18,000 demand points, 10,000 services spread over Slovenia's
bounding box; a fifth of the places and every area service for one municipality's residents only,
so the per-eligibility distances and 2SFCA are part of the timing), with and without the opening-hours filter. Prints the first run and the median of
the following runs. Targets: Koper < 200 ms, national < 5 s. Timings live here, not in tests,
because they depend on the machine.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere without installing

from geo import areas, coverage, directory, hours, model, nearest, settings  # noqa: E402

RUNS = 5
#: Slovenia's bounding box (south, west, north, east), degrees.
SLOVENIA_BBOX = (45.42, 13.38, 46.88, 16.61)
NATIONAL = {"areas": 212, "demand_points": 18_000, "services": 10_000}
HOURS = ("", "Mo-Fr 08:00-15:00; PH off", "Mo-Su 00:00-24:00", "Mo-Fr 07:00-19:00; Sa 08:00-12:00", "unknown")


def national(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Seeded synthetic (services, areas, demand points) at the scale of Slovenia.

    Areas are the Voronoi cells of random seeds (nearest seed, in D96/TM metres); every area
    gets a random population split equally over its demand points, as in the real data.
    """
    rng = np.random.default_rng(seed)
    south, west, north, east = SLOVENIA_BBOX
    n_areas, n_demand, n_services = NATIONAL["areas"], NATIONAL["demand_points"], NATIONAL["services"]
    area_ids = np.array([f"ks-{i}" for i in range(n_areas - 1)] + [areas.ANKARAN_AREA_ID], dtype=object)
    seeds = cKDTree(nearest.project(rng.uniform(south, north, n_areas), rng.uniform(west, east, n_areas)))

    def area_of(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return area_ids[seeds.query(nearest.project(lat, lon))[1]]

    d_lat, d_lon = rng.uniform(south, north, n_demand), rng.uniform(west, east, n_demand)
    d_area = area_of(d_lat, d_lon)
    population = rng.integers(300, 50_000, n_areas)
    points_in = pd.Series(d_area).value_counts().reindex(area_ids, fill_value=0).to_numpy()
    share = dict(zip(area_ids, population / np.maximum(points_in, 1)))
    demand = pd.DataFrame({"point_id": np.arange(n_demand), "area_id": d_area, "settlement_id": 0,
                           "lon": d_lon, "lat": d_lat, "population": pd.Series(d_area).map(share).to_numpy()})
    areas_table = pd.DataFrame({"area_id": area_ids, "name_sl": area_ids, "name_it": "", "population": population,
                                "population_date": "2024-01-01"})

    s_lat, s_lon = rng.uniform(south, north, n_services), rng.uniform(west, east, n_services)
    location_type = rng.choice(["site", "office", "area", "confidential"], n_services, p=[0.75, 0.15, 0.08, 0.02])
    placed = np.isin(location_type, model.PLACED_TYPES)
    groups = np.array(model.TARGET_GROUPS, dtype=object)
    services = pd.DataFrame({
        "id": [f"s{i}" for i in range(n_services)],
        "category": rng.choice(model.CATEGORIES, n_services),
        "target_groups": [list(groups[rng.choice(len(groups), k, replace=False)]) for k in rng.integers(1, 4, n_services)],
        "location_type": location_type,
        # Who may use it (issue 11): area services and a fifth of the places serve "koper" only, so the
        # eligibility split of distances and 2SFCA is timed too; the other places serve everyone.
        "service_area": [["koper"] if t == "area" or k % 5 == 0 else [] for k, t in enumerate(location_type)],
        "delivery": np.where(location_type == "area", rng.choice(list(model.DELIVERY_KINDS), n_services), ""),
        "lat": np.where(placed, s_lat, np.nan),
        "lon": np.where(placed, s_lon, np.nan),
        "area_id": np.where(placed, area_of(s_lat, s_lon), ""),
        "opening_hours": rng.choice(HOURS, n_services),
    })
    return services, areas_table, demand


def timed(function) -> tuple[float, float, object]:
    """(first run, median of the next RUNS runs) in seconds, and the result."""
    started = time.perf_counter()
    result = function()
    first = time.perf_counter() - started
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times), result


def main() -> None:
    """Print one table row per case."""
    data = settings.data_dir()
    koper = (directory.build_directory(data).services, areas.load_areas(data), areas.load_demand_points(data))
    synthetic = national()
    saturday = hours.parse_when("Sa 10:00")
    cases = [
        ("Koper", koper, None, 0.2),
        ("Koper, open Sa 10:00", koper, saturday, 0.2),
        ("national synthetic", synthetic, None, 5.0),
        ("national, open Sa 10:00", synthetic, saturday, 5.0),
    ]
    print(f"{'case':<24} {'areas':>6} {'demand pts':>10} {'services':>9} {'rows':>6} "
          f"{'first (ms)':>11} {'median (ms)':>12} {'target (ms)':>12}")
    for name, (services, areas_table, demand), at, target in cases:
        first, median, result = timed(
            lambda s=services, a=areas_table, d=demand, when=at: coverage.coverage_by_category(s, a, d, at=when))
        flag = "" if median < target else "  SLOWER THAN TARGET"
        print(f"{name:<24} {len(areas_table):>6} {len(demand):>10,} {len(services):>9,} {len(result):>6} "
              f"{first * 1e3:>11.1f} {median * 1e3:>12.1f} {target * 1e3:>12.0f}{flag}")


if __name__ == "__main__":
    main()

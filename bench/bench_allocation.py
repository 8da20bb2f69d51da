"""Benchmark: the what-if recompute and spopt's MCLP / p-median (k = 3), on Koper and towards the national scale.

Run with ``python bench/bench_allocation.py`` (``--budget 60`` seconds per solver case, ``--skip-ladder``).

1. What-if on Koper: one hypothetical day centre for older people added (geo.scenario.with_places)
   and the after-table recomputed with geo.coverage.area_coverage, plus the before/after comparison
   — what the page does on every change. First run and the median of the next runs.
2. MCLP and p-median for k = 3 on Koper (demand points × settlement centroids, and × demand points),
   with the solver time (model building by spopt/PuLP plus CBC) that geo.allocation reports.
3. The 18,000 demand points × 10,000 candidates synthetic case (bench/bench_coverage.national):
   spopt's ``from_cost_matrix`` needs the dense 18,000 × 10,000 distance matrix (1.44 GB as float64,
   and a second one for MCLP's coverage matrix) and one PuLP variable per pair for p-median
   (180 million variables, each a Python object of several hundred bytes: far more memory than the
   24 GB machine has). So the script does not try it whole: it solves a ladder of growing random
   subsets of that case, each in its own process with a time budget, stops at the first size that
   exceeds the budget, and prints the measured times and the extrapolation to the full size. The
   page itself only ever solves Koper (≤ 384 × 384).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere without installing
sys.path.insert(0, str(ROOT / "bench"))

from geo import allocation, areas, coverage, directory, scenario, settings  # noqa: E402
from geo.errors import ScenarioError  # noqa: E402

RUNS = 5
K = 3
MAREZIGE = scenario.Place(45.509027, 13.796061, "day_activities", ("older",), "Mo-Fr 08:00-16:00", origin="s10101883")
#: (demand points, candidates) of the ladder towards 18,000 × 10,000.
LADDER = ((500, 250), (1000, 500), (2000, 1000), (4000, 2000), (18_000, 10_000))
FULL = LADDER[-1]
#: Seconds a ladder child may take beyond the solver budget (imports, the synthetic case, the matrix).
STARTUP_S = 180


def whatif_koper() -> None:
    folder = settings.data_dir()
    services = directory.build_directory(folder).services
    area_table, demand = areas.load_areas(folder), areas.load_demand_points(folder)
    index = areas.area_index(areas.load_boundaries(folder))
    choice = dict(category="day_activities", target_group="older", area_index=index)
    before = coverage.area_coverage(services, area_table, demand, **choice)

    def recompute():
        after = coverage.area_coverage(scenario.with_places(services, [MAREZIGE], index), area_table, demand, **choice)
        return scenario.compare(before, after)

    started = time.perf_counter()
    table = recompute()
    first = time.perf_counter() - started
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        recompute()
        times.append(time.perf_counter() - started)
    print(f"what-if, Koper, 1 site (Marezige, day centres / older): first {first * 1e3:.0f} ms, "
          f"median {statistics.median(times) * 1e3:.0f} ms; {int(table['newly_within'].sum()):,} residents newly within 5 km")


def allocation_koper() -> None:
    folder = settings.data_dir()
    services = directory.build_directory(folder).services
    demand, settlements = areas.load_demand_points(folder), areas.load_settlements(folder)
    existing = allocation.existing_places(services, "day_activities", "older")
    import spopt.locate  # noqa: F401 - the import (seconds) is not the solver's time
    print(f"\n{'Koper, k = 3':<34} {'demand':>7} {'cands':>6} {'solve (s)':>10} {'within 5 km before → after':>30}  status")
    for kind in allocation.CANDIDATE_SETS:
        points = allocation.candidates(kind, settlements, demand)
        for model_name in allocation.MODELS:
            try:
                found = allocation.suggest(model_name, K, demand, points, existing, radius_km=5, time_limit_s=300)
            except ScenarioError as error:
                print(f"{model_name + ' × ' + kind:<34} {'':>7} {len(points):>6} {'> 300':>10}  {error}")
                continue
            print(f"{model_name + ' × ' + kind:<34} {found.n_demand:>7} {found.n_candidates:>6} {found.solve_seconds:>10.2f} "
                  f"{found.within_before:>14,.0f} → {found.within_after:>13,.0f}  {found.status}")


def _subset(n_demand: int, n_candidates: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Demand xy (m), weights and candidate xy (m) drawn from the national synthetic case."""
    from bench_coverage import national  # the same seeded 18,000 × 10,000 case as the coverage benchmark

    services, _areas, demand = national(seed)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(demand), n_demand, replace=False)
    located = services.dropna(subset=["lat", "lon"])
    if n_candidates > len(located):  # 10,000 candidates: the services' points plus random ones in the same box
        extra = n_candidates - len(located)
        from bench_coverage import SLOVENIA_BBOX
        south, west, north, east = SLOVENIA_BBOX
        lat = np.concatenate([located["lat"].to_numpy(float), rng.uniform(south, north, extra)])
        lon = np.concatenate([located["lon"].to_numpy(float), rng.uniform(west, east, extra)])
    else:
        pick = rng.choice(len(located), n_candidates, replace=False)
        lat, lon = located["lat"].to_numpy(float)[pick], located["lon"].to_numpy(float)[pick]
    from geo import nearest

    d = demand.iloc[rows]
    return (nearest.project(d["lat"].to_numpy(float), d["lon"].to_numpy(float)), d["population"].to_numpy(float),
            nearest.project(lat, lon))


def solve_case(model_name: str, n_demand: int, n_candidates: int, radius_km: float) -> dict:
    """One ladder case (run in a child process): timings of matrix, spopt build + CBC solve."""
    import spopt.locate  # noqa: F401

    demand_xy, weights, cand_xy = _subset(n_demand, n_candidates)
    started = time.perf_counter()
    cost = np.sqrt(((demand_xy[:, None, :] - cand_xy[None, :, :]) ** 2).sum(axis=2))
    matrix_s = time.perf_counter() - started
    started = time.perf_counter()
    if model_name == allocation.MCLP:
        chosen, status = allocation.solve_mclp(cost, weights, radius_km * 1000, K, time_limit_s=600)
    else:
        chosen, status = allocation.solve_p_median(cost, weights, K, time_limit_s=600)
    return {"matrix_s": matrix_s, "solve_s": time.perf_counter() - started, "status": status, "chosen": chosen}


def estimate(model_name: str, measured: list[tuple[int, float]]) -> str:
    """The full case's line: time extrapolated linearly in pairs from the largest measured case (a lower
    bound: the solver's time grows faster than linearly), and the memory the dense model needs."""
    n_demand, n_candidates = FULL
    pairs = n_demand * n_candidates
    memory = f"the dense matrices alone need {pairs * 8 / 1e9 * (2 if model_name == allocation.MCLP else 1):.1f} GB"
    if model_name == allocation.P_MEDIAN:
        memory += f" and PuLP {pairs / 1e6:,.0f} million variables (hundreds of bytes each)"
    if not measured:
        return f"{model_name:<10} {n_demand:>7,} {n_candidates:>7,} {pairs:>13,}  not run: nothing measured; {memory}"
    last_pairs, last_s = measured[-1]
    return (f"{model_name:<10} {n_demand:>7,} {n_candidates:>7,} {pairs:>13,} {'':>11} "
            f"{'≥ ' + format(last_s * pairs / last_pairs, ',.0f'):>16}  not run: estimated from {last_pairs:,} pairs "
            f"(linear in pairs, a lower bound); {memory}")


def ladder(budget_s: float) -> None:
    print(f"\nsynthetic national case, k = {K}, each case in its own process, budget {budget_s:.0f} s per case")
    print(f"{'model':<10} {'demand':>7} {'cands':>7} {'pairs':>13} {'matrix (s)':>11} {'build+solve (s)':>16}  status")
    for model_name in allocation.MODELS:
        measured = []
        for n_demand, n_candidates in LADDER:
            pairs = n_demand * n_candidates
            if (n_demand, n_candidates) == FULL:
                break  # never run whole: see the module doc; estimated below
            code = (f"import json, sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}]; import bench_allocation as b; "
                    f"print(json.dumps(b.solve_case({model_name!r}, {n_demand}, {n_candidates}, 10.0)))")
            started = time.perf_counter()
            try:
                # The budget is the solver's; the child also needs time to import and build the synthetic case.
                done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                      timeout=budget_s + STARTUP_S, check=True)
            except subprocess.TimeoutExpired:
                print(f"{model_name:<10} {n_demand:>7,} {n_candidates:>7,} {pairs:>13,} {'':>11} "
                      f"{'> ' + format(budget_s, '.0f'):>16}  stopped (budget + {STARTUP_S} s start-up); larger cases not tried")
                break
            except subprocess.CalledProcessError as error:
                print(f"{model_name:<10} {n_demand:>7,} {n_candidates:>7,} failed: {error.stderr.strip().splitlines()[-1:]}")
                break
            result = json.loads(done.stdout.strip().splitlines()[-1])
            wall = time.perf_counter() - started
            measured.append((pairs, result["solve_s"]))
            print(f"{model_name:<10} {n_demand:>7,} {n_candidates:>7,} {pairs:>13,} {result['matrix_s']:>11.2f} "
                  f"{result['solve_s']:>16.2f}  {result['status']} (process {wall:.0f} s)")
            if result["solve_s"] > budget_s:
                print(f"{'':<10} over the budget of {budget_s:.0f} s: larger cases not tried")
                break
        print(estimate(model_name, measured))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per synthetic case (default 60)")
    parser.add_argument("--skip-ladder", action="store_true", help="only the Koper cases")
    options = parser.parse_args()
    whatif_koper()
    allocation_koper()
    if not options.skip_ladder:
        ladder(options.budget)


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()

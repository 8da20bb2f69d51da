"""Benchmark: nearest-location queries with the KD-tree index vs a naive geopy loop over rows.

Run with ``python bench/bench_nearest.py``. Builds 50 and 10,000 seeded random locations in the
Koper bounding box and prints the median time of one k=3 query for each method and their ratio.
Target: a query over 10,000 locations in under 20 ms. Timings live here, not in tests, because they depend on the machine.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from geopy.distance import geodesic

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere without installing

from geo import nearest, settings

SIZES = (50, 10_000)
K = 3
QUERIES = 25
NAIVE_QUERIES_LARGE = 5  # the naive loop takes ~0.1-1 s per query at 10,000 rows
#: Largest acceptable median query time, seconds.
TARGET_S = 0.020


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """n seeded random site locations inside settings.KOPER_BBOX."""
    rng = np.random.default_rng(seed)
    south, west, north, east = settings.KOPER_BBOX
    return pd.DataFrame({
        "id": [f"s{i}" for i in range(n)],
        "lat": rng.uniform(south, north, n),
        "lon": rng.uniform(west, east, n),
        "location_type": "site",
    })


def naive_nearest(frame: pd.DataFrame, lat: float, lon: float, k: int) -> list[str]:
    """The obvious implementation: geopy geodesic to every row in a Python loop, then sort."""
    distances = []
    for row in frame.itertuples(index=False):
        distances.append((geodesic((lat, lon), (row.lat, row.lon)).meters, row.id))
    distances.sort()
    return [row_id for _d, row_id in distances[:k]]


def median_seconds(function, points: list[tuple[float, float]]) -> float:
    """Median wall time of function(lat, lon) over the points."""
    times = []
    for lat, lon in points:
        started = time.perf_counter()
        function(lat, lon)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Print one table row per size."""
    rng = np.random.default_rng(42)
    south, west, north, east = settings.KOPER_BBOX
    points = list(zip(rng.uniform(south, north, QUERIES), rng.uniform(west, east, QUERIES)))
    print(f"{'locations':>10} {'build (ms)':>11} {'index (ms)':>11} {'naive loop (ms)':>16} {'naive/index':>12} "
          f"{'target (ms)':>12}")
    for n in SIZES:
        frame = synthetic(n)
        started = time.perf_counter()
        index = nearest.build_index(frame)
        build = time.perf_counter() - started
        nearest.nearest(index, *points[0], k=K)  # warm-up: pyproj transformer and geod set-up
        indexed = median_seconds(lambda lat, lon, index=index: nearest.nearest(index, lat, lon, k=K), points)
        naive_points = points if n < 1000 else points[:NAIVE_QUERIES_LARGE]
        naive = median_seconds(lambda lat, lon, frame=frame: naive_nearest(frame, lat, lon, K), naive_points)
        # Same answer, or the comparison is meaningless.
        lat, lon = points[0]
        assert nearest.nearest(index, lat, lon, k=K)["id"].tolist() == naive_nearest(frame, lat, lon, K)
        flag = "" if indexed < TARGET_S else "  SLOWER THAN TARGET"
        print(f"{n:>10} {build * 1e3:>11.2f} {indexed * 1e3:>11.3f} {naive * 1e3:>16.2f} {naive / indexed:>11.0f}x "
              f"{TARGET_S * 1e3:>12.0f}{flag}")


if __name__ == "__main__":
    main()

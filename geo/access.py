"""Distance and accessibility measures on plain arrays: nearest supply, reach within a radius, 2SFCA.

Everything here works on planar coordinates in metres (callers project WGS84 to D96/TM,
EPSG:3794, with geo.nearest.project) and is vectorised with a KD-tree: no Python loop over
points, so 18,000 demand points × 10,000 supply points take well under a second.

Two-step floating catchment area (2SFCA, Luo & Wang 2003), catchment radius d0:
  step 1, each supply location j:  R_j = S_j / Σ_{i: d_ij ≤ d0} P_i
  step 2, each demand point i:     A_i = Σ_{j: d_ij ≤ d0} R_j
A_i is in supply units per person; a supply location with no demand in reach gets R_j = 0 (it
reaches no demand point, so it could not add to any A_i anyway).
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def _xy(points: np.ndarray) -> np.ndarray:
    """An (n, 2) float array (an empty input becomes shape (0, 2))."""
    array = np.asarray(points, dtype=float)
    return array.reshape(-1, 2)


def nearest_distance(demand_xy: np.ndarray, supply_xy: np.ndarray) -> np.ndarray:
    """Straight-line distance (metres) from each demand point to its nearest supply point.

    NaN for every point when there is no supply point at all: the distance is undefined, not zero.
    """
    demand, supply = _xy(demand_xy), _xy(supply_xy)
    if len(supply) == 0:
        return np.full(len(demand), np.nan)
    if len(demand) == 0:
        return np.empty(0, dtype=float)
    distance, _nearest = cKDTree(supply).query(demand, k=1)
    return np.asarray(distance, dtype=float)


def pairs_within(demand_xy: np.ndarray, supply_xy: np.ndarray, radius_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(demand positions, supply positions, distances) of every pair at most ``radius_m`` apart.

    The boundary counts as inside (d ≤ radius), and a supply point on top of a demand point is a pair.
    """
    if not np.isfinite(radius_m) or radius_m < 0:
        raise ValueError(f"catchment radius must be a finite distance ≥ 0 in metres, got {radius_m!r}")
    demand, supply = _xy(demand_xy), _xy(supply_xy)
    if len(demand) == 0 or len(supply) == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty, np.empty(0, dtype=float)
    found = cKDTree(demand).sparse_distance_matrix(cKDTree(supply), float(radius_m), output_type="ndarray")
    return found["i"].astype(np.intp), found["j"].astype(np.intp), found["v"].astype(float)


def two_step_fca_from_pairs(
    demand_of_pair: np.ndarray,
    supply_of_pair: np.ndarray,
    demand_population: np.ndarray,
    supply_size: np.ndarray,
) -> np.ndarray:
    """2SFCA accessibility A_i per demand point from precomputed catchment pairs (see the module doc).

    ``supply_size`` S_j may be 0 for locations that do not count in this selection; the pairs can
    then be computed once for all locations and reused for every selection.
    """
    population = np.asarray(demand_population, dtype=float)
    size = np.asarray(supply_size, dtype=float)
    i = np.asarray(demand_of_pair, dtype=np.intp)
    j = np.asarray(supply_of_pair, dtype=np.intp)
    demand_in_reach = np.bincount(j, weights=population[i], minlength=len(size))
    ratio = np.divide(size, demand_in_reach, out=np.zeros(len(size)), where=demand_in_reach > 0)
    return np.bincount(i, weights=ratio[j], minlength=len(population))


def two_step_fca(
    demand_xy: np.ndarray,
    demand_population: np.ndarray,
    supply_xy: np.ndarray,
    supply_size: np.ndarray,
    radius_m: float,
) -> np.ndarray:
    """2SFCA accessibility A_i (supply units per person) for each demand point, catchment ``radius_m``."""
    i, j, _distance = pairs_within(demand_xy, supply_xy, radius_m)
    return two_step_fca_from_pairs(i, j, demand_population, supply_size)


def group_weighted_mean(values: np.ndarray, weights: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Weighted mean of ``values`` per group 0..n_groups-1; points with group < 0 are left out.

    NaN for a group with no weight, or when any of its values is NaN (unknown stays unknown).
    """
    values, weights, groups = np.asarray(values, float), np.asarray(weights, float), np.asarray(groups, np.intp)
    keep = groups >= 0
    total = np.bincount(groups[keep], weights=weights[keep] * values[keep], minlength=n_groups)
    weight = np.bincount(groups[keep], weights=weights[keep], minlength=n_groups)
    return np.divide(total, weight, out=np.full(n_groups, np.nan), where=weight > 0)


def group_max(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Largest value per group 0..n_groups-1 (NaN for an empty group or one holding a NaN)."""
    values, groups = np.asarray(values, float), np.asarray(groups, np.intp)
    keep = groups >= 0
    unknown = np.isnan(values)
    result = np.full(n_groups, -np.inf)
    np.maximum.at(result, groups[keep & ~unknown], values[keep & ~unknown])
    result[np.isneginf(result)] = np.nan
    result[np.bincount(groups[keep & unknown], minlength=n_groups) > 0] = np.nan
    return result


def group_share(reached: np.ndarray, weights: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Weighted share (0..1) of each group's points where ``reached`` is True; NaN for a group with no weight."""
    return group_weighted_mean(np.asarray(reached, dtype=float), weights, groups, n_groups)

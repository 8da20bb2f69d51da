"""Where would a new place help most: location-allocation with PySAL's spopt (MCLP and p-median).

For a category and target group, choose the best ``k`` new sites among candidate points (the
settlements' register centroids, or the demand points), demand weighted by population:

- **MCLP** (maximal covering location problem, Church & ReVelle 1974), "most residents within
  X km": residents already within X km of an existing matching place are covered already and gain
  nothing, so they are left out of the model; the k sites that bring the most of the others within
  X km are chosen.
- **p-median** (Hakimi 1964), "least total distance": every resident goes to the nearest open
  place; the existing matching places are always open. They enter the model as one extra column
  (each demand point's distance to its nearest existing place), fixed open, so the model picks
  exactly k new columns and its objective is the true total distance with the existing places.

Distances are straight lines in D96/TM (EPSG:3794) metres, as in geo.coverage. Demand is
geo.coverage's demand points, each carrying its share of the area's population; only residents of
the municipalities the new place is for (``service_area`` tokens) are counted, and an existing
place serves only the residents of its own service area (an empty service area: everyone).
The models are solved by HiGHS (highspy; else CBC, bundled with PuLP) through spopt; :func:`suggest` returns the
chosen sites, the residents each brings within reach, before/after figures and the solver time.

Size: a dense demand × candidate matrix is built (spopt's ``from_cost_matrix``); 384 × 105 for
Koper with settlements as candidates. bench/bench_allocation.py measures larger cases.
"""
from __future__ import annotations

import itertools
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import coverage, i18n, model, nearest
from geo.errors import ScenarioError

MCLP, P_MEDIAN = "mclp", "p_median"
MODELS = (MCLP, P_MEDIAN)
K_CHOICES = (1, 2, 3, 4, 5)
#: Candidate sets: settlement centroids (data/settlements.csv) or the demand points.
CANDIDATE_SETS = ("settlements", "demand_points")
DEFAULT_TIME_LIMIT_S = 60.0
#: Solver statuses of Suggestion.status.
OPTIMAL, TIME_LIMIT, NOT_NEEDED = "optimal", "time_limit", "not_needed"
SITE_COLUMNS = ("candidate", "name_sl", "name_it", "area_id", "lat", "lon", "residents_gained", "residents_nearest")


@dataclass(frozen=True)
class Suggestion:
    """A solved model. ``sites``: one row per chosen candidate (SITE_COLUMNS), most residents gained first.

    ``residents_gained``: residents newly within ``radius_km`` who have this site as their nearest
    new site (the column sums to ``within_after - within_before``). ``residents_nearest``: residents
    for whom this site becomes the nearest place (the p-median assignment). Distances in km are
    population-weighted means over the counted residents; ``solve_seconds`` is the solver's wall time
    (model building included).
    """

    model: str
    k: int
    radius_km: float
    sites: pd.DataFrame
    residents: float
    within_before: float
    within_after: float
    mean_km_before: float
    mean_km_after: float
    n_demand: int
    n_candidates: int
    n_existing: int
    solve_seconds: float
    status: str


def _tokens_of(area_ids: pd.Series) -> np.ndarray:
    return np.array([coverage.service_area_token(str(a)) or "" for a in area_ids], dtype=object)


def _as_list(value) -> list[str]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v).strip() for v in value if str(v).strip()]
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [v.strip() for v in str(value).split(model.LIST_SEPARATOR) if v.strip()]


def existing_places(services: pd.DataFrame, category: str, target_group: str | None) -> pd.DataFrame:
    """The located matching services: lat, lon, service_area (list; [] = everyone).

    Matching: same category, the target group among the service's own groups (``general`` does not
    stand in for a specific group, as in geo.coverage), a site or office with coordinates, not
    confidential, and not a record of kind ``information``.
    """
    if category not in model.CATEGORIES:
        raise ScenarioError(f"unknown category {category!r}; use one of {', '.join(model.CATEGORIES)}")
    table = coverage.without_confidential(services)
    keep = (table["category"] == category) & table["location_type"].isin(model.PLACED_TYPES)
    if "record_kind" in table.columns:
        keep &= table["record_kind"].fillna("service").astype(str).isin(("service", ""))
    if target_group is not None:
        keep &= table["target_groups"].map(lambda v: target_group in _as_list(v))
    rows = table.loc[keep]
    lat = pd.to_numeric(rows["lat"], errors="coerce")
    lon = pd.to_numeric(rows["lon"], errors="coerce")
    located = lat.notna() & lon.notna()
    return pd.DataFrame({"lat": lat[located].to_numpy(dtype=float), "lon": lon[located].to_numpy(dtype=float),
                         "service_area": [_as_list(v) for v in rows.loc[located, "service_area"]]})


def candidates(kind: str, settlements: pd.DataFrame, demand_points: pd.DataFrame) -> pd.DataFrame:
    """Candidate points: columns candidate (id text), name_sl, name_it, area_id, lat, lon."""
    if kind == "settlements":
        table = settlements
        ids = table["settlement_id"].astype(str)
        names_sl, names_it = table["name_sl"].astype(str), table["name_it"].fillna("").astype(str)
    elif kind == "demand_points":
        table = demand_points
        ids = table["point_id"].astype(str)
        # A demand point is named after the settlement it lies in (the register's settlement_id).
        by_id = settlements.assign(settlement_id=settlements["settlement_id"].astype(str)).set_index("settlement_id")
        where = table["settlement_id"].astype(str) if "settlement_id" in table.columns else pd.Series("", index=table.index)
        names_sl = where.map(by_id["name_sl"].astype(str)).fillna("")
        names_it = where.map(by_id["name_it"].fillna("").astype(str)).fillna("")
    else:
        raise ScenarioError(f"unknown candidate set {kind!r}; use one of {', '.join(CANDIDATE_SETS)}")
    return pd.DataFrame({"candidate": ids.to_numpy(), "name_sl": names_sl.to_numpy(), "name_it": names_it.to_numpy(),
                         "area_id": table["area_id"].astype(str).to_numpy(),
                         "lat": table["lat"].to_numpy(dtype=float), "lon": table["lon"].to_numpy(dtype=float)})


def _distances(a_xy: np.ndarray, b_xy: np.ndarray) -> np.ndarray:
    """Dense (len(a), len(b)) straight-line distances in metres."""
    return np.sqrt(((a_xy[:, None, :] - b_xy[None, :, :]) ** 2).sum(axis=2))


def _nearest_existing(demand_xy: np.ndarray, demand_token: np.ndarray, existing: pd.DataFrame) -> np.ndarray:
    """Per demand point, metres to the nearest existing place that serves its residents (inf: none)."""
    result = np.full(len(demand_xy), np.inf)
    if existing.empty:
        return result
    xy = nearest.project(existing["lat"].to_numpy(dtype=float), existing["lon"].to_numpy(dtype=float))
    d = _distances(demand_xy, xy)
    for j, served in enumerate(existing["service_area"]):
        allowed = np.ones(len(demand_xy), dtype=bool) if not served else np.isin(demand_token, served)
        result = np.where(allowed, np.minimum(result, d[:, j]), result)
    return result


@contextmanager
def _quiet():
    # PuLP 3.3 warns once per variable that its constructor changes in PuLP 4 (spopt builds them):
    # tens of thousands of warnings cost seconds and say nothing to a planner.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _solver(time_limit_s: float):
    import pulp  # here: only the what-if page and its tests load the solver

    # HiGHS (highspy) solved Koper's p-median about twice as fast as PuLP's bundled CBC, with the
    # same optimum; CBC stays the fallback where highspy is not installed.
    if pulp.HiGHS().available():
        return pulp.HiGHS(msg=False, timeLimit=time_limit_s, threads=1)
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, threads=1)


def _solve(model, time_limit_s: float) -> None:
    """Solve a built spopt model; ScenarioError when the solver finds no solution within the time limit."""
    try:
        model.solve(_solver(time_limit_s), results=False)
    except RuntimeError as error:  # spopt's check_status: "Model is not solved: Not Solved"
        raise ScenarioError(f"the solver found no solution within {time_limit_s:g} s ({error}); "
                            "try fewer candidates (settlements instead of demand points) or a smaller k") from None


def _status(problem) -> str:
    import pulp

    if problem.sol_status == pulp.LpSolutionOptimal:
        return OPTIMAL
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return TIME_LIMIT
    raise ScenarioError(f"the solver found no solution ({pulp.LpStatus.get(problem.status, problem.status)}); "
                        "try fewer candidates or a longer time limit")


def solve_mclp(cost_m: np.ndarray, weights: np.ndarray, radius_m: float, k: int,
               time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> tuple[list[int], str]:
    """spopt MCLP on a (demand × candidate) cost matrix in metres: (chosen columns, status)."""
    from spopt.locate import MCLP as SpoptMCLP

    with _quiet():
        solved = SpoptMCLP.from_cost_matrix(cost_m, weights, service_radius=radius_m, p_facilities=k)
        _solve(solved, time_limit_s)
    return [j for j, var in enumerate(solved.fac_vars) if (var.value() or 0) > 0.5], _status(solved.problem)


def solve_p_median(cost_m: np.ndarray, weights: np.ndarray, k: int, fixed: np.ndarray | None = None,
                   time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> tuple[list[int], str]:
    """spopt p-median on a (demand × column) cost matrix: (chosen columns besides ``fixed``, status).

    ``fixed``: a 0/1 array over the columns that must be open (they count towards p = k + fixed.sum()).
    """
    from spopt.locate import PMedian

    n_fixed = int(fixed.sum()) if fixed is not None else 0
    with _quiet():
        solved = PMedian.from_cost_matrix(cost_m, weights, p_facilities=k + n_fixed, predefined_facilities_arr=fixed)
        _solve(solved, time_limit_s)
    chosen = [j for j, var in enumerate(solved.fac_vars) if (var.value() or 0) > 0.5]
    return [j for j in chosen if fixed is None or not fixed[j]], _status(solved.problem)


def suggest(
    model_name: str,
    k: int,
    demand_points: pd.DataFrame,
    candidate_points: pd.DataFrame,
    existing: pd.DataFrame,
    *,
    radius_km: float = 5.0,
    service_area: tuple[str, ...] = ("koper",),
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> Suggestion:
    """The best ``k`` candidates by ``model_name`` (MCLP or P_MEDIAN); see the module doc.

    ``demand_points``: area_id, lat, lon, population (geo.areas.load_demand_points);
    ``candidate_points``: :func:`candidates`; ``existing``: :func:`existing_places`. ``radius_km``
    is X of "within X km" (the MCLP radius, and the reach counted for both models). Raises
    ScenarioError for an unknown model, k outside 1..5 or above the number of candidates, or a
    radius that is not a distance above 0.
    """
    if model_name not in MODELS:
        raise ScenarioError(f"unknown model {model_name!r}; use one of {', '.join(MODELS)}")
    if not isinstance(k, (int, np.integer)) or k not in K_CHOICES:
        raise ScenarioError(f"k must be one of {K_CHOICES}, got {k!r}")
    if len(candidate_points) < k:
        raise ScenarioError(f"only {len(candidate_points)} candidate point(s) for k = {k}; choose a smaller k")
    radius_km = coverage.check_radius(radius_km)
    radius_m = radius_km * 1000

    token = _tokens_of(demand_points["area_id"])
    counted = np.isin(token, list(service_area)) & (demand_points["population"].to_numpy(dtype=float) > 0)
    demand = demand_points.loc[counted]
    weights = demand["population"].to_numpy(dtype=float)
    demand_xy = nearest.project(demand["lat"].to_numpy(dtype=float), demand["lon"].to_numpy(dtype=float))
    cand_xy = nearest.project(candidate_points["lat"].to_numpy(dtype=float), candidate_points["lon"].to_numpy(dtype=float))
    cost = _distances(demand_xy, cand_xy)
    before = _nearest_existing(demand_xy, token[counted], existing)
    covered = before <= radius_m

    import spopt.locate  # noqa: F401 - loaded before the clock starts: the solver time is the model's, not the import's

    started = time.perf_counter()
    if model_name == MCLP:
        open_demand = ~covered
        if not open_demand.any() or not (cost[open_demand] <= radius_m).any():
            chosen, status = [], NOT_NEEDED
        else:
            chosen, status = solve_mclp(cost[open_demand], weights[open_demand], radius_m, int(k), time_limit_s)
    else:
        if np.isfinite(before).any():
            chosen, status = _p_median_with_existing(cost, weights, before, int(k), time_limit_s)
        else:
            chosen, status = solve_p_median(cost, weights, int(k), None, time_limit_s)
    seconds = time.perf_counter() - started
    return _summary(model_name, int(k), radius_km, candidate_points, chosen, cost, before, weights,
                    len(existing), seconds, status)


def _p_median_with_existing(cost: np.ndarray, weights: np.ndarray, before: np.ndarray, k: int,
                            time_limit_s: float) -> tuple[list[int], str]:
    """p-median with the existing places as one column fixed open; (chosen candidate columns, status).

    Exact reductions keep the model small: a demand point no candidate brings closer than its
    existing place always stays with it (a constant in the objective), so it is left out; a
    candidate closer than the existing place for no remaining demand point can never lower the
    objective, so it is left out too while at least k candidates remain.
    """
    helps = cost < before[:, None]
    rows = helps.any(axis=1)
    if not rows.any():
        return list(range(k)), OPTIMAL  # nobody gains anything: any k candidates are equally good
    useful = np.flatnonzero(helps[rows].any(axis=0))
    if len(useful) < k:
        useful = np.arange(cost.shape[1])
    sub = cost[np.ix_(rows, useful)]
    # One column for all existing places (unreachable demand: a distance beyond any candidate's).
    column = np.where(np.isfinite(before[rows]), before[rows], cost.max() * 10 + 1)
    matrix = np.column_stack([column, sub])
    fixed = np.zeros(matrix.shape[1], dtype=int)
    fixed[0] = 1
    picked, status = solve_p_median(matrix, weights[rows], k, fixed, time_limit_s)
    return [int(useful[j - 1]) for j in picked], status


def _summary(model_name, k, radius_km, candidate_points, chosen, cost, before, weights, n_existing, seconds, status):
    radius_m = radius_km * 1000
    chosen = list(chosen)
    new = cost[:, chosen] if chosen else np.full((len(weights), 0), np.inf)
    best_new = new.min(axis=1) if chosen else np.full(len(weights), np.inf)
    nearest_new = new.argmin(axis=1) if chosen else np.zeros(len(weights), dtype=int)
    after = np.minimum(before, best_new)
    gained_mask = (before > radius_m) & (best_new <= radius_m)
    switched = best_new < before
    sites = candidate_points.iloc[chosen].reset_index(drop=True).copy()
    sites["residents_gained"] = [float(weights[gained_mask & (nearest_new == i)].sum()) for i in range(len(chosen))]
    sites["residents_nearest"] = [float(weights[switched & (nearest_new == i)].sum()) for i in range(len(chosen))]
    sites = sites.sort_values(["residents_gained", "residents_nearest"], ascending=False, kind="stable")
    total = float(weights.sum())

    def mean_km(distance: np.ndarray) -> float:
        finite = np.isfinite(distance)
        if not finite.all() or total == 0:
            return float("nan")  # someone has no place at all: the mean distance is unknown
        return float((distance * weights).sum() / total / 1000)

    return Suggestion(
        model=model_name, k=k, radius_km=radius_km, sites=sites[list(SITE_COLUMNS)].reset_index(drop=True),
        residents=total, within_before=float(weights[before <= radius_m].sum()),
        within_after=float(weights[after <= radius_m].sum()), mean_km_before=mean_km(before),
        mean_km_after=mean_km(after), n_demand=len(weights), n_candidates=cost.shape[1], n_existing=n_existing,
        solve_seconds=seconds, status=status,
    )


def brute_force(model_name: str, cost_m: np.ndarray, weights: np.ndarray, k: int, radius_m: float,
                before_m: np.ndarray | None = None) -> tuple[tuple[int, ...], float]:
    """Reference: try every k-subset of columns; (best subset, its objective). For tests on small cases.

    MCLP objective: residents within ``radius_m`` of the subset or already covered (``before_m``),
    to maximise; p-median: total weighted distance to the nearest of the subset and ``before_m``,
    to minimise.
    """
    before = np.full(len(weights), np.inf) if before_m is None else np.asarray(before_m, dtype=float)
    best, best_value = (), None
    for subset in itertools.combinations(range(cost_m.shape[1]), k):
        distance = np.minimum(before, cost_m[:, list(subset)].min(axis=1))
        if model_name == MCLP:
            value = float(weights[distance <= radius_m].sum())
            better = best_value is None or value > best_value + 1e-9
        else:
            value = float((weights * distance).sum())
            better = best_value is None or value < best_value - 1e-9
        if better:
            best, best_value = subset, value
    return best, float(best_value)


def notes(suggestion: Suggestion, lang: str, candidate_kind: str) -> list[str]:
    """The model's assumptions in ``lang`` (shown with every suggestion)."""
    radius = i18n.format_number(suggestion.radius_km, lang, 1)
    lines = [
        i18n.t(f"alloc.note.{suggestion.model}", lang, km=radius),
        i18n.t("alloc.note.demand", lang),
        i18n.t(f"alloc.note.candidates.{candidate_kind}", lang),
        i18n.t("alloc.note.existing", lang),
        i18n.t("alloc.note.straight", lang),
        i18n.t("alloc.note.gained", lang, km=radius),
    ]
    if suggestion.status == TIME_LIMIT:
        lines.append(i18n.t("alloc.note.time_limit", lang))
    return lines

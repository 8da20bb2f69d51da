"""The coverage table: one row per area for a selection, and the long area × category table.

Places to go (site/office) are measured by distance, shares within reach and 2SFCA, each counted
only for the residents it serves (service_area); services delivered to the residents (location
type area) by served / not served and by how many. Gap flags follow geo.coverage.rules.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict

import numpy as np
import pandas as pd

from geo import access, areas, hours, model, settings
from geo.coverage import phone, rules, timing
from geo.coverage.inputs import TOKENS, Prepared, prepare, selection
from geo.errors import CoverageError


def _check_choice(value: str | None, vocabulary: tuple[str, ...], what: str) -> str | None:
    """None for "every", else the value when it is in the vocabulary; CoverageError otherwise."""
    if value is None or value == rules.ALL:
        return None
    if value not in vocabulary:
        raise CoverageError(f"unknown {what} {value!r}; use one of: {', '.join(vocabulary)} (or None for all)")
    return value


def check_radius(radius_km: float | str) -> float:
    """The catchment radius in km as a float; raises CoverageError unless it is a finite number above 0."""
    try:
        radius = float(radius_km)
    except (TypeError, ValueError):
        radius = float("nan")
    if not math.isfinite(radius) or radius <= 0:
        raise CoverageError(f"catchment radius must be a distance in km above 0 (e.g. 10), got {radius_km!r}")
    return radius


def _nearest_by_token(prepared: Prepared, placed: np.ndarray) -> tuple[np.ndarray, dict]:
    """Distance (m) from each demand point to the nearest place it may use; per token: any such place exists."""
    n_locations = len(prepared.location_xy)
    distance = np.full(len(prepared.demand_xy), np.nan)
    exists = {}
    for token in TOKENS:
        usable = placed & prepared.serves[token]
        at = np.zeros(n_locations, dtype=bool)
        at[prepared.location_of[usable]] = True
        exists[token] = bool(at.any())
        mine = prepared.demand_token == token
        if mine.any():
            distance[mine] = access.nearest_distance(prepared.demand_xy[mine], prepared.location_xy[at])
    return distance, exists


def _two_step(prepared: Prepared, placed: np.ndarray, supply: str) -> np.ndarray:
    """2SFCA per demand point, each location's supply split by whom its services serve.

    Services with the same service_area at one location form one supply point whose catchment
    holds only the demand points they serve; A_i sums over those supply points (as 2SFCA does).
    """
    n_locations = len(prepared.location_xy)
    result = np.zeros(len(prepared.demand_xy))
    for code in np.unique(prepared.serves_code[placed]):
        members = placed & (prepared.serves_code == code)
        count = np.bincount(prepared.location_of[members], minlength=n_locations).astype(float)
        size = count if supply == "services" else (count > 0).astype(float)
        served = np.array([(code >> bit) & 1 for bit in range(len(TOKENS))], dtype=bool)  # per token
        in_class = served[prepared.pair_token]
        result += access.two_step_fca_from_pairs(prepared.pair_demand[in_class], prepared.pair_location[in_class],
                                                 prepared.demand_population, size)
    return result


def measure(prepared: Prepared, matching: np.ndarray, counting: np.ndarray, thresholds: rules.GapThresholds,
            supply: str) -> pd.DataFrame:
    """The coverage table (rules.COLUMNS) for one selection (booleans over prepared.services)."""
    n_areas = len(prepared.areas)
    placed = counting & (prepared.location_of >= 0)
    delivered = counting & prepared.delivered

    weights, groups = prepared.demand_population, prepared.demand_area
    distance_m, places_exist = _nearest_by_token(prepared, placed)
    mean_km = access.group_weighted_mean(distance_m, weights, groups, n_areas) / 1000
    max_km = access.group_max(distance_m, groups, n_areas) / 1000
    radii = sorted({*rules.SHARE_RADII_KM, thresholds.share_radius_km})
    # NaN (no place to go) compares False: nobody is within reach of a place that does not exist.
    share = {r: access.group_share(distance_m <= r * 1000, weights, groups, n_areas) for r in radii}
    per_person = _two_step(prepared, placed, supply)
    access_2sfca = access.group_weighted_mean(per_person, weights, groups, n_areas) * rules.PER_RESIDENTS

    tokens = prepared.area_token
    basis = rules.bases(np.full(n_areas, bool(placed.any())), np.full(n_areas, bool(delivered.any())))
    usable = np.array([places_exist[t] for t in tokens], dtype=bool)  # a place these residents may use exists
    not_measured = basis == rules.DELIVERED  # delivered only: no distance, no share, no 2SFCA
    for values in (*share.values(), access_2sfca):
        values[not_measured] = np.nan

    here = placed & prepared.serves_own_area
    services_in_area = np.bincount(prepared.service_area[here], minlength=n_areas)
    population = prepared.areas["population"].to_numpy(dtype=float)
    per_1000 = np.divide(services_in_area * rules.PER_RESIDENTS, population, out=np.full(n_areas, np.nan),
                         where=population > 0)

    ids = prepared.services["id"].astype(str).to_numpy(dtype=object)
    wide = matching & prepared.delivered

    def reaching(mask: np.ndarray) -> list[tuple[str, ...]]:
        return [tuple(ids[mask & prepared.serves[t]]) for t in tokens]

    wide_ids, home_ids = reaching(wide), reaching(delivered & prepared.at_home)
    reaching_ids, general_ids = reaching(delivered), reaching(wide & ~counting)
    table = pd.DataFrame({
        "area_id": prepared.areas["area_id"].astype(str),
        "name_sl": prepared.areas["name_sl"].astype(str),
        "name_it": prepared.areas["name_it"].astype(str),
        "population": prepared.areas["population"],
        "population_date": prepared.areas["population_date"].astype(str),
        "basis": basis,
        rules.PHONE_ONLY: np.zeros(n_areas, dtype=bool),  # set by phone.mark_phone_only (needs the confidential rows)
        "services_in_area": services_in_area.astype(int),
        "services_per_1000": per_1000,
        "below_min_in_area": services_in_area < thresholds.min_services_in_area,
        "mean_distance_km": mean_km,
        "max_distance_km": max_km,
        "mean_road_distance_km": mean_km * settings.DETOUR_FACTOR,
        "max_road_distance_km": max_km * settings.DETOUR_FACTOR,
        **{f"share_within_{r}km": share[r] for r in rules.SHARE_RADII_KM},
        "access_2sfca": access_2sfca,
        "area_wide_services": [len(w) for w in wide_ids],
        "area_wide_ids": wide_ids,
        "has_area_wide": [bool(w) for w in wide_ids],
        "home_services": [len(w) for w in home_ids],
        "home_ids": home_ids,
        "reaching_services": [len(w) for w in reaching_ids],
        "reaching_ids": reaching_ids,
        "general_ids": general_ids,
    })
    rules.add_gaps(table, share[thresholds.share_radius_km], usable, thresholds)
    return table[list(rules.COLUMNS)]


def _parameters(category, target_group, at, include_unknown_hours, radius_km, include_ankaran, thresholds, supply) -> dict:
    return {
        "category": category or rules.ALL, "target_group": target_group or rules.ALL,
        "at": hours.to_local(at).isoformat(timespec="minutes") if at is not None else None,
        "include_unknown_hours": include_unknown_hours, "radius_km": radius_km,
        "include_ankaran": include_ankaran, "supply": supply, "detour_factor": settings.DETOUR_FACTOR,
        "thresholds": asdict(thresholds),
    }


def _checked(target_group, at, radius_km, supply, thresholds) -> tuple:
    target_group = _check_choice(target_group, model.TARGET_GROUPS, "target group")
    radius = check_radius(radius_km)
    if supply not in rules.SUPPLY_MODES:
        raise CoverageError(f"unknown supply mode {supply!r}; use one of: {', '.join(rules.SUPPLY_MODES)}")
    if at is not None and not isinstance(at, dt.datetime):
        raise CoverageError(f"at must be a datetime or None (parse text with geo.hours.parse_when), got {at!r}")
    if at is not None:
        try:
            hours.to_local(at)
        except ValueError as exc:  # e.g. year 1 with a +14:00 offset
            raise CoverageError(f"at: {exc}") from None
    return target_group, radius, thresholds or rules.GapThresholds()


def _available(prepared: Prepared, at: dt.datetime | None, include_unknown_hours: bool) -> np.ndarray:
    if at is None:
        return np.ones(len(prepared.services), dtype=bool)
    return timing.open_at(prepared.services, at, include_unknown_hours)


def area_coverage(
    services: pd.DataFrame,
    areas_table: pd.DataFrame,
    demand_points: pd.DataFrame,
    *,
    category: str | None = None,
    target_group: str | None = None,
    at: dt.datetime | None = None,
    include_unknown_hours: bool = False,
    radius_km: float = rules.DEFAULT_RADIUS_KM,
    include_ankaran: bool = True,
    thresholds: rules.GapThresholds | None = None,
    supply: str = "services",
    area_index: areas.AreaIndex | None = None,
) -> pd.DataFrame:
    """One row per area (rules.COLUMNS) for the services matching category / target group (None = all).

    ``services`` is geo.directory's table, or that table plus hypothetical rows (location_type
    site/office with lat/lon, category, target_groups, opening_hours, service_area; an empty
    area_id is looked up in ``area_index``). ``at`` keeps only services open at that local time
    (``include_unknown_hours`` keeps those whose state is unknown too). ``include_ankaran=False``
    drops Ankaran's row only; its residents still compete for services in the 2SFCA catchments.
    Without an ``area_id`` column the area of each place is looked up in ``area_index``
    (geo.areas.area_index). Where only confidential services match (crisis centres, safe houses),
    ``phone_only`` is True, the place measures are empty and no gap is flagged (geo.coverage.phone).
    ``attrs`` carries ``notes`` (assumptions()) and ``parameters``.
    Raises CoverageError naming a bad choice or a missing column.
    """
    category = _check_choice(category, model.CATEGORIES, "category")
    target_group, radius, thresholds = _checked(target_group, at, radius_km, supply, thresholds)
    prepared = prepare(services, areas_table, demand_points, radius, area_index)
    available = _available(prepared, at, include_unknown_hours)
    table = measure(prepared, *selection(prepared, category, target_group, available), thresholds, supply)
    table = phone.mark_phone_only(table, services, target_group, at, include_unknown_hours, category)
    table = areas.filter_areas(table, include_ankaran).reset_index(drop=True)
    table.attrs["notes"] = rules.assumptions(radius, thresholds, at, include_unknown_hours, supply, include_ankaran)
    table.attrs["parameters"] = _parameters(category, target_group, at, include_unknown_hours, radius,
                                            include_ankaran, thresholds, supply)
    return table


def coverage_by_category(
    services: pd.DataFrame,
    areas_table: pd.DataFrame,
    demand_points: pd.DataFrame,
    *,
    target_group: str | None = None,
    at: dt.datetime | None = None,
    include_unknown_hours: bool = False,
    radius_km: float = rules.DEFAULT_RADIUS_KM,
    include_ankaran: bool = True,
    thresholds: rules.GapThresholds | None = None,
    supply: str = "services",
    area_index: areas.AreaIndex | None = None,
) -> pd.DataFrame:
    """Long table area × category: "category" (``all`` first, then model.CATEGORIES) + rules.COLUMNS.

    The same measures as area_coverage for every category at once (phone_only included), with the
    shared work done once; meant to be cached by the pages.
    """
    target_group, radius, thresholds = _checked(target_group, at, radius_km, supply, thresholds)
    prepared = prepare(services, areas_table, demand_points, radius, area_index)
    available = _available(prepared, at, include_unknown_hours)
    tables = []
    for category in (None, *model.CATEGORIES):
        table = measure(prepared, *selection(prepared, category, target_group, available), thresholds, supply)
        table.insert(0, "category", category or rules.ALL)
        tables.append(table)
    long = phone.mark_phone_only(pd.concat(tables, ignore_index=True), services, target_group, at, include_unknown_hours)
    long = areas.filter_areas(long, include_ankaran).reset_index(drop=True)
    long.attrs["notes"] = rules.assumptions(radius, thresholds, at, include_unknown_hours, supply, include_ankaran)
    long.attrs["parameters"] = _parameters(None, target_group, at, include_unknown_hours, radius,
                                           include_ankaran, thresholds, supply)
    long.attrs["parameters"].pop("category")
    return long

"""Coverage of the 23 local areas: services per resident, distance to the nearest service, 2SFCA, gaps.

For each area (22 KS of Koper + Ankaran) and a choice of category, target group and time:

- ``services_in_area``: matching site/office services located in the area, and per 1,000 residents;
- distance from the area's demand points to the nearest matching service location,
  population-weighted mean and maximum, straight line and ≈ road (× settings.DETOUR_FACTOR);
- share of residents within 1, 5 and 10 km of at least one matching service;
- ``access_2sfca``: two-step floating catchment accessibility (geo.access), services per 1,000 residents;
- area-wide services (delivered at home anywhere in Koper and/or Ankaran) serving the area, apart
  from the distance measures because they have no point;
- gap flags, each against a stated threshold (GapThresholds).

Confidential services are dropped at the entry point and never reach any measure or output.
Every approximation is stated by ``assumptions()`` and travels with the result in ``DataFrame.attrs``.

Command line: ``python -m geo coverage`` (geo.cli, which also renders the table as CSV/JSON).

Size: ~470 lines, over the ~400 of the house style on purpose. It is one computation (inputs
prepared once → selection → measures → gap flags → the stated assumptions), and the parts share
the private ``_Prepared`` record; the generic arithmetic already lives in geo.access, time in
geo.hours and the command line in geo.cli.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import shapely

from geo import access, areas, hours, model, nearest, settings
from geo.errors import CoverageError

#: The "category" value of the rows that count every category.
ALL = "all"
#: Radii (km) of the share_within_* columns.
SHARE_RADII_KM = (1, 5, 10)
#: Default 2SFCA catchment radius, km (straight line): a short drive anywhere in the municipality.
DEFAULT_RADIUS_KM = 10.0
#: Rates are given per this many residents.
PER_RESIDENTS = 1000
#: S_j in 2SFCA: "services" = number of matching services at the location, "locations" = 1 each.
SUPPLY_MODES = ("services", "locations")
#: Target group that stands for everyone; it matches every target-group choice (as in geo.filters).
GENERAL_GROUP = "general"
GAP_FLAGS = ("gap_far", "gap_low_share", "gap_none")
#: Columns of area_coverage, in order (coverage_by_category puts "category" first).
COLUMNS = (
    "area_id", "name_sl", "name_it", "population", "population_date",
    "services_in_area", "services_per_1000",
    "mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km",
    *(f"share_within_{r}km" for r in SHARE_RADII_KM),
    "access_2sfca", "area_wide_services", "area_wide_ids", "has_area_wide",
    *GAP_FLAGS, "gap", "gap_reasons",
)
_REQUIRED_SERVICE_COLUMNS = ("id", "category", "target_groups", "location_type", "service_area", "lat", "lon")
_REQUIRED_AREA_COLUMNS = ("area_id", "name_sl", "name_it", "population", "population_date")
_REQUIRED_DEMAND_COLUMNS = ("area_id", "lon", "lat", "population")


@dataclass(frozen=True)
class GapThresholds:
    """When an area is flagged as a gap. Each flag's explanation names its threshold (``describe``)."""

    #: gap_far: population-weighted mean straight-line distance to the nearest matching service above this.
    max_mean_distance_km: float = 10.0
    #: gap_low_share: share of residents within share_radius_km of a matching service below min_share.
    share_radius_km: float = 5.0
    min_share: float = 0.5
    #: gap_none: fewer matching services located in the area than this, and no area-wide service.
    min_services_in_area: int = 1

    def __post_init__(self) -> None:
        for name in ("max_mean_distance_km", "share_radius_km"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise CoverageError(f"GapThresholds.{name} must be a distance in km above 0, got {value!r}")
        if not isinstance(self.min_share, (int, float)) or not 0 <= self.min_share <= 1:
            raise CoverageError(f"GapThresholds.min_share must be a share between 0 and 1 (0.5 = 50 %), got {self.min_share!r}")
        if not isinstance(self.min_services_in_area, int) or self.min_services_in_area < 0:
            raise CoverageError(f"GapThresholds.min_services_in_area must be a whole number ≥ 0, got {self.min_services_in_area!r}")

    def describe(self) -> dict[str, str]:
        """Each gap flag and the rule that raises it."""
        return {
            "gap_far": f"population-weighted mean straight-line distance to the nearest matching service "
                       f"> {self.max_mean_distance_km:g} km, or no matching service with a location anywhere",
            "gap_low_share": f"share of residents within {self.share_radius_km:g} km (straight line) of a "
                             f"matching service < {self.min_share:.0%}",
            "gap_none": f"fewer than {self.min_services_in_area} matching service(s) located in the area "
                        f"and no area-wide service serving it",
        }


# --- inputs -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Prepared:
    """Everything that does not depend on the selection, computed once per call."""

    areas: pd.DataFrame
    services: pd.DataFrame
    service_area: np.ndarray  # per service: position of its area in ``areas``, -1 outside
    location_of: np.ndarray  # per service: position of its location, -1 when it has none
    location_xy: np.ndarray
    demand_xy: np.ndarray
    demand_population: np.ndarray
    demand_area: np.ndarray  # per demand point: position of its area in ``areas``, -1 if not listed
    pair_demand: np.ndarray  # catchment pairs (demand point, location) within the 2SFCA radius
    pair_location: np.ndarray
    groups: pd.Series  # exploded target groups, index = service position
    area_wide_positions: tuple[np.ndarray, ...]  # per area: positions of the area-wide services serving it


def _missing(table: pd.DataFrame, required: tuple[str, ...], what: str) -> None:
    """Raise CoverageError naming the columns ``table`` lacks."""
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise CoverageError(f"the {what} table lacks column(s) {', '.join(missing)}; pass the table from {_SOURCES[what]}")


_SOURCES = {
    "services": "geo.directory.build_directory(...).services",
    "areas": "geo.areas.load_areas()",
    "demand points": "geo.areas.load_demand_points()",
}


def without_confidential(services: pd.DataFrame) -> pd.DataFrame:
    """The services minus confidential ones: the one gate every coverage measure goes through."""
    return services.loc[services["location_type"].astype(str) != model.CONFIDENTIAL]


def _items(column: pd.Series) -> pd.Series:
    """One row per list item, index repeated, from list cells or ``;``-separated strings (vectorised)."""
    items = column.explode().dropna()
    items = items.astype(str).str.split(model.LIST_SEPARATOR).explode().str.strip()
    return items[items != ""]


def service_area_token(area_id: str) -> str | None:
    """The service_area token that covers an area: ``koper`` for a KS, ``ankaran`` for Ankaran."""
    # The same rule as geo.nearest.area_services_for_point.
    if area_id == areas.ANKARAN_AREA_ID:
        return "ankaran"
    if str(area_id).startswith(areas.KS_PREFIX):
        return "koper"
    return None


def _areas_of_points(lat: np.ndarray, lon: np.ndarray, area_index: areas.AreaIndex | None) -> np.ndarray:
    """area_id ('' outside) of each point, vectorised over points; ties go to the first id as in area_of_point."""
    if area_index is None:
        raise CoverageError("the services table has no area_id column; pass area_index=geo.areas.area_index(boundaries)")
    result = np.full(len(lat), "", dtype=object)
    finite = np.isfinite(lat) & np.isfinite(lon)
    for area_id, geom in sorted(areas.area_polygons(area_index).items()):
        hit = finite & (result == "")
        hit[hit] = shapely.intersects_xy(geom, lon[hit], lat[hit])
        result[hit] = area_id
    return result


def _prepare(services: pd.DataFrame, areas_table: pd.DataFrame, demand_points: pd.DataFrame,
             radius_km: float, boundaries: areas.AreaIndex | None) -> _Prepared:
    _missing(services, _REQUIRED_SERVICE_COLUMNS, "services")
    _missing(areas_table, _REQUIRED_AREA_COLUMNS, "areas")
    _missing(demand_points, _REQUIRED_DEMAND_COLUMNS, "demand points")
    table = without_confidential(services).reset_index(drop=True)
    area_rows = areas_table.reset_index(drop=True)
    area_index = pd.Index(area_rows["area_id"].astype(str))

    lat = pd.to_numeric(table["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(table["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    located = table["location_type"].isin(model.PLACED_TYPES).to_numpy(dtype=bool) & np.isfinite(lat) & np.isfinite(lon)
    if "area_id" in table.columns:
        area_ids = table["area_id"].fillna("").astype(str).to_numpy(dtype=object)
    else:
        area_ids = _areas_of_points(lat, lon, boundaries)
    service_area = np.where(located, area_index.get_indexer(area_ids), -1)

    # One location per distinct point (as geo.nearest: coordinates rounded to ~0.1 m).
    location_of = np.full(len(table), -1, dtype=np.intp)
    if located.any():
        keys = np.column_stack([np.round(lat[located], nearest.LOCATION_DECIMALS), np.round(lon[located], nearest.LOCATION_DECIMALS)])
        _keys, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        location_of[located] = inverse.reshape(-1)
        # The first service's own coordinates stand for the location (not the rounded key).
        location_xy = nearest.project(lat[located][first], lon[located][first])
    else:
        location_xy = np.empty((0, 2))

    demand_xy = nearest.project(demand_points["lat"].to_numpy(dtype=float), demand_points["lon"].to_numpy(dtype=float))
    demand_population = demand_points["population"].to_numpy(dtype=float)
    demand_area = area_index.get_indexer(demand_points["area_id"].astype(str))
    pair_demand, pair_location, _distance = access.pairs_within(demand_xy, location_xy, radius_km * 1000)

    # Area-wide services serving each token, then each area takes its token's list.
    area_wide = (table["location_type"] == model.AREA).to_numpy(dtype=bool)
    tokens = _items(table["service_area"])
    serving = {None: np.empty(0, dtype=np.intp)}
    for token in model.SERVICE_AREAS:
        serves = np.zeros(len(table), dtype=bool)
        serves[tokens.index[tokens == token].unique()] = True
        serving[token] = np.flatnonzero(area_wide & serves)
    return _Prepared(
        areas=area_rows, services=table, service_area=service_area, location_of=location_of,
        location_xy=location_xy, demand_xy=demand_xy, demand_population=demand_population,
        demand_area=demand_area, pair_demand=pair_demand, pair_location=pair_location,
        groups=_items(table["target_groups"]),
        area_wide_positions=tuple(serving[service_area_token(a)] for a in area_index),
    )


# --- selection --------------------------------------------------------------------------------

def _check_choice(value: str | None, vocabulary: tuple[str, ...], what: str) -> str | None:
    """None for "every", else the value when it is in the vocabulary; CoverageError otherwise."""
    if value is None or value == ALL:
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


def open_at(services: pd.DataFrame, when: dt.datetime, include_unknown_hours: bool = False) -> np.ndarray:
    """Boolean array: the service is ``open`` at local time ``when`` (or ``unknown``, when included).

    Empty hours are unknown (geo.hours); Slovenian public holidays apply through ``PH`` rules.
    """
    states = hours.states_at(services, when)
    kept = (hours.OPEN, hours.UNKNOWN) if include_unknown_hours else (hours.OPEN,)
    return states.isin(kept).to_numpy(dtype=bool)


def _selection(prepared: _Prepared, category: str | None, target_group: str | None, available: np.ndarray) -> np.ndarray:
    """Services matching the category, the target group (or ``general``) and the time filter."""
    chosen = available.copy()
    if category is not None:
        chosen &= (prepared.services["category"] == category).to_numpy(dtype=bool)
    if target_group is not None:
        groups = prepared.groups
        hit = np.zeros(len(prepared.services), dtype=bool)
        hit[groups.index[groups.isin((target_group, GENERAL_GROUP))].unique()] = True
        chosen &= hit
    return chosen


# --- measures ---------------------------------------------------------------------------------

def _measure(prepared: _Prepared, chosen: np.ndarray, thresholds: GapThresholds, supply: str) -> pd.DataFrame:
    """The coverage table for one selection of services (boolean over prepared.services)."""
    n_areas = len(prepared.areas)
    n_locations = len(prepared.location_xy)
    placed = chosen & (prepared.location_of >= 0)
    services_at = np.bincount(prepared.location_of[placed], minlength=n_locations).astype(float)
    size = services_at if supply == "services" else (services_at > 0).astype(float)
    supply_xy = prepared.location_xy[services_at > 0]

    weights, groups = prepared.demand_population, prepared.demand_area
    distance_m = access.nearest_distance(prepared.demand_xy, supply_xy)
    mean_km = access.group_weighted_mean(distance_m, weights, groups, n_areas) / 1000
    max_km = access.group_max(distance_m, groups, n_areas) / 1000
    radii = sorted({*SHARE_RADII_KM, thresholds.share_radius_km})
    # NaN (no supply anywhere) compares False: nobody is within reach of a service that does not exist.
    share = {r: access.group_share(distance_m <= r * 1000, weights, groups, n_areas) for r in radii}
    per_person = access.two_step_fca_from_pairs(prepared.pair_demand, prepared.pair_location, weights, size)
    access_2sfca = access.group_weighted_mean(per_person, weights, groups, n_areas) * PER_RESIDENTS

    in_area = prepared.service_area[placed]
    services_in_area = np.bincount(in_area[in_area >= 0], minlength=n_areas)
    population = prepared.areas["population"].to_numpy(dtype=float)
    per_1000 = np.divide(services_in_area * PER_RESIDENTS, population, out=np.full(n_areas, np.nan), where=population > 0)
    ids = prepared.services["id"].astype(str).to_numpy(dtype=object)
    wide_ids = [tuple(ids[p[chosen[p]]]) for p in prepared.area_wide_positions]

    table = pd.DataFrame({
        "area_id": prepared.areas["area_id"].astype(str),
        "name_sl": prepared.areas["name_sl"].astype(str),
        "name_it": prepared.areas["name_it"].astype(str),
        "population": prepared.areas["population"],
        "population_date": prepared.areas["population_date"].astype(str),
        "services_in_area": services_in_area.astype(int),
        "services_per_1000": per_1000,
        "mean_distance_km": mean_km,
        "max_distance_km": max_km,
        "mean_road_distance_km": mean_km * settings.DETOUR_FACTOR,
        "max_road_distance_km": max_km * settings.DETOUR_FACTOR,
        **{f"share_within_{r}km": share[r] for r in SHARE_RADII_KM},
        "access_2sfca": access_2sfca,
        "area_wide_services": [len(w) for w in wide_ids],
        "area_wide_ids": wide_ids,
    })
    table["has_area_wide"] = table["area_wide_services"] > 0
    _add_gaps(table, share[thresholds.share_radius_km], thresholds)
    return table[list(COLUMNS)]


def _add_gaps(table: pd.DataFrame, share: np.ndarray, thresholds: GapThresholds) -> None:
    """Add the gap flags and a ``gap_reasons`` text that names each raised flag's threshold."""
    mean_km = table["mean_distance_km"].to_numpy(dtype=float)
    in_area = table["services_in_area"].to_numpy()
    no_supply = np.isnan(mean_km)
    flags = {
        "gap_far": no_supply | (mean_km > thresholds.max_mean_distance_km),
        "gap_low_share": share < thresholds.min_share,  # NaN (an area without demand points) is not flagged
        "gap_none": (in_area < thresholds.min_services_in_area) & ~table["has_area_wide"].to_numpy(dtype=bool),
    }
    for name, flag in flags.items():
        table[name] = flag
    table["gap"] = flags["gap_far"] | flags["gap_low_share"] | flags["gap_none"]

    limit, radius, minimum = thresholds.max_mean_distance_km, thresholds.share_radius_km, thresholds.min_share
    reasons = []
    # One pass over the output rows (areas), not over services or demand points.
    for far, low, none, km, part, count, lacks_supply in zip(
            flags["gap_far"], flags["gap_low_share"], flags["gap_none"], mean_km, share, in_area, no_supply):
        texts = []
        if far:
            texts.append(f"gap_far: no matching service with a location anywhere, so no distance (counted as > {limit:g} km)"
                         if lacks_supply else f"gap_far: mean distance {km:.1f} km > {limit:g} km")
        if low:
            texts.append(f"gap_low_share: {part:.0%} of residents within {radius:g} km < {minimum:.0%}")
        if none:
            texts.append(f"gap_none: {count} matching service(s) located in the area "
                         f"(< {thresholds.min_services_in_area}) and no area-wide service")
        reasons.append("; ".join(texts))
    table["gap_reasons"] = pd.Series(reasons, index=table.index, dtype=object)


def assumptions(radius_km: float = DEFAULT_RADIUS_KM, thresholds: GapThresholds | None = None,
                at: dt.datetime | None = None, include_unknown_hours: bool = False,
                supply: str = "services", include_ankaran: bool = True) -> list[str]:
    """The approximations and rules behind the numbers, in plain English, for every output."""
    thresholds = thresholds or GapThresholds()
    notes = [
        ("Residents are represented by demand points: one per spatial district (prostorski okoliš) at its "
         "register centroid, each carrying an equal share of its area's population (district populations are "
         "not published), so rural and urban districts of one area weigh the same."),
        ("Population is as the source gives it, with its reference date in population_date; the dates "
         "may differ between areas."),
        ("Distances are straight lines between points projected to D96/TM (EPSG:3794, metres); road distances "
         f"are straight-line × {settings.DETOUR_FACTOR:g} (an assumed detour factor, not measured on the road network)."),
        ("Distances, shares and 2SFCA use only services with a location (site and office); a service located "
         "outside the 23 areas still counts as the nearest one but not in services_in_area."),
        ("A distance is empty (NaN) when no matching service with a location exists anywhere: there is nothing "
         "to measure to; it is unknown, not zero. The shares are then 0."),
        ("Area-wide services (delivered at home anywhere in Koper and/or Ankaran) have no point; they are "
         "counted separately (area_wide_services, area_wide_ids) in every area they serve."),
        "Confidential services (phone only) never enter any measure or output.",
        (f"access_2sfca: two-step floating catchment area accessibility, straight-line catchment of {radius_km:g} km, "
         f"supply S_j = {'number of matching services at a location' if supply == 'services' else '1 per location'}; "
         f"the population-weighted mean over the area's demand points, in services per {PER_RESIDENTS:,} residents. "
         "Demand outside Koper and Ankaran is not counted, so values near the municipal edge are overstated."),
    ]
    if not include_ankaran:
        notes.append("Ankaran's row is left out; its residents still count as demand in the 2SFCA catchments.")
    if at is not None:
        unknown = "included" if include_unknown_hours else "left out"
        notes.append(f"Only services open at {hours.to_local(at):%a %Y-%m-%d %H:%M} (Koper time, Slovenian public "
                     f"holidays applied); services whose hours are unknown then are {unknown}.")
    notes += [f"{flag}: {rule}." for flag, rule in thresholds.describe().items()]
    return notes


def _parameters(category, target_group, at, include_unknown_hours, radius_km, include_ankaran, thresholds, supply) -> dict:
    return {
        "category": category or ALL, "target_group": target_group or ALL,
        "at": hours.to_local(at).isoformat(timespec="minutes") if at is not None else None,
        "include_unknown_hours": include_unknown_hours, "radius_km": radius_km,
        "include_ankaran": include_ankaran, "supply": supply, "detour_factor": settings.DETOUR_FACTOR,
        "thresholds": asdict(thresholds),
    }


def _checked(target_group, at, radius_km, supply, thresholds) -> tuple:
    target_group = _check_choice(target_group, model.TARGET_GROUPS, "target group")
    radius = check_radius(radius_km)
    if supply not in SUPPLY_MODES:
        raise CoverageError(f"unknown supply mode {supply!r}; use one of: {', '.join(SUPPLY_MODES)}")
    if at is not None and not isinstance(at, dt.datetime):
        raise CoverageError(f"at must be a datetime or None (parse text with geo.hours.parse_when), got {at!r}")
    if at is not None:
        try:
            hours.to_local(at)
        except ValueError as exc:  # e.g. year 1 with a +14:00 offset
            raise CoverageError(f"at: {exc}") from None
    return target_group, radius, thresholds or GapThresholds()


def area_coverage(
    services: pd.DataFrame,
    areas_table: pd.DataFrame,
    demand_points: pd.DataFrame,
    *,
    category: str | None = None,
    target_group: str | None = None,
    at: dt.datetime | None = None,
    include_unknown_hours: bool = False,
    radius_km: float = DEFAULT_RADIUS_KM,
    include_ankaran: bool = True,
    thresholds: GapThresholds | None = None,
    supply: str = "services",
    area_index: areas.AreaIndex | None = None,
) -> pd.DataFrame:
    """One row per area (COLUMNS) for the services matching category / target group (None = all).

    ``at`` keeps only services open at that local time (``include_unknown_hours`` keeps those whose
    state is unknown too). ``include_ankaran=False`` drops Ankaran's row only; its residents still
    compete for services in the 2SFCA catchments. Without an ``area_id`` column in ``services`` the
    area of each service is looked up in ``area_index`` (geo.areas.area_index). ``attrs`` carries
    ``notes`` (assumptions()) and ``parameters``.
    """
    category = _check_choice(category, model.CATEGORIES, "category")
    target_group, radius, thresholds = _checked(target_group, at, radius_km, supply, thresholds)
    prepared = _prepare(services, areas_table, demand_points, radius, area_index)
    available = _available(prepared, at, include_unknown_hours)
    table = _measure(prepared, _selection(prepared, category, target_group, available), thresholds, supply)
    table = areas.filter_areas(table, include_ankaran).reset_index(drop=True)
    table.attrs["notes"] = assumptions(radius, thresholds, at, include_unknown_hours, supply, include_ankaran)
    table.attrs["parameters"] = _parameters(category, target_group, at, include_unknown_hours, radius,
                                            include_ankaran, thresholds, supply)
    return table


def _available(prepared: _Prepared, at: dt.datetime | None, include_unknown_hours: bool) -> np.ndarray:
    if at is None:
        return np.ones(len(prepared.services), dtype=bool)
    return open_at(prepared.services, at, include_unknown_hours)


def coverage_by_category(
    services: pd.DataFrame,
    areas_table: pd.DataFrame,
    demand_points: pd.DataFrame,
    *,
    target_group: str | None = None,
    at: dt.datetime | None = None,
    include_unknown_hours: bool = False,
    radius_km: float = DEFAULT_RADIUS_KM,
    include_ankaran: bool = True,
    thresholds: GapThresholds | None = None,
    supply: str = "services",
    area_index: areas.AreaIndex | None = None,
) -> pd.DataFrame:
    """Long table area × category: "category" (``all`` first, then model.CATEGORIES) + COLUMNS.

    The same measures as area_coverage for every category at once, with the shared work done once;
    meant to be cached by the pages.
    """
    target_group, radius, thresholds = _checked(target_group, at, radius_km, supply, thresholds)
    prepared = _prepare(services, areas_table, demand_points, radius, area_index)
    available = _available(prepared, at, include_unknown_hours)
    tables = []
    for category in (None, *model.CATEGORIES):
        table = _measure(prepared, _selection(prepared, category, target_group, available), thresholds, supply)
        table.insert(0, "category", category or ALL)
        tables.append(table)
    long = areas.filter_areas(pd.concat(tables, ignore_index=True), include_ankaran).reset_index(drop=True)
    long.attrs["notes"] = assumptions(radius, thresholds, at, include_unknown_hours, supply, include_ankaran)
    long.attrs["parameters"] = _parameters(None, target_group, at, include_unknown_hours, radius,
                                           include_ankaran, thresholds, supply)
    long.attrs["parameters"].pop("category")
    return long

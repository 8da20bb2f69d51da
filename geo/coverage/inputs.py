"""The inputs of the coverage measures, prepared once per call: which rows count, where they are, whom they serve.

``prepare`` turns the services, areas and demand points into arrays (``Prepared``) that do not
depend on the selection; ``selection`` picks the services of one category / target group / time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo import access, areas, model, nearest
from geo.coverage.rules import GENERAL_GROUP
from geo.errors import CoverageError

_REQUIRED_SERVICE_COLUMNS = ("id", "category", "target_groups", "location_type", "service_area", "lat", "lon")
_REQUIRED_AREA_COLUMNS = ("area_id", "name_sl", "name_it", "population", "population_date")
_REQUIRED_DEMAND_COLUMNS = ("area_id", "lon", "lat", "population")
_SOURCES = {
    "services": "geo.directory.build_directory(...).services",
    "areas": "geo.areas.load_areas()",
    "demand points": "geo.areas.load_demand_points()",
}
#: Eligibility tokens an area can have (None: an area outside Koper and Ankaran, served by any service).
TOKENS = (*model.SERVICE_AREAS, None)


@dataclass(frozen=True)
class Prepared:
    """Everything that does not depend on the selection, computed once per call (arrays over rows)."""

    areas: pd.DataFrame
    services: pd.DataFrame  # counted rows only (no confidential, no information), index 0..n-1
    service_area: np.ndarray  # per service: position of the area it is located in, -1 outside / not located
    serves_own_area: np.ndarray  # per service: located in an area whose residents it serves
    location_of: np.ndarray  # per service: position of its location, -1 when it has none
    location_xy: np.ndarray  # (n locations, 2) D96/TM metres
    delivered: np.ndarray  # per service: location type area (comes to the residents; no point)
    at_home: np.ndarray  # per service: delivered at the person's home
    serves: dict  # token → bool per service: the service serves residents of areas with that token
    area_token: tuple  # per area: its token (model.SERVICE_AREAS or None)
    demand_xy: np.ndarray
    demand_population: np.ndarray
    demand_area: np.ndarray  # per demand point: position of its area in ``areas``, -1 if not listed
    demand_token: np.ndarray  # per demand point: its area's token (object; None outside)
    pair_token: np.ndarray  # per catchment pair: position in TOKENS of its demand point's token
    serves_code: np.ndarray  # per service: bit i set when it serves TOKENS[i] (one code per service_area)
    pair_demand: np.ndarray  # catchment pairs (demand point, location) within the 2SFCA radius
    pair_location: np.ndarray
    groups: pd.Series  # exploded target groups, index = service position


def missing(table: pd.DataFrame, required: tuple[str, ...], what: str) -> None:
    """Raise CoverageError naming the columns ``table`` lacks."""
    lacking = [c for c in required if c not in table.columns]
    if lacking:
        raise CoverageError(f"the {what} table lacks column(s) {', '.join(lacking)}; pass the table from {_SOURCES[what]}")


def _text(table: pd.DataFrame, column: str) -> pd.Series:
    """A text column stripped, '' where missing (old tables and hypothetical rows may lack it)."""
    if column not in table.columns:
        return pd.Series("", index=table.index, dtype=object)
    return table[column].fillna("").astype(str).str.strip()


def without_confidential(services: pd.DataFrame) -> pd.DataFrame:
    """The services minus confidential ones: the one gate every coverage measure goes through."""
    return services.loc[services["location_type"].astype(str) != model.CONFIDENTIAL]


def counted(services: pd.DataFrame) -> pd.DataFrame:
    """The rows that can count in coverage: no confidential service, no information record (a funding call)."""
    table = without_confidential(services)
    return table.loc[_text(table, "record_kind") != model.INFORMATION]


def items(column: pd.Series) -> pd.Series:
    """One row per list item, index repeated, from list cells or ``;``-separated strings (vectorised)."""
    found = column.explode().dropna()
    found = found.astype(str).str.split(model.LIST_SEPARATOR).explode().str.strip()
    return found[found != ""]


def service_area_token(area_id: str) -> str | None:
    """The service_area token that covers an area: ``koper`` for a KS, ``ankaran`` for Ankaran."""
    # The same rule as geo.nearest.area_services_for_point.
    if area_id == areas.ANKARAN_AREA_ID:
        return "ankaran"
    if str(area_id).startswith(areas.KS_PREFIX):
        return "koper"
    return None


def serves_area(services: pd.DataFrame, area_id: str) -> pd.Series:
    """Boolean Series (services' index): the service may be used by residents of ``area_id``.

    Its service_area names the area's token (``koper`` for a KS, ``ankaran`` for Ankaran) or is
    empty (no restriction); an area outside both is served by every service. Confidential services
    and information records are never True.
    """
    token = service_area_token(area_id)
    kept = pd.Series(False, index=services.index)
    rows = counted(services)
    if token is None:
        kept[rows.index] = True
        return kept
    tokens = items(rows["service_area"])
    named = set(tokens.index[tokens == token])
    restricted = set(tokens.index)
    kept[[i for i in rows.index if i in named or i not in restricted]] = True
    return kept


def areas_of_points(lat: np.ndarray, lon: np.ndarray, area_index: areas.AreaIndex | None) -> np.ndarray:
    """area_id ('' outside) of each point, vectorised over points; ties go to the first id as in area_of_point."""
    if area_index is None:
        raise CoverageError("the services table has no area_id for located rows; pass area_index=geo.areas.area_index(boundaries)")
    result = np.full(len(lat), "", dtype=object)
    finite = np.isfinite(lat) & np.isfinite(lon)
    for area_id, geom in sorted(areas.area_polygons(area_index).items()):
        hit = finite & (result == "")
        hit[hit] = shapely.intersects_xy(geom, lon[hit], lat[hit])
        result[hit] = area_id
    return result


def _area_ids(table: pd.DataFrame, lat: np.ndarray, lon: np.ndarray, located: np.ndarray,
              boundaries: areas.AreaIndex | None) -> np.ndarray:
    """Each row's area_id: the column's value, looked up in ``boundaries`` for located rows without one."""
    if "area_id" not in table.columns:
        return areas_of_points(lat, lon, boundaries)
    ids = table["area_id"].fillna("").astype(str).to_numpy(dtype=object)
    unknown = located & (ids == "")
    if unknown.any() and boundaries is not None:  # e.g. hypothetical places added by the what-if page
        ids[unknown] = areas_of_points(lat[unknown], lon[unknown], boundaries)
    return ids


def prepare(services: pd.DataFrame, areas_table: pd.DataFrame, demand_points: pd.DataFrame,
            radius_km: float, boundaries: areas.AreaIndex | None) -> Prepared:
    """The selection-independent arrays (see Prepared); CoverageError names a missing column."""
    missing(services, _REQUIRED_SERVICE_COLUMNS, "services")
    missing(areas_table, _REQUIRED_AREA_COLUMNS, "areas")
    missing(demand_points, _REQUIRED_DEMAND_COLUMNS, "demand points")
    table = counted(services).reset_index(drop=True)
    area_rows = areas_table.reset_index(drop=True)
    area_index = pd.Index(area_rows["area_id"].astype(str))

    lat = pd.to_numeric(table["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(table["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    kind = table["location_type"].astype(str).str.strip()
    located = kind.isin(model.PLACED_TYPES).to_numpy(dtype=bool) & np.isfinite(lat) & np.isfinite(lon)
    service_area = np.where(located, area_index.get_indexer(_area_ids(table, lat, lon, located, boundaries)), -1)

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
    demand_area = area_index.get_indexer(demand_points["area_id"].astype(str))
    area_token = tuple(service_area_token(a) for a in area_index)
    demand_token = np.array([area_token[a] if a >= 0 else None for a in demand_area], dtype=object)
    pair_demand, pair_location, _distance = access.pairs_within(demand_xy, location_xy, radius_km * 1000)
    demand_token_code = np.array([TOKENS.index(t) for t in demand_token], dtype=np.intp)

    # Whom each service serves: the tokens of its service_area; none listed = no restriction.
    tokens = items(table["service_area"])
    restricted = np.zeros(len(table), dtype=bool)
    restricted[tokens.index.unique()] = True
    serves = {None: np.ones(len(table), dtype=bool)}
    for token in model.SERVICE_AREAS:
        named = np.zeros(len(table), dtype=bool)
        named[tokens.index[tokens == token].unique()] = True
        serves[token] = named | ~restricted

    serves_code = np.zeros(len(table), dtype=np.intp)
    for bit, token in enumerate(TOKENS):
        serves_code |= serves[token].astype(np.intp) << bit
    serves_own_area = np.zeros(len(table), dtype=bool)
    for position, token in enumerate(area_token):
        serves_own_area |= (service_area == position) & serves[token]

    delivered = (kind == model.AREA).to_numpy(dtype=bool)
    delivery = _text(table, "delivery")
    # An area service without a delivery kind (an older file) is read as delivered at home, as it used to be.
    at_home = delivered & delivery.isin(("", model.HOME)).to_numpy(dtype=bool)
    groups = items(table["target_groups"])
    return Prepared(
        areas=area_rows, services=table, service_area=service_area, serves_own_area=serves_own_area, location_of=location_of,
        location_xy=location_xy, delivered=delivered, at_home=at_home,
        serves=serves, area_token=area_token, demand_xy=demand_xy,
        demand_population=demand_points["population"].to_numpy(dtype=float), demand_area=demand_area,
        demand_token=demand_token, pair_token=demand_token_code[pair_demand], serves_code=serves_code,
        pair_demand=pair_demand, pair_location=pair_location, groups=groups,
    )


def selection(prepared: Prepared, category: str | None, target_group: str | None,
              available: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(matching, counting) booleans over prepared.services.

    matching: the category, the target group or ``general``, and the time filter; counting: the
    matching services that count in the measures: for a specific target group, not those that are
    only for everyone (they are listed, never close a gap).
    """
    matching = available.copy()
    if category is not None:
        matching &= (prepared.services["category"] == category).to_numpy(dtype=bool)
    if target_group is None:
        return matching, matching.copy()
    groups = prepared.groups
    named = np.zeros(len(prepared.services), dtype=bool)
    named[groups.index[groups == target_group].unique()] = True
    for_everyone = np.zeros(len(prepared.services), dtype=bool)
    for_everyone[groups.index[groups == GENERAL_GROUP].unique()] = True
    return matching & (named | for_everyone), matching & named

"""Nearest service locations to a starting point, and the area-wide services that serve it.

The index holds only placed services (``site`` and ``office`` rows with coordinates);
``area`` services have no point and confidential services never enter any distance work.
Points are projected once to D96/TM (EPSG:3794, metres) and kept in a KD-tree, so a query
costs O(log n) whether there are 50 locations or 10,000.

Distances: the KD-tree ranks by projected (D96/TM) distance; the reported ``distance_m`` is
the geodesic on the WGS84 ellipsoid (pyproj ``Geod.inv``), computed for the returned rows
only. Around Koper the projection's scale error is about +0.003 %, so the two rankings can
differ only between locations whose distances agree to within centimetres.

Several services at one point (same coordinates) form one *location*: ``k`` counts distinct
locations, and every matching service at each of them is returned ("the three nearest
places, each with all its matching services").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

from geo import areas, bilingual, geocode, i18n, model, settings
from geo.errors import UnknownPlaceError
from geo.text import fold

#: Points closer than this (degrees, ~0.1 m) are one location: the geocoder gives one
#: address one coordinate pair, rounding only absorbs float noise from CSV round trips.
LOCATION_DECIMALS = 6
#: Columns added by ``nearest``.
RESULT_COLUMNS = ("location_rank", "distance_m", "road_distance_m")
#: ``precision`` returned by the start helpers (the first matches geo.geocode.PRECISIONS).
PRECISION_SETTLEMENT = "settlement"
PRECISION_AREA_CENTRE = "area_centre"

_GEOD = Geod(ellps="WGS84")


#: WGS84 lon/lat → D96/TM metres; built once at import (creating a Transformer is slow), never changed.
#: As the pipeline from_crs finds (same numbers): pyproj makes a Transformer's PROJ object once per
#: *thread*, and Streamlit runs every script run in a new thread; from_crs searched PROJ's database
#: again each time (~35 ms of every /nearest, /coverage and /whatif run, py-spy), a pipeline ~0.2 ms.
_TO_D96 = Transformer.from_pipeline(
    Transformer.from_crs(settings.CRS_WGS84, settings.CRS_D96TM, always_xy=True).definition)


def project(lat: np.ndarray | float, lon: np.ndarray | float) -> np.ndarray:
    """(n, 2) array of D96/TM easting/northing in metres for WGS84 latitudes and longitudes."""
    x, y = _TO_D96.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def geodesic_m(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Geodesic distances in metres (WGS84 ellipsoid) from one point to many, vectorised."""
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    _az, _back, dist = _GEOD.inv(np.full_like(lons, lon), np.full_like(lats, lat), lons, lats)
    return np.asarray(dist, dtype=float)


@dataclass
class LocationIndex:
    """Placed services, their distinct locations and a KD-tree over those locations."""

    #: The indexed service rows (original index labels kept), in source order.
    services: pd.DataFrame
    #: For each indexed service, the position of its location in loc_lat/loc_lon/tree.
    location_of: np.ndarray
    loc_lat: np.ndarray
    loc_lon: np.ndarray
    #: KD-tree over the locations' D96/TM coordinates; None when nothing is placed.
    tree: cKDTree | None
    #: Index labels of the table build_index was given, so masks over it can be aligned.
    source_index: pd.Index

    @property
    def n_locations(self) -> int:
        """Number of distinct locations."""
        return len(self.loc_lat)


def _coordinates(services: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """lat and lon as float arrays (None, '' and junk become NaN)."""
    lat = pd.to_numeric(services.get("lat", pd.Series(np.nan, index=services.index)), errors="coerce")
    lon = pd.to_numeric(services.get("lon", pd.Series(np.nan, index=services.index)), errors="coerce")
    return lat.to_numpy(dtype=float, na_value=np.nan), lon.to_numpy(dtype=float, na_value=np.nan)


def build_index(services: pd.DataFrame) -> LocationIndex:
    """Index the site/office services that have coordinates (area and confidential rows never)."""
    lat, lon = _coordinates(services)
    placed = (
        services["location_type"].isin(model.PLACED_TYPES).to_numpy(dtype=bool)
        & np.isfinite(lat)
        & np.isfinite(lon)
    )
    rows = services.loc[placed].copy()
    lat, lon = lat[placed], lon[placed]
    if len(rows) == 0:
        empty = np.empty(0, dtype=float)
        return LocationIndex(rows, np.empty(0, dtype=np.intp), empty, empty, None, services.index.copy())
    keys = np.column_stack([np.round(lat, LOCATION_DECIMALS), np.round(lon, LOCATION_DECIMALS)])
    _keys, first, location_of = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    # The first service's own coordinates represent the location (not the rounded key).
    loc_lat, loc_lon = lat[first], lon[first]
    tree = cKDTree(project(loc_lat, loc_lon))
    return LocationIndex(rows, location_of.reshape(-1).astype(np.intp), loc_lat, loc_lon, tree, services.index.copy())


def _indexed_mask(index: LocationIndex, mask: pd.Series | np.ndarray | list | None) -> np.ndarray:
    """The mask as a boolean array over index.services.

    A Series is aligned by index label (labels it lacks count as False); an array or list is
    positional over the table build_index was given.
    """
    if mask is None:
        return np.ones(len(index.services), dtype=bool)
    if isinstance(mask, pd.Series):
        aligned = mask.reindex(index.services.index)
        return aligned.fillna(False).astype(bool).to_numpy()
    values = np.asarray(mask, dtype=bool)
    if values.shape != (len(index.source_index),):
        raise ValueError(
            f"mask has {values.shape[0] if values.ndim else 0} values but the services table given to "
            f"build_index had {len(index.source_index)} rows; pass a boolean Series to align by label"
        )
    return pd.Series(values, index=index.source_index).reindex(index.services.index).to_numpy(dtype=bool)


def _check_point(lat: float, lon: float) -> None:
    """Raise ValueError naming the value when a start point is not a finite lat/lon."""
    try:
        ok = math.isfinite(float(lat)) and math.isfinite(float(lon)) and -90 <= float(lat) <= 90
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"start point ({lat!r}, {lon!r}) is not a valid latitude/longitude in degrees")


def _nearest_locations(index: LocationIndex, allowed: np.ndarray, lat: float, lon: float, k: int) -> np.ndarray:
    """Positions of the k nearest allowed locations, nearest first (projected ranking)."""
    n_allowed = int(allowed.sum())
    wanted = min(k, n_allowed)
    if wanted == 0:
        return np.empty(0, dtype=np.intp)
    start = project(lat, lon)[0]
    total = index.n_locations
    if n_allowed * 8 < total:
        # A narrow mask: measure just the allowed locations (vectorised) instead of
        # walking the tree past many disallowed neighbours.
        candidates = np.flatnonzero(allowed)
        dist = np.hypot(*(index.tree.data[candidates] - start).T)
        return candidates[np.argsort(dist, kind="stable")[:wanted]]
    # A wide mask: ask the tree for more neighbours until enough of them are allowed.
    ask = min(total, max(2 * wanted, wanted * total // max(n_allowed, 1) + 1))
    while True:
        _dist, found = index.tree.query(start, k=ask)
        found = np.atleast_1d(found)
        found = found[found < total]  # the tree pads with n when asked for more than it has
        hits = found[allowed[found]]
        if len(hits) >= wanted or ask >= total:
            return hits[:wanted]
        ask = min(total, ask * 2)


def nearest(
    index: LocationIndex,
    lat: float,
    lon: float,
    *,
    k: int = 3,
    mask: pd.Series | np.ndarray | list | None = None,
) -> pd.DataFrame:
    """Services at the k nearest distinct locations that have a matching service, nearest first.

    ``mask`` selects services (boolean Series over the services table, aligned by label, or a
    positional array of the same length). Adds ``location_rank`` (1 = nearest location),
    ``distance_m`` (geodesic, metres) and ``road_distance_m`` (× settings.DETOUR_FACTOR).
    """
    _check_point(lat, lon)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive whole number of locations, got {k!r}")
    service_ok = _indexed_mask(index, mask)
    allowed = np.zeros(index.n_locations, dtype=bool)
    allowed[index.location_of[service_ok]] = True
    chosen = _nearest_locations(index, allowed, float(lat), float(lon), int(k)) if index.tree is not None else []
    chosen = np.asarray(chosen, dtype=np.intp)

    distance = geodesic_m(float(lat), float(lon), index.loc_lat[chosen], index.loc_lon[chosen])
    # Order by the exact (geodesic) distance; the stable sort keeps the tree's order on ties.
    order = np.argsort(distance, kind="stable")
    chosen, distance = chosen[order], distance[order]
    rank_of = np.full(index.n_locations, -1, dtype=np.intp)
    rank_of[chosen] = np.arange(len(chosen))

    service_rank = rank_of[index.location_of]
    take = service_ok & (service_rank >= 0)
    result = index.services.loc[take].copy()
    ranks = service_rank[take]
    result["location_rank"] = ranks + 1
    result["distance_m"] = distance[ranks] if len(ranks) else np.empty(0, dtype=float)
    result["road_distance_m"] = result["distance_m"] * settings.DETOUR_FACTOR
    # Nearest location first; services at one location keep their source order.
    position = np.arange(len(result))
    return result.iloc[np.lexsort((position, ranks))]


def area_services_for_point(services: pd.DataFrame, lat: float, lon: float, area_index: areas.AreaIndex) -> pd.DataFrame:
    """The area-wide services whose service area covers the point (empty outside Koper and Ankaran).

    ``area_index`` is :func:`geo.areas.area_index` of the boundaries in use.
    """
    area_id = areas.area_of_point(lat, lon, area_index)
    if area_id is None:
        return services.iloc[0:0]
    token = "ankaran" if area_id == areas.ANKARAN_AREA_ID else "koper" if area_id.startswith(areas.KS_PREFIX) else None
    if token is None:
        return services.iloc[0:0]
    served = services["service_area"].map(
        lambda value: token in (model.split_list(value) if isinstance(value, str) else list(value or ()))
    ).astype(bool)
    service = services["record_kind"] != model.INFORMATION if "record_kind" in services.columns else True
    return services.loc[(services["location_type"] == model.AREA) & served & service]  # a funding call reaches no one


def start_from_settlement(name_or_id: str | int, settlements: pd.DataFrame,
                          lang: str | None = None) -> tuple[float, float, str, str]:
    """(lat, lon, label, "settlement") of a settlement's register centroid, by id or name (sl or it).

    ``settlements`` is the settlements table (:func:`geo.areas.load_settlements`). Names match
    without regard to case or accents ("Crni Kal" finds "Črni Kal"). The label is the bilingual
    "Ankaran / Ancarano", or with ``lang`` the name in that language (``i18n.name_in``: the
    register's Italian name for ``it`` where there is one). Raises UnknownPlaceError.
    """
    text = str(name_or_id).strip()
    hits = settlements[settlements["settlement_id"].astype(str) == text]
    if hits.empty:
        wanted = fold(text)
        names = settlements["name_sl"].map(fold), settlements["name_it"].map(fold)
        hits = settlements[(names[0] == wanted) | ((names[1] == wanted) & (names[1] != ""))]
    if hits.empty:
        raise UnknownPlaceError(
            f"no settlement {name_or_id!r} in {settings.SETTLEMENTS_FILE}; use a name such as 'Dekani' or a settlement_id"
        )
    row = hits.iloc[0]
    label = i18n.bilingual(row["name_sl"], row["name_it"]) if lang is None else i18n.name_in(row, lang)
    return float(row["lat"]), float(row["lon"]), label, PRECISION_SETTLEMENT


def start_from_area(area_id: str, table: pd.DataFrame) -> tuple[float, float, str, str]:
    """(lat, lon, label, "area_centre") of a local area's centre point (centroid_lat/lon of the areas table).

    ``table`` is the areas table (:func:`geo.areas.load_areas`). Raises UnknownPlaceError.
    """
    hits = table[table["area_id"] == str(area_id).strip()]
    if hits.empty:
        raise UnknownPlaceError(
            f"no area {area_id!r} in {settings.AREAS_FILE}; use an area_id such as 'ks-50605' (Dekani) or 'ob-213' (Ankaran)"
        )
    row = hits.iloc[0]
    return float(row["centroid_lat"]), float(row["centroid_lon"]), row["name_sl"], PRECISION_AREA_CENTRE


def label_in(label: str, lang: str, streets: pd.DataFrame, settlements: pd.DataFrame) -> str:
    """A typed address's label in the page language: in Italian with the register's Italian names
    ("Krožna cesta 5, 6000 Koper" → "Strada Circolare 5, 6000 Capodistria", "Hrvatini" → "Crevatini"),
    else ``label`` as it is. A part the register has no Italian name for stays as written.

    ``streets`` and ``settlements`` are the register tables (``geo.geocode.GeocodeSources``).
    """
    if i18n.language(lang) != "it" or not label.strip():
        return label
    italian = bilingual.italian_address(label, streets, settlements)
    if italian:
        return italian
    names = {fold(sl): it for table in (streets, settlements)
             for sl, it in zip(table["name_sl"], table["name_it"].fillna("")) if isinstance(it, str) and it.strip()}
    parts = []
    for part in label.split(","):
        name, number = geocode.split_house_number(part)
        postcode, _, town = name.partition(" ")
        if postcode.isdigit() and town:  # "6000 Koper"
            parts.append(f"{postcode} {names.get(fold(town), town)}")
        else:
            parts.append(" ".join(p for p in (names.get(fold(name), name), number) if p))
    return ", ".join(p for p in parts if p)

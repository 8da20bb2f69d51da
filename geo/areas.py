"""The 23 local areas (22 KS of Koper + Ankaran): tables, boundaries and point-in-area lookup.

Boundaries come from ``areas.geojson`` (an approximation built by scripts/build_reference.py)
unless the data directory holds ``areas_official.geojson``, which then replaces it unchanged.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import shape

from geo import settings
from geo.errors import DataFileError, DataValidationError, Problem

#: area_id of the municipality of Ankaran; KS ids are "ks-<ODO_ID>".
ANKARAN_AREA_ID = "ob-213"
KS_PREFIX = "ks-"
AREA_KINDS = ("ks", "municipality")
POLYGON_TYPES = ("Polygon", "MultiPolygon")

AREA_COLUMNS = {
    "area_id": str, "name_sl": str, "name_it": str, "kind": str, "municipality": str, "population": int,
    "population_date": str, "population_source": str, "official_km2": float, "computed_km2": float,
    "area_error_pct": float, "centroid_lon": float, "centroid_lat": float, "boundary": str,
}
SETTLEMENT_COLUMNS = {
    "settlement_id": int, "name_sl": str, "name_it": str, "municipality": str, "area_id": str,
    "lon": float, "lat": float,
}
STREET_COLUMNS = {"street_id": int, "name_sl": str, "name_it": str, "settlement_id": int, "municipality": str}
DEMAND_POINT_COLUMNS = {
    "point_id": int, "area_id": str, "settlement_id": int, "lon": float, "lat": float, "population": float,
}

_REBUILD_HINT = "rebuild it with `make data` (python scripts/build_reference.py)"


def _folder(data_dir: Path | str) -> Path:
    """The data directory the caller resolved (ui.cache or a command-line entry point)."""
    if data_dir is None:
        raise TypeError("data_dir is required: resolve it at the entry point (settings.data_dir())")
    return Path(data_dir)


def _read_table(path: Path, columns: dict[str, type]) -> pd.DataFrame:
    """Read one of the derived CSV files with fixed column types; text stays text ('' not NaN)."""
    if not path.is_file():
        raise DataFileError(f"{path} is missing; {_REBUILD_HINT}")
    text_cols = {c: str for c, t in columns.items() if t is str}
    table = pd.read_csv(path, dtype=text_cols, keep_default_na=False, na_values={c: [""] for c in columns if c not in text_cols})
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataValidationError(
            [Problem(path.name, 1, c, None, f"column is missing; {_REBUILD_HINT}") for c in missing])
    table = table[list(columns)]
    problems = [Problem(path.name, None, c, None, "has empty values") for c, t in columns.items()
                if t is not str and table[c].isna().any()]
    if problems:
        raise DataValidationError(problems)
    return table.astype({c: t for c, t in columns.items() if t is not str})


def load_areas(data_dir: Path | str) -> pd.DataFrame:
    """areas.csv: one row per area with population, official and computed km² and a label point."""
    return _read_table(_folder(data_dir) / settings.AREAS_FILE, AREA_COLUMNS)


def load_settlements(data_dir: Path | str) -> pd.DataFrame:
    """settlements.csv: settlements of Koper and Ankaran with their area and register centroid."""
    return _read_table(_folder(data_dir) / settings.SETTLEMENTS_FILE, SETTLEMENT_COLUMNS)


def load_streets(data_dir: Path | str) -> pd.DataFrame:
    """streets.csv: streets of Koper and Ankaran with Slovene and (where official) Italian names."""
    return _read_table(_folder(data_dir) / settings.STREETS_FILE, STREET_COLUMNS)


def load_demand_points(data_dir: Path | str) -> pd.DataFrame:
    """demand_points.csv: one point per spatial district, carrying an equal share of its area's population."""
    return _read_table(_folder(data_dir) / settings.DEMAND_POINTS_FILE, DEMAND_POINT_COLUMNS)


def filter_areas(df: pd.DataFrame, include_ankaran: bool) -> pd.DataFrame:
    """Rows of any table with an ``area_id`` column, limited to the 22 KS unless Ankaran is included."""
    if include_ankaran:
        return df
    keep = df["area_id"].astype("string").str.startswith(KS_PREFIX).fillna(False).astype(bool)
    return df[keep]


def boundary_is_official(data_dir: Path | str) -> bool:
    """True when a user-supplied official boundary file replaces the approximation."""
    return (_folder(data_dir) / settings.OFFICIAL_AREA_BOUNDARIES_FILE).is_file()


def _boundary_path(folder: Path) -> Path:
    """The boundary file in use: the official one when present."""
    official = folder / settings.OFFICIAL_AREA_BOUNDARIES_FILE
    return official if official.is_file() else folder / settings.AREA_BOUNDARIES_FILE


def validate_boundaries(collection: object, file_name: str, known_ids: set[str]) -> list[Problem]:
    """Every problem of a boundary FeatureCollection: each feature needs a known area_id and a polygon."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        return [Problem(file_name, None, "type", None, "is not a GeoJSON FeatureCollection")]
    problems, seen = [], set()
    for index, feature in enumerate(collection["features"]):
        where = f"features[{index}]"
        props = feature.get("properties") if isinstance(feature, dict) else None
        area_id = props.get("area_id") if isinstance(props, dict) else None
        if area_id not in known_ids:
            problems.append(Problem(file_name, None, f"{where}.properties.area_id", area_id,
                                    f"feature {index}: unknown or missing area_id; use one of the ids in "
                                    f"{settings.AREAS_FILE} (e.g. 'ks-50614' for Šmarje, '{ANKARAN_AREA_ID}' for Ankaran)"))
        else:
            seen.add(area_id)
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        problem = _geometry_problem(geometry)
        if problem:
            problems.append(Problem(file_name, None, f"{where}.geometry",
                                    geometry.get("type") if isinstance(geometry, dict) else geometry,
                                    f"feature {index}: {problem}"))
    for area_id in sorted(known_ids - seen):
        problems.append(Problem(file_name, None, "features", area_id,
                                "no feature for this area; every area in the areas table needs a polygon"))
    return problems


def _geometry_problem(geometry: object) -> str | None:
    """Why a GeoJSON geometry is not a usable WGS84 polygon, or None if it is."""
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGON_TYPES:
        return "geometry is missing or not a Polygon/MultiPolygon"
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return "geometry coordinates cannot be read"
    if geom.is_empty:
        return "geometry is empty"
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return "coordinates are not longitude/latitude; convert the file to WGS84 (EPSG:4326)"
    return None


def load_boundaries(data_dir: Path | str) -> dict:
    """The area boundaries as a GeoJSON FeatureCollection (official file if present), validated."""
    folder = _folder(data_dir)
    path = _boundary_path(folder)
    if not path.is_file():
        raise DataFileError(f"{path} is missing; {_REBUILD_HINT}")
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"{path} is not valid GeoJSON ({exc}); fix or remove the file") from exc
    known = set(load_areas(folder)["area_id"])
    problems = validate_boundaries(collection, path.name, known)
    if problems:
        raise DataValidationError(problems)
    return collection


@dataclass(frozen=True)
class AreaIndex:
    """The area polygons (WGS84 lon/lat, prepared) and an STRtree over them, built by :func:`area_index`.

    Read only; ``ui.cache`` keeps one per data stamp.
    """

    ids: tuple[str, ...]
    geoms: tuple
    tree: shapely.STRtree


def area_index(boundaries: dict) -> AreaIndex:
    """Index a validated boundary FeatureCollection (see :func:`load_boundaries`) for point-in-area lookups."""
    parts: dict[str, list] = {}
    for feature in boundaries["features"]:
        parts.setdefault(feature["properties"]["area_id"], []).append(shape(feature["geometry"]))
    ids = tuple(sorted(parts))
    # An official file may split one area over several features; merge them, and repair
    # self-intersections so point tests are reliable.
    geoms = tuple(shapely.make_valid(shapely.union_all(parts[i])) for i in ids)
    for geom in geoms:
        shapely.prepare(geom)
    return AreaIndex(ids, geoms, shapely.STRtree(geoms))


def load_outline(data_dir: Path | str) -> dict:
    """municipality.geojson: the outline of Koper and Ankaran (GeoJSON FeatureCollection)."""
    path = _folder(data_dir) / settings.MUNICIPALITY_OUTLINE_FILE
    if not path.is_file():
        raise DataFileError(f"{path} is missing; {_REBUILD_HINT}")
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataFileError(f"{path} is not valid GeoJSON ({error}); {_REBUILD_HINT}") from error
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features:
        raise DataFileError(f"{path} has no features; {_REBUILD_HINT}")
    return collection


def area_polygons(index: AreaIndex) -> dict[str, shapely.Geometry]:
    """area_id → shapely (Multi)Polygon in WGS84 (lon, lat)."""
    return dict(zip(index.ids, index.geoms))


def area_of_point(lat: float, lon: float, index: AreaIndex) -> str | None:
    """The area_id containing the point, or None outside Koper and Ankaran (boundary points count as inside)."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    point = shapely.Point(lon, lat)
    hits = sorted(index.tree.query(point, predicate="intersects"))
    # On a shared edge both areas match; the first id wins so the answer is stable.
    return index.ids[hits[0]] if hits else None


def in_municipality(lat: float, lon: float, index: AreaIndex) -> bool:
    """True inside Koper or Ankaran (the area the social-work centre serves)."""
    return area_of_point(lat, lon, index) is not None


#: Longest ``?areas=`` value read: 23 ids of ~9 characters fit many times over; the rest of a longer
#: (hostile or broken) link is ignored before any work is done.
MAX_AREA_LIST_CHARS = 1000


def parse_area_list(text: object, known_ids: Iterable[str]) -> list[str]:
    """The area ids of a comma-separated link value, in the order given: bounded, de-duplicated, unknown ids dropped.

    Only the first MAX_AREA_LIST_CHARS characters are read, so a 10,000-fold value costs no more than
    a short one. Returns at most one entry per known id; an empty list when nothing usable is left.
    """
    known = set(known_ids)
    chosen: dict[str, None] = {}
    for part in str(text or "")[:MAX_AREA_LIST_CHARS].split(","):
        area_id = part.strip()
        if area_id in known:
            chosen.setdefault(area_id, None)
    return list(chosen)

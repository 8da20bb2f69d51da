"""The directory as the app and the exports see it: services with their locations.

Locations come from the offline geocoder (hand-placed coordinates, then the cache, then
the official register) and are tagged with the local area they fall in. Confidential
services are never geocoded and never carry a location.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import areas, bilingual, geocode, load, model
from geo.errors import KoperMapError


@dataclass(frozen=True)
class Directory:
    """Services with locations, and the error that stopped a fresher load, if any."""

    services: pd.DataFrame | None
    error: KoperMapError | None = None


def locate_addresses(
    addresses: list[str], sources: geocode.GeocodeSources, area_index: areas.AreaIndex, area_table: pd.DataFrame,
) -> dict[str, dict]:
    """Resolve each address offline to a location record (see model.LOCATION_COLUMNS); unknown ones are left out.

    ``sources`` are the geocoding tables (``geocode.load_sources``), ``area_index`` the area polygons
    (``areas.area_index``) and ``area_table`` the areas table (for the area names). Reads no file.
    """
    area_names = area_table.set_index("area_id")["name_sl"].to_dict()
    located: dict[str, dict] = {}
    for address in addresses:
        result = geocode.geocode(address, online=False, store=False, sources=sources)
        if result is None:
            continue
        area_id = areas.area_of_point(result.lat, result.lon, area_index) or ""
        located[address] = {
            "lat": result.lat,
            "lon": result.lon,
            "location_precision": result.precision,
            "location_source": result.source,
            "location_label": result.label,
            "location_note": result.note,
            "location_accuracy_m": result.accuracy_m,
            "area_id": area_id,
            "area_name": area_names.get(area_id, ""),
        }
    return located


def with_locations(
    services: pd.DataFrame, sources: geocode.GeocodeSources, area_index: areas.AreaIndex, area_table: pd.DataFrame,
) -> pd.DataFrame:
    """A copy of the services table with the location columns and ``address_it`` added.

    Location columns are empty for area and confidential rows (confidential ones are never
    geocoded). The tables are those of :func:`locate_addresses`; reads no file.
    """
    placed = services["location_type"].isin(model.PLACED_TYPES) & (services["address"] != "")
    located = locate_addresses(sorted(set(services.loc[placed, "address"])), sources, area_index, area_table)
    table = services.copy()
    for column in model.LOCATION_COLUMNS:
        values = [
            located.get(address, {}).get(column) if is_placed else None
            for address, is_placed in zip(table["address"], placed)
        ]
        table[column] = pd.Series(values, index=table.index, dtype=object)
    for column in ("location_precision", "location_source", "location_label", "location_note", "area_id", "area_name"):
        table[column] = table[column].fillna("")
    table["address_it"] = _italian_addresses(table["address"], sources)
    return table


def _italian_addresses(addresses: pd.Series, sources: geocode.GeocodeSources) -> pd.Series:
    """The register's Italian form of each address ('' where it has none)."""
    italian = bilingual.italian_addresses(sorted(set(addresses) - {""}), sources.streets, sources.settlements)
    return addresses.map(lambda a: italian.get(a, "")).astype(object)


def _locate_from_files(services: pd.DataFrame, data_dir: Path | str) -> pd.DataFrame:
    """with_locations with the geocoding and area tables read from ``data_dir``."""
    area_index = areas.area_index(areas.load_boundaries(data_dir))
    return with_locations(services, geocode.load_sources(data_dir), area_index, areas.load_areas(data_dir))


def build_directory(data_dir: Path | str) -> Directory:
    """Load, validate and locate the directory of ``data_dir``; never raises for bad data files.

    On a bad file ``services`` is None and ``error`` says why; keeping the last good table to
    show meanwhile is the caller's job (``ui.cache``).
    """
    result = load.load_services_safe(data_dir)
    if result.services is None:
        return Directory(None, result.error)
    try:
        return Directory(_locate_from_files(result.services, data_dir), result.error)
    except KoperMapError as exc:
        return Directory(None, exc)


def directory_table(data_dir: Path | str) -> pd.DataFrame:
    """The located directory of ``data_dir``; raises the load error (for command-line tools)."""
    return _locate_from_files(load.load_services(data_dir), data_dir)

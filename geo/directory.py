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


def locate_addresses(addresses: list[str], data_dir: Path | None = None) -> dict[str, dict]:
    """Resolve each address offline to a location record (see model.LOCATION_COLUMNS)."""
    area_names = areas.load_areas(data_dir).set_index("area_id")["name_sl"].to_dict()
    sources = geocode.load_sources(data_dir)
    located: dict[str, dict] = {}
    for address in addresses:
        result = geocode.geocode(address, online=False, store=False, data_dir=data_dir, sources=sources)
        if result is None:
            continue
        area_id = areas.area_of_point(result.lat, result.lon, data_dir) or ""
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


def with_locations(services: pd.DataFrame, data_dir: Path | None = None) -> pd.DataFrame:
    """Add the location columns to the services table (empty for area and confidential rows)."""
    placed = services["location_type"].isin(model.PLACED_TYPES) & (services["address"] != "")
    located = locate_addresses(sorted(set(services.loc[placed, "address"])), data_dir)
    table = services.copy()
    for column in model.LOCATION_COLUMNS:
        values = [
            located.get(address, {}).get(column) if is_placed else None
            for address, is_placed in zip(table["address"], placed)
        ]
        table[column] = pd.Series(values, index=table.index, dtype=object)
    for column in ("location_precision", "location_source", "location_label", "location_note", "area_id", "area_name"):
        table[column] = table[column].fillna("")
    table["address_it"] = _italian_addresses(table["address"], data_dir)
    return table


def _italian_addresses(addresses: pd.Series, data_dir: Path | None) -> pd.Series:
    """The register's Italian form of each address ('' where it has none)."""
    sources = geocode.load_sources(data_dir)
    italian = bilingual.italian_addresses(sorted(set(addresses) - {""}), sources.streets, sources.settlements)
    return addresses.map(lambda a: italian.get(a, "")).astype(object)


def build_directory(data_dir: Path | None = None) -> Directory:
    """Load, validate and locate the directory; never raises for bad data files."""
    result = load.load_services_safe(data_dir)
    if result.services is None:
        return Directory(None, result.error)
    try:
        return Directory(with_locations(result.services, data_dir), result.error)
    except KoperMapError as exc:
        return Directory(None, exc)


def directory_table(data_dir: Path | None = None) -> pd.DataFrame:
    """The located directory; raises the load error (for command-line tools)."""
    return with_locations(load.load_services(data_dir), data_dir)

"""Placing the addresses an import brings: which need placing, and where each would go."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import areas, geocode, model, settings, text
from geo.errors import KoperMapError
from geo.upkeep.comparing import cell_text, comparable


def addresses_to_geocode(current: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Addresses of placed records (``model.PLACED_TYPES``) that are new, or whose address or type changed; each once."""
    old_records = {cell_text(r.get("id")).strip(): r for r in current.to_dict("records")} if "id" in current.columns else {}
    wanted: dict[str, str] = {}
    for record in new.to_dict("records"):
        if cell_text(record.get("location_type")).strip() not in model.PLACED_TYPES:
            continue
        address = " ".join(cell_text(record.get("address")).split())
        if not address:
            continue
        old = old_records.get(cell_text(record.get("id")).strip())
        unchanged = (
            old is not None
            and cell_text(old.get("location_type")).strip() in model.PLACED_TYPES
            and comparable("address", old.get("address")) == comparable("address", address)
        )
        if not unchanged:
            wanted.setdefault(text.fold(address), address)
    return list(wanted.values())


@dataclass(frozen=True)
class AddressLocation:
    """Where an address would be placed (WGS84 degrees), how exactly, and what staff should know about it."""

    address: str
    lat: float | None
    lon: float | None
    precision: str
    source: str
    label: str
    note: str
    accuracy_m: int | None
    area_id: str

    @property
    def found(self) -> bool:
        return self.lat is not None

    @property
    def approximate(self) -> bool:
        """True when the point is not at the building (see ``is_approximate``)."""
        return not self.found or is_approximate(self.precision, self.accuracy_m)


def is_approximate(precision: str, accuracy_m: object = None) -> bool:
    """Settlement- or street-level points, and hand-placed points with a wide error radius (metres)."""
    if precision in ("settlement", "street"):
        return True
    if precision == "manual":
        try:
            radius = float(accuracy_m)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return math.isfinite(radius) and radius > settings.APPROXIMATE_ACCURACY_M
    return precision not in geocode.PRECISIONS


def boundary_index(data_dir: Path | str) -> areas.AreaIndex | None:
    """The area index of the data directory's boundaries, or None when they cannot be read."""
    try:
        return areas.area_index(areas.load_boundaries(Path(data_dir)))
    except KoperMapError:
        return None


def geocode_addresses(
    addresses: Iterable[str],
    *,
    online: bool,
    data_dir: Path | str,
    store: bool = True,
    geocoder: object = None,
    today: dt.date | str | None = None,
    area_index: areas.AreaIndex | None = None,
) -> list[AddressLocation]:
    """Locate provider addresses: hand-placed points, then the cache, then Nominatim if ``online``, then the register.

    Online failures never raise: the register answers, and the note says why. With ``store``,
    online answers are kept in the geocode cache of ``data_dir`` (these are providers' addresses,
    not citizens'). ``area_index`` (else read from ``data_dir``) names each point's local area.
    """
    sources = geocode.load_sources(data_dir)
    index = area_index if area_index is not None else boundary_index(data_dir)
    located = []
    for address in addresses:
        result = geocode.geocode(
            address, online=online, store=store, data_dir=data_dir, geocoder=geocoder, today=today, sources=sources
        )
        if result is None:
            located.append(
                AddressLocation(address, None, None, "", "", "", "Not found in the hand-placed points, the cache or the "
                                "register; check the spelling or place it by hand.", None, "")
            )
            continue
        note = result.note
        area_id = ""  # without boundaries to check against, the point itself is still shown
        if index is not None:
            area_id = areas.area_of_point(result.lat, result.lon, index) or ""
            if not area_id:
                note = " ".join(filter(None, [note, "The point is outside Koper and Ankaran; check the address."]))
        located.append(
            AddressLocation(address, result.lat, result.lon, result.precision, result.source, result.label, note,
                            result.accuracy_m, area_id)
        )
    return located

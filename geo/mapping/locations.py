"""From a located directory table to the addresses drawn on the map (one marker per address).

Only services whose ``location_type`` is one of ``geo.model.PLACED_TYPES`` (``site``,
``office``) with an address and finite coordinates are kept: ``area`` services (delivered at
home) and ``confidential`` ones (shelters) are dropped here, whatever coordinates they carry,
so their coordinates never reach the HTML. Several services at one address share one marker.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from geo import model


@dataclass(frozen=True)
class Location:
    """One address on the map and the services found there (records in table order)."""

    location_id: str
    address: str
    lat: float
    lon: float
    services: tuple[dict, ...]

    @property
    def category(self) -> str:
        """The category shown on the marker: the most frequent one (ties: CATEGORIES order)."""
        counts = Counter(s.get("category") for s in self.services)
        return max(model.CATEGORIES, key=lambda c: (counts.get(c, 0), -model.CATEGORIES.index(c)))


def location_id(address: str) -> str:
    """A stable id for an address, usable in HTML and URLs: ``loc-krozna-cesta-5-6000-koper``."""
    ascii_text = unicodedata.normalize("NFKD", address).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return "loc-" + (slug or "address")


def finite_number(value: object) -> float | None:
    """``value`` as a finite float, or None (missing, text, NaN, infinite)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def without_missing(record: dict) -> dict:
    """A record with missing values (NaN, None) turned into None."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()}


def map_locations(services: pd.DataFrame) -> list[Location]:
    """The drawable addresses: placed services with an address and finite coordinates, in table order.

    Ids are ``location_id(address)``, with ``-2``, ``-3``… for the rare addresses whose ids collide.
    A table without ``location_type``, ``address``, ``lat`` and ``lon`` columns gives no address.
    """
    groups: dict[str, list[dict]] = {}
    points: dict[str, tuple[float, float]] = {}
    if not {"location_type", "address", "lat", "lon"} <= set(services.columns):
        return []
    for record in services.to_dict("records"):
        record = without_missing(record)
        if record.get("location_type") not in model.PLACED_TYPES:
            continue
        address = str(record.get("address") or "").strip()
        lat, lon = finite_number(record.get("lat")), finite_number(record.get("lon"))
        if not address or lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        groups.setdefault(address, []).append(record)
        points.setdefault(address, (lat, lon))
    located, used = [], set()
    for address, records in groups.items():
        base = ident = location_id(address)
        suffix = 2
        while ident in used:
            ident, suffix = f"{base}-{suffix}", suffix + 1
        used.add(ident)
        located.append(Location(ident, address, *points[address], tuple(records)))
    return located

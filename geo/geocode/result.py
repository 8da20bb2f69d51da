"""What a lookup answers: a point, how exactly it places the address, and where it came from."""
from __future__ import annotations

from dataclasses import dataclass

#: How exactly a point places an address, best first.
PRECISIONS = ("manual", "address", "street", "settlement")

#: Source names written to GeocodeResult.source and the cache.
SOURCE_MANUAL = "manual"
SOURCE_NOMINATIM = "nominatim"
SOURCE_REGISTER = "gurs-rpe"


@dataclass(frozen=True)
class GeocodeResult:
    """Where an address was placed (WGS84 degrees), how exactly (one of PRECISIONS), and from which source."""

    lat: float
    lon: float
    precision: str
    source: str
    label: str
    retrieved_on: str | None
    note: str = ""
    #: Estimated error radius of a hand-placed point, in metres (None when not stated).
    accuracy_m: int | None = None

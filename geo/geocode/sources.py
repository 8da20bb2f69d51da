"""Everything a lookup reads, loaded and indexed once: ``load_sources(data_dir)`` → GeocodeSources.

The index (the register's words and stems, the normalised key of every hand-placed point and
cache row) is built when a GeocodeSources is made, so placing n addresses normalises each table
row once, not n times. Callers keep the GeocodeSources for as long as the files do not change
(the app caches it in ``ui/cache.py``, keyed by the files' stamps).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import shape

from geo import areas
from geo.errors import DataFileError
from geo.geocode import files
from geo.geocode.register import Register
from geo.text import fold


@dataclass(frozen=True)
class RowIndex:
    """The records of an address table, findable by address key or folded text of one column.

    ``by_text`` maps both the folded text and the address key of each row to the first row
    position that has it; ``by_street`` maps the street part of each key ("levja ulica 7") to the
    positions of its rows, for a query typed without a postcode.
    """

    records: tuple[dict, ...]
    by_text: dict[str, int]
    by_street: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, table: pd.DataFrame, column: str, register: Register) -> RowIndex:
        records = tuple(table.to_dict("records")) if len(table) else ()
        by_text: dict[str, int] = {}
        by_street: dict[str, list[int]] = {}
        for position, record in enumerate(records):
            key = register.address_key(record[column])
            by_text.setdefault(key, position)
            by_text.setdefault(fold(record[column]), position)
            by_street.setdefault(key.split(", ")[0], []).append(position)
        return cls(records, by_text, {k: tuple(v) for k, v in by_street.items()})


@dataclass(frozen=True)
class GeocodeSources:
    """The tables geocoding reads; load once (``load_sources``) and pass to ``geocode``.

    ``manual`` and ``cache`` as validated by ``geo.geocode.files``; ``settlements`` and ``streets``
    the register; ``served_area`` the outline of the municipalities served (Koper and Ankaran) as a
    shapely geometry in (lon, lat) degrees, or None when unknown (online answers are then checked
    against the country and settings.KOPER_BBOX only). The index fields are derived, never passed.
    """

    manual: pd.DataFrame
    cache: pd.DataFrame
    settlements: pd.DataFrame
    streets: pd.DataFrame
    served_area: shapely.Geometry | None = None
    register: Register = field(init=False, repr=False, compare=False)
    manual_index: RowIndex = field(init=False, repr=False, compare=False)
    cache_index: RowIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        register = Register.from_tables(self.settlements, self.streets)
        object.__setattr__(self, "register", register)
        object.__setattr__(self, "manual_index", RowIndex.of(self.manual, "address", register))
        object.__setattr__(self, "cache_index", RowIndex.of(self.cache, "query", register))


def load_served_area(data_dir: Path | str) -> shapely.Geometry | None:
    """The union of the polygons of ``municipality.geojson`` (Koper and Ankaran), or None if absent/unreadable.

    Absent is not an error here: the outline only tightens the check of online answers.
    """
    try:
        collection = areas.load_outline(data_dir)
        geometry = shapely.union_all([shape(f["geometry"]) for f in collection["features"]])
    except (DataFileError, ValueError, KeyError, TypeError, AttributeError, shapely.errors.ShapelyError):
        return None
    if geometry.is_empty or not all(math.isfinite(v) for v in geometry.bounds):
        return None
    return shapely.make_valid(geometry)


def load_sources(data_dir: Path | str) -> GeocodeSources:
    """Load the manual file, the cache, the register and the served area from ``data_dir``.

    Raises DataFileError (a register file is missing) or DataValidationError (a file breaks its schema).
    """
    settlements, streets = files.load_register(data_dir)
    return GeocodeSources(files.load_manual_coordinates(data_dir), files.load_geocode_cache(data_dir),
                          settlements, streets, load_served_area(data_dir))

"""Addresses in Italian: the official Italian street and settlement names from the register.

Koper is officially bilingual; its register gives many streets and settlements an Italian name
(Krožna cesta → Strada Circolare, Koper → Capodistria). An address is shown in Italian only when
the register names both its street (or village) and its post town; otherwise it stays Slovene.
"""
from __future__ import annotations

import pandas as pd

from geo import geocode
from geo.text import fold

_NO_STREETS = pd.DataFrame({"name_sl": pd.Series(dtype=object), "name_it": pd.Series(dtype=object),
                            "municipality": pd.Series(dtype=object)})

#: Post codes of Ankaran (its streets are looked up there first; all others in Koper).
ANKARAN_POSTCODES = ("6280",)


class _Names:
    """The register tables with ``name_sl`` folded once, for many addresses in a row."""

    def __init__(self, streets: pd.DataFrame, settlements: pd.DataFrame):
        self.streets, self.settlements = streets, settlements
        self.register = geocode.Register.from_tables(settlements, streets)
        self._folded = {id(t): t["name_sl"].map(fold) for t in (streets, settlements, _NO_STREETS)}

    def italian_place(self, name: str, tables: tuple[pd.DataFrame, ...], municipality: str) -> str | None:
        """The Italian name of a street or village called ``name`` (preferring ``municipality``)."""
        wanted = fold(name)
        for table in tables:
            hits = table[self._folded[id(table)] == wanted]
            if hits.empty:
                continue
            local = hits[hits["municipality"] == municipality]
            row = (local if not local.empty else hits).iloc[0]
            return row["name_it"] or None
        return None

    def italian_address(self, address: str) -> str:
        canonical = self.register.canonical_address(address)
        street_part, _, post_part = canonical.partition(", ")
        postcode, _, post_name = post_part.partition(" ")
        if not street_part or not post_name:
            return ""
        municipality = "Ankaran" if postcode in ANKARAN_POSTCODES else "Koper"
        name, number = geocode.split_house_number(street_part)
        street_it = self.italian_place(name, (self.streets, self.settlements), municipality)
        town_it = self.italian_place(post_name, (_NO_STREETS, self.settlements), municipality)
        if not street_it or not town_it:
            return ""
        return f"{street_it} {number}, {postcode} {town_it}" if number else f"{street_it}, {postcode} {town_it}"


def italian_address(address: str, streets: pd.DataFrame, settlements: pd.DataFrame) -> str:
    """``address`` with the register's Italian names, or '' when the register has none for it.

    Indexes the register on every call; for many addresses use ``italian_addresses``.
    """
    return _Names(streets, settlements).italian_address(address)


def italian_addresses(addresses: list[str], streets: pd.DataFrame, settlements: pd.DataFrame) -> dict[str, str]:
    """address → Italian form ('' where the register has no Italian name); the register indexed once."""
    names = _Names(streets, settlements)
    return {a: names.italian_address(a) for a in dict.fromkeys(addresses) if a}

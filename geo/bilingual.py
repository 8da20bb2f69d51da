"""Addresses in Italian: the official Italian street and settlement names from the register.

Koper is officially bilingual; its register gives many streets and settlements an Italian name
(Krožna cesta → Strada Circolare, Koper → Capodistria). An address is shown in Italian only when
the register names both its street (or village) and its post town; otherwise it stays Slovene.
"""
from __future__ import annotations

import pandas as pd

from geo import geocode

_NO_STREETS = pd.DataFrame({"name_sl": pd.Series(dtype=object), "name_it": pd.Series(dtype=object),
                            "municipality": pd.Series(dtype=object)})

#: Post codes of Ankaran (its streets are looked up there first; all others in Koper).
ANKARAN_POSTCODES = ("6280",)


def _by_name(table: pd.DataFrame, name: str) -> pd.DataFrame:
    return table[_folded_names(table) == geocode.fold(name)]


_folded_memo: list[tuple[pd.DataFrame, pd.Series]] = []


def _folded_names(table: pd.DataFrame) -> pd.Series:
    """``name_sl`` folded, computed once per (read-only) table instead of once per address."""
    for memo_table, folded in _folded_memo:
        if memo_table is table:
            return folded
    folded = table["name_sl"].map(geocode.fold)
    _folded_memo.insert(0, (table, folded))
    del _folded_memo[4:]
    return folded


def _italian_place(name: str, streets: pd.DataFrame, settlements: pd.DataFrame, municipality: str) -> str | None:
    """The Italian name of a street or village called ``name`` (preferring ``municipality``)."""
    for table in (streets, settlements):
        hits = _by_name(table, name)
        if hits.empty:
            continue
        local = hits[hits["municipality"] == municipality]
        row = (local if not local.empty else hits).iloc[0]
        return row["name_it"] or None
    return None


def italian_address(address: str, streets: pd.DataFrame, settlements: pd.DataFrame) -> str:
    """``address`` with the register's Italian names, or '' when the register has none for it."""
    canonical = geocode.canonical_address(address, streets, settlements)
    street_part, _, post_part = canonical.partition(", ")
    postcode, _, post_name = post_part.partition(" ")
    if not street_part or not post_name:
        return ""
    municipality = "Ankaran" if postcode in ANKARAN_POSTCODES else "Koper"
    name, number = geocode.split_house_number(street_part)
    street_it = _italian_place(name, streets, settlements, municipality)
    town_it = _italian_place(post_name, _NO_STREETS, settlements, municipality)
    if not street_it or not town_it:
        return ""
    return f"{street_it} {number}, {postcode} {town_it}" if number else f"{street_it}, {postcode} {town_it}"


def italian_addresses(addresses: list[str], streets: pd.DataFrame, settlements: pd.DataFrame) -> dict[str, str]:
    """address → Italian form ('' where the register has no Italian name)."""
    return {a: italian_address(a, streets, settlements) for a in dict.fromkeys(addresses) if a}

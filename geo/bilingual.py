"""Addresses in Italian: the official Italian street and settlement names from the register.

Koper is officially bilingual; its register gives many streets and settlements an Italian name
(Krožna cesta → Strada Circolare, Koper → Capodistria). An address is shown in Italian only when
the register names both its street (or village) and its post town; otherwise it stays Slovene.
"""
from __future__ import annotations

import re

import pandas as pd

from geo import geocode
from geo.text import fold

_NO_STREETS = pd.DataFrame({"name_sl": pd.Series(dtype=object), "name_it": pd.Series(dtype=object),
                            "municipality": pd.Series(dtype=object)})

#: Post codes of Ankaran (its streets are looked up there first; all others in Koper).
ANKARAN_POSTCODES = ("6280",)
#: Generic words of a Slovene street name, left out of its short form ("Krpanova 13").
_GENERIC_STREET_WORDS = frozenset({"ulica", "cesta", "trg", "pot", "nabrežje", "vrt"})
#: The source's own words quoted in «…» may keep their Slovene form.
_QUOTED = re.compile(r"«[^»]*»")


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


class SloveneStreetCheck:
    """Finds Slovene street names in an Italian text where the register has an Italian name (issue 13).

    ``streets`` is the register's streets table (``name_sl``, ``name_it``). A street is found by its
    full Slovene name (any case, any spacing, "-" or "–" between hyphenated words) and by its short
    form before a house number ("Krpanova 13" for Krpanova ulica 13). Text in «…» (the source
    quoted) is not checked.
    """

    def __init__(self, streets: pd.DataFrame):
        self.patterns: list[tuple[re.Pattern, str, str]] = []
        for slovene, italian in zip(streets["name_sl"].astype(str), streets["name_it"].fillna("").astype(str)):
            slovene, italian = slovene.strip(), italian.strip()
            if not italian or italian == slovene:
                continue
            words = slovene.split()
            spaced = [r"\s*[-–]\s*".join(re.escape(part) for part in w.split("-")) for w in words]
            forms = [r"\s+".join(spaced)]
            short = [form for form, w in zip(spaced, words) if w.lower() not in _GENERIC_STREET_WORDS]
            if short and len(short) < len(words):
                forms.append(r"\s+".join(short) + r"(?=\s+\d)")
            pattern = re.compile(r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)", re.IGNORECASE)
            self.patterns.append((pattern, slovene, italian))

    def find(self, text: str) -> list[tuple[str, str]]:
        """(Slovene name, register's Italian name) of every such street named in ``text``."""
        bare = _QUOTED.sub(" ", str(text or ""))
        return [(slovene, italian) for pattern, slovene, italian in self.patterns if pattern.search(bare)]

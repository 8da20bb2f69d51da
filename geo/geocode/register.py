"""The register of settlements and streets (GURS RPE) as an address matcher.

``Register.from_tables(settlements, streets)`` indexes the two tables once (words and stems of
every name); its methods then place a query at a settlement centroid (``resolve``) and give the
canonical spelling of an address (``canonical_address``) that the manual file, the cache and
Nominatim are keyed by. Build one Register per pair of tables and reuse it: the module functions
of the same names build a fresh index on every call. ``names_place_outside`` tells a query that
names a town or postcode outside Koper and Ankaran. (Over ~400 lines: that check matches parts with
the same indexes as the placing, so it stays beside it.)
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.geocode.address import (
    LEADING_CODE,
    OTHER_AREA_POSTCODES,
    POST_NAME_SPLIT,
    POSTCODES,
    TOWN_QUARTERS,
    ParsedQuery,
    Words,
    agree,
    parse_query,
    split_house_number,
    tokens,
    trailing_parts,
    variants,
)
from geo.geocode.result import AMBIGUOUS, SOURCE_REGISTER, STREET_NOT_FOUND, GeocodeResult, Note, english
from geo.text import fold

#: When a street name exists in several settlements and the query names none, this one wins.
DEFAULT_SETTLEMENT = "Koper"


@dataclass(frozen=True)
class Settlement:
    settlement_id: str
    name_sl: str
    name_it: str
    municipality: str
    lat: float
    lon: float
    names: tuple[Words, ...]


@dataclass(frozen=True)
class Street:
    street_id: str
    name_sl: str
    name_it: str
    settlement: Settlement
    municipality: str
    names: tuple[Words, ...]


def _text(value: object) -> str:
    """A cell as stripped text; None and NaN (pandas' empty cell) become ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _municipality_key(value: object, fallback: str = "") -> str:
    """Reduce a municipality name or RPE id to 'koper' or 'ankaran', so either column style works."""
    text = fold(_text(value))
    if "ankaran" in text or text == "24063526":
        return "ankaran"
    if "koper" in text or text == "11027776":
        return "koper"
    return text or fallback


def _names(*values: object) -> tuple[Words, ...]:
    """Words of the non-empty names (Slovene, Italian)."""
    return tuple(Words.of(_text(v)) for v in values if _text(v))


def _placeholder_settlements(streets: pd.DataFrame) -> pd.DataFrame:
    """Placeholder settlements so street matching works without the settlements table."""
    ids = sorted({str(v).strip() for v in streets.get("settlement_id", pd.Series(dtype=str))})
    return pd.DataFrame(
        {"settlement_id": ids, "name_sl": ids, "name_it": "", "municipality": "", "lat": 0.0, "lon": 0.0}
    )


def _by_key(items: tuple[Any, ...], keys_of: Callable[[Words], Iterable[Any]]) -> dict[Any, tuple[int, ...]]:
    """key → positions (ascending) of the items having a name with that key, e.g. a stem of its first word."""
    index: dict[Any, list[int]] = {}
    for position, item in enumerate(items):
        for key in {k for name in item.names for k in keys_of(name)}:
            index.setdefault(key, []).append(position)
    return {key: tuple(positions) for key, positions in index.items()}


def _first_stems(words: tuple[frozenset[str], ...]) -> frozenset[str]:
    return words[0] if words else frozenset()


@dataclass(frozen=True)
class Register:
    """Settlements and streets indexed for matching; immutable, safe to share between threads.

    Besides the places themselves it keeps inverted indexes (whole name, stems of the first word,
    stems of the first distinctive word → positions), so a query compares itself with the few
    names that can match instead of all of them.
    """

    settlements: tuple[Settlement, ...]
    streets: tuple[Street, ...]
    #: False when built without the settlements table (streets only, placeholder settlements).
    has_settlements: bool = True
    _streets_by_tokens: dict = field(init=False, repr=False, compare=False)
    _streets_by_stem: dict = field(init=False, repr=False, compare=False)
    _streets_by_core_stem: dict = field(init=False, repr=False, compare=False)
    _settlements_by_tokens: dict = field(init=False, repr=False, compare=False)
    _settlements_by_stem: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        indexes = {
            "_streets_by_tokens": _by_key(self.streets, lambda n: [n.tokens]),
            "_streets_by_stem": _by_key(self.streets, lambda n: _first_stems(n.stems)),
            "_streets_by_core_stem": _by_key(self.streets, lambda n: _first_stems(n.core_stems)),
            "_settlements_by_tokens": _by_key(self.settlements, lambda n: [n.tokens]),
            "_settlements_by_stem": _by_key(self.settlements, lambda n: _first_stems(n.stems)),
        }
        for name, index in indexes.items():
            object.__setattr__(self, name, index)

    @staticmethod
    def _candidates(items: tuple[Any, ...], index: dict, keys: Iterable[Any]) -> list[Any]:
        """The items filed under any of ``keys``, in their original order."""
        positions = sorted({p for key in keys for p in index.get(key, ())})
        return [items[p] for p in positions]

    @classmethod
    def from_tables(cls, settlements: pd.DataFrame | None, streets: pd.DataFrame) -> Register:
        """Index the register tables; streets whose settlement is unknown are left out.

        ``settlements`` has settlement_id, name_sl, name_it, municipality, lat, lon (floats);
        ``streets`` has street_id, name_sl, name_it, settlement_id, municipality. With
        ``settlements=None`` only street names are matched (no villages, no centroids).
        """
        has_settlements = settlements is not None
        if settlements is None:
            settlements = _placeholder_settlements(streets)
        by_id: dict[str, Settlement] = {}
        for row in settlements.to_dict("records"):
            sid = _text(row["settlement_id"])
            by_id[sid] = Settlement(
                settlement_id=sid,
                name_sl=_text(row["name_sl"]),
                name_it=_text(row.get("name_it")),
                municipality=_municipality_key(row.get("municipality")),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                names=_names(row["name_sl"], row.get("name_it")),
            )
        street_list = []
        for row in streets.to_dict("records"):
            settlement = by_id.get(_text(row["settlement_id"]))
            if settlement is None:
                continue
            street_list.append(
                Street(
                    street_id=_text(row["street_id"]),
                    name_sl=_text(row["name_sl"]),
                    name_it=_text(row.get("name_it")),
                    settlement=settlement,
                    municipality=_municipality_key(row.get("municipality"), settlement.municipality),
                    names=_names(row["name_sl"], row.get("name_it")),
                )
            )
        return cls(tuple(by_id.values()), tuple(street_list), has_settlements)

    # -- matching names ------------------------------------------------------------------------

    def match_streets(self, name: str) -> list[Street]:
        """Streets called ``name``: exact, then inflected, then without the generic word."""
        found = variants(name)
        for level in (self._exact, self._inflected, self._distinctive):
            for variant in found:
                hits = level(variant)
                if hits:
                    return hits
        return []

    def _exact(self, query: Words) -> list[Street]:
        return _one_name(self._candidates(self.streets, self._streets_by_tokens, [query.tokens]))

    def _inflected(self, query: Words) -> list[Street]:
        pool = self._candidates(self.streets, self._streets_by_stem, _first_stems(query.stems))
        return _one_name([s for s in pool if any(agree(query.stems, n.stems) for n in s.names)])

    def _distinctive(self, query: Words) -> list[Street]:
        if not query.core:
            return []
        pool = self._candidates(self.streets, self._streets_by_core_stem, _first_stems(query.core_stems))
        hits = [s for s in pool if any(agree(query.core_stems, n.core_stems) for n in s.names)]
        if len({s.name_sl for s in hits}) > 1 and len(query.core) == len(query.tokens):
            # No generic word given ("Sončna 5"): Slovene shorthand drops "ulica", so prefer it.
            hits = [s for s in hits if s.names[0].tokens[-1:] == ("ulica",)]
        return _one_name(hits)

    def match_settlements(self, name: str) -> list[Settlement]:
        """Settlements called ``name`` (Slovene or Italian, "v Kopru" too), exact before inflected."""
        if not self.has_settlements:
            return []
        found = variants(name)
        for variant in found:
            exact = self._candidates(self.settlements, self._settlements_by_tokens, [variant.tokens])
            if exact:
                return exact
        for variant in found:
            pool = self._candidates(self.settlements, self._settlements_by_stem, _first_stems(variant.stems))
            inflected = [s for s in pool if any(agree(variant.stems, n.stems) for n in s.names)]
            if inflected:
                return inflected
        return []

    # -- placing and normalising addresses -----------------------------------------------------

    def names_place_outside(self, query: str) -> bool:
        """True when the query names a postcode or town outside Koper and Ankaran.

        "Piazza Tito 1, Trieste", "Ljubljanska cesta 1, 1000 Ljubljana": a postcode that is not one
        of the area's post offices, or a part after the address (``trailing_parts``) that is none of
        the register's settlements or streets, the post offices or TOWN_QUARTERS (Slovene or Italian,
        accent-blind, "v Kopru" and "Koper – Capodistria" too). Parts holding other digits ("2.
        nadstropje") are not taken for a town. Without the settlements table nothing is refused.
        """
        if not self.has_settlements:
            return False
        parsed = parse_query(query)
        if parsed.postcode is not None and parsed.postcode not in {*POSTCODES, *OTHER_AREA_POSTCODES}:
            return True
        return not all(self._is_local_place(part) for part in trailing_parts(parsed.places))

    def _is_local_place(self, part: str) -> bool:
        """A place part that may be in Koper or Ankaran (a known name, or not a place name at all)."""
        name = LEADING_CODE.sub("", part).strip()
        if not name or any(ch.isdigit() for ch in name):
            return True
        pieces = [name, *(p.strip() for p in POST_NAME_SPLIT.split(name) if p.strip())]
        # Any word may be a town ("Koper center", "občina Ankaran"); a quarter only as the whole part.
        towns = {" ".join(tokens(n)) for n in POSTCODES.values()}
        towns |= {" ".join(n.tokens) for s in self.settlements for n in s.names}
        quarters = {" ".join(tokens(n)) for n in TOWN_QUARTERS}
        for piece in pieces:
            words = tokens(piece)
            if " ".join(words) in quarters or any(word in towns for word in words):
                return True
            if self.match_settlements(piece) or self.match_streets(piece):
                return True
        return False

    def resolve(self, query: str) -> GeocodeResult | None:
        """Place a query at a settlement centroid (precision "settlement", source gurs-rpe), or None.

        None too when the query names a place outside Koper and Ankaran (``names_place_outside``):
        "Ljubljanska cesta 1, Ljubljana" is not Ljubljanska cesta in Koper.
        """
        if self.names_place_outside(query):
            return None
        parsed = parse_query(query)
        hinted, hinted_municipalities = self._hints(parsed)
        hinted_ids = {s.settlement_id for s in hinted}

        for part in _address_parts_first(parsed.places):
            name, _number = split_house_number(part)
            streets_found = self.match_streets(name)
            places_found = self.match_settlements(name)
            if streets_found and places_found and not any(s.settlement.settlement_id in hinted_ids for s in streets_found):
                # "Dvori 5": a village address, unless the query names the settlement the street is in.
                streets_found = []
            if streets_found:
                street, notes = _pick(streets_found, hinted_ids, hinted_municipalities, streets_found[0].name_sl)
                place = street.settlement
                return _settlement_result(
                    place, notes,
                    label=f"{street.name_sl}, {place.name_sl} (settlement centroid; the register has no street geometry)",
                )
            if places_found:
                place, notes = _pick(places_found, hinted_ids, hinted_municipalities, places_found[0].name_sl)
                return _settlement_result(place, notes)

        if hinted:
            place, notes = _pick(hinted, hinted_ids, hinted_municipalities, hinted[0].name_sl)
            if parsed.places:
                notes = (Note.of(STREET_NOT_FOUND), *notes)
            return _settlement_result(place, notes)
        return None

    def _hints(self, parsed: ParsedQuery) -> tuple[list[Settlement], set[str]]:
        """Settlements the query names (post name, a lone settlement part) and their municipalities."""
        hinted: list[Settlement] = []
        for name in parsed.post_names:
            hinted.extend(s for s in self.match_settlements(name) if s not in hinted)
        for part in parsed.places:
            name, number = split_house_number(part)
            if number is None:
                hinted.extend(s for s in self.match_settlements(name) if s not in hinted)
        return hinted, {s.municipality for s in hinted}

    def normalise_street_address(self, raw: str) -> str:
        """Official register spelling of "<street> <number>" ("na Levji ulici 7" → "Levja ulica 7").

        Returns the input unchanged when no single street name matches; the caller flags it.
        """
        name, number = split_house_number(raw)
        hits = self.match_streets(name)
        if not hits:
            return raw
        official = hits[0].name_sl
        return f"{official} {number}" if number else official

    def canonical_address(self, raw: str) -> str:
        """The normalised form used as a key: "<official street> <number>, <postcode> <post name>".

        Organisation names before the street are dropped once a street (or, when the register has
        its settlements, a village) is recognised; the Italian half of a bilingual post name is
        dropped; house numbers are written "58 A" however they were typed ("58/a", "58-a", "58a").
        """
        parsed = parse_query(raw)
        address_part = None
        for part in _address_parts_first(parsed.places):
            name, number = split_house_number(part)
            hits = self.match_streets(name)
            if not hits and self.has_settlements:
                places = self.match_settlements(name)
                if len(places) == 1:
                    address_part = f"{places[0].name_sl} {number}" if number else places[0].name_sl
                    break
            if hits:
                address_part = f"{hits[0].name_sl} {number}" if number else hits[0].name_sl
                break
        if address_part is None:
            cleaned = []
            for part in parsed.places:
                name, number = split_house_number(part)
                cleaned.append(f"{name} {number}" if number else name)
            address_part = ", ".join(cleaned)
        pieces = [address_part] if address_part else []
        if parsed.postcode:
            # The Slovene post name: from the table, else the part before " – " of what was written.
            written = POST_NAME_SPLIT.split(parsed.post_names[0])[0] if parsed.post_names else ""
            post_name = POSTCODES.get(parsed.postcode) or written
            pieces.append(f"{parsed.postcode} {post_name}".strip())
        return ", ".join(pieces)

    def address_key(self, raw: str) -> str:
        """Folded canonical address: two spellings of one address give the same key."""
        return fold(self.canonical_address(raw))


def _one_name(streets: list[Street]) -> list[Street]:
    """Keep the hits only when they are one street name (possibly in several settlements)."""
    return streets if len({s.name_sl for s in streets}) == 1 else []


def _pick(candidates: list[Any], hinted: set[str], hinted_municipalities: set[str],
          what: str) -> tuple[Any, tuple[Note, ...]]:
    """Choose among same-named places: the one the query names, else the Koper one, with a note."""
    def settlement_of(c: Any) -> Settlement:
        return c.settlement if isinstance(c, Street) else c

    if len(candidates) == 1:
        return candidates[0], ()
    named = [c for c in candidates if settlement_of(c).settlement_id in hinted]
    if len(named) == 1:
        return named[0], ()
    in_municipality = [c for c in candidates if c.municipality in hinted_municipalities]
    if len(in_municipality) == 1:
        return in_municipality[0], ()
    pool = named or in_municipality or candidates
    default = fold(DEFAULT_SETTLEMENT)
    ranked = sorted(
        pool,
        key=lambda c: (
            fold(settlement_of(c).name_sl) != default,
            c.municipality != default,
            fold(settlement_of(c).name_sl),
        ),
    )
    chosen = ranked[0]
    places = ", ".join(sorted({settlement_of(c).name_sl for c in candidates}))
    return chosen, (Note.of(AMBIGUOUS, name=what, places=places, chosen=settlement_of(chosen).name_sl),)


def _address_parts_first(places: tuple[str, ...]) -> list[str]:
    """Parts with a house number first, each group from the end ("Organisation, Street 5, Village")."""
    numbered = [p for p in reversed(places) if split_house_number(p)[1] is not None]
    return numbered + [p for p in reversed(places) if p not in numbered]


def _settlement_result(place: Settlement, notes: tuple[Note, ...], label: str | None = None) -> GeocodeResult:
    """A settlement centroid as a result (``label`` defaults to the settlement's name)."""
    return GeocodeResult(
        lat=place.lat,
        lon=place.lon,
        precision="settlement",
        source=SOURCE_REGISTER,
        label=label or f"{place.name_sl} (settlement centroid)",
        retrieved_on=None,
        note=english(notes),
        notes=notes,
    )


# One-off conveniences over tables; each builds the index, so for many addresses build a Register.


def resolve_in_register(query: str, settlements: pd.DataFrame, streets: pd.DataFrame) -> GeocodeResult | None:
    """``Register.from_tables(settlements, streets).resolve(query)``."""
    return Register.from_tables(settlements, streets).resolve(query)


def normalise_street_address(raw: str, streets: pd.DataFrame) -> str:
    """``Register.from_tables(None, streets).normalise_street_address(raw)``."""
    return Register.from_tables(None, streets).normalise_street_address(raw)


def canonical_address(raw: str, streets: pd.DataFrame, settlements: pd.DataFrame | None = None) -> str:
    """``Register.from_tables(settlements, streets).canonical_address(raw)`` (streets only without settlements)."""
    return Register.from_tables(settlements, streets).canonical_address(raw)


def address_key(raw: str, streets: pd.DataFrame, settlements: pd.DataFrame | None = None) -> str:
    """Folded canonical address: two spellings of one address give the same key."""
    return fold(canonical_address(raw, streets, settlements))

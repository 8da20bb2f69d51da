"""Geocoding of service and citizen addresses: manual file → cache → Nominatim (optional) → register.

Offline (the default) everything comes from files in the data directory; online, Nominatim is asked
through ``geo._nominatim`` and any failure falls back to the register with a note. Addresses typed by
citizens are never written to disk or to logs: only ``store=True`` writes, and log lines carry
failure categories, never the query.

Command line::

    python -m geo.geocode refresh [--only-missing] [--address A ...] [--from-csv FILE]
    python -m geo.geocode lookup "Krožna cesta 5, 6000 Koper" [--online]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import logging
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
from geopy import exc as geopy_exc

# Imported for its side effect too: it installs the log filters that keep addresses out of geopy's logs.
from geo import _nominatim, atomic, settings
from geo.errors import DataFileError, DataValidationError, KoperMapError, Problem

logger = logging.getLogger(__name__)

#: How exactly a point places an address, best first.
PRECISIONS = ("manual", "address", "street", "settlement")

MANUAL_COLUMNS = ("address", "lat", "lon", "area_id", "accuracy_m", "method", "placed_on", "note")
CACHE_COLUMNS = ("query", "lat", "lon", "precision", "source", "retrieved_on", "display_name")
SETTLEMENT_COLUMNS = ("settlement_id", "name_sl", "name_it", "municipality", "area_id", "lon", "lat")
STREET_COLUMNS = ("street_id", "name_sl", "name_it", "settlement_id", "municipality")

#: Source names written to GeocodeResult.source and the cache.
SOURCE_MANUAL = "manual"
SOURCE_NOMINATIM = "nominatim"
SOURCE_REGISTER = "gurs-rpe"

#: Post offices serving Koper and Ankaran (shared/reference/rpe/postal_districts.csv), Slovene names.
POSTCODES = {
    "6000": "Koper",
    "6271": "Dekani",
    "6272": "Gračišče",
    "6273": "Marezige",
    "6274": "Šmarje",
    "6275": "Črni Kal",
    "6276": "Pobegi",
    "6280": "Ankaran",
    "6281": "Škofije",
}

#: When a street name exists in several settlements and the query names none, this one wins.
DEFAULT_SETTLEMENT = "Koper"

# Generic words of street names: a source may drop them ("Krpanova 13") or use another one
# ("Kolodvorski ulici" for Kolodvorska cesta), so the distinctive words decide.
_GENERIC_WORDS = frozenset(
    {"ulica", "cesta", "pot", "trg", "nabrezje", "naselje", "reber",
     "via", "strada", "calle", "vicolo", "piazza", "piazzale", "riva", "salita", "largo"}
)
# A leading preposition from running text ("na Levji ulici"); stripped only when the rest matches.
_PREPOSITIONS = frozenset({"na", "v", "pri", "ob"})
# Slovene case endings, longest first; stripping them compares "Levji ulici" with "Levja ulica".
_CASE_ENDINGS = ("ici", "ica", "ega", "emu", "em", "ih", "im", "om", "a", "e", "i", "o", "u")
_MIN_STEM = 3
_COUNTRY_WORDS = frozenset({"slovenija", "slovenia", "si", "slo"})
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212-"
_POST_NAME_SPLIT = re.compile(r"\s+[\u2010-\u2015\u2212-]\s+|\s*[\u2013\u2014]\s*")
_POSTCODE_PART = re.compile(r"^(?:SI-?)?(\d{4})(?:\s+(\D.*))?$", re.IGNORECASE)
_TRAILING_POSTCODE = re.compile(r"^(.*\S)\s+(\d{4})\s+(\D+)$")
_HOUSE_NUMBER = re.compile(r"^(.*?\S)[\s,]+(\d{1,4})\s*([A-Za-z])?$|^(.*?[^\W\d])(\d{1,4})([A-Za-z])?$")


@dataclass(frozen=True)
class GeocodeResult:
    """Where an address was placed, how exactly, and from which source."""

    lat: float
    lon: float
    precision: str
    source: str
    label: str
    retrieved_on: str | None
    note: str = ""
    #: Estimated error radius of a hand-placed point, in metres (None when not stated).
    accuracy_m: int | None = None


@dataclass(frozen=True)
class GeocodeSources:
    """The four tables geocoding reads; load once (``load_sources``) and pass to ``geocode``."""

    manual: pd.DataFrame
    cache: pd.DataFrame
    settlements: pd.DataFrame
    streets: pd.DataFrame


# ---------------------------------------------------------------------------------------------
# Text normalisation


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for matching ("Čajanke" → "cajanke")."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    bare = re.sub(f"\\s*[{_DASHES}]\\s*", "-", bare)
    return " ".join(bare.split())


@functools.lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """Folded words of a name; periods dropped so "Sv. Anton" and "Sv Anton" agree."""
    words = fold(text).replace(".", " ").replace(",", " ").split()
    return tuple("sv" if word == "sveti" else word for word in words)


@functools.lru_cache(maxsize=8192)
def _stems(token: str) -> frozenset[str]:
    """The token with one case ending removed, and without a fleeting e (Koper → Kopr-u)."""
    forms = {token}
    for ending in _CASE_ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= _MIN_STEM:
            forms.add(token[: -len(ending)])
            break
    fleeting = re.fullmatch(r"(.{2,})e([lrnmkvc])", token)
    if fleeting:
        forms.add(fleeting.group(1) + fleeting.group(2))
    return frozenset(forms)


def _tokens_agree(query: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Same number of words and each pair shares a stem."""
    return len(query) == len(name) and all(_stems(q) & _stems(n) for q, n in zip(query, name))


#: Stems of the generic words, so "ulici" and "cesti" count as generic too.
_GENERIC_STEMS = frozenset().union(*(_stems(word) for word in _GENERIC_WORDS))


def _variants(name: str) -> list[tuple[str, ...]]:
    """The name's tokens, and without a leading preposition ("na Levji ulici") when there is one."""
    query = _tokens(name)
    if not query:
        return []
    variants = [query]
    if len(query) > 1 and query[0] in _PREPOSITIONS:
        variants.append(query[1:])
    return variants


def _core(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The distinctive words of a street name (generic words such as "ulica" removed)."""
    return tuple(t for t in tokens if t not in _GENERIC_WORDS and _stems(t).isdisjoint(_GENERIC_STEMS))



def split_house_number(text: str) -> tuple[str, str | None]:
    """Split "Dolinska cesta 58a" into ("Dolinska cesta", "58 A"); no number → (text, None)."""
    cleaned = " ".join(str(text).split()).strip(" ,")
    match = _HOUSE_NUMBER.match(cleaned)
    if not match:
        return cleaned, None
    name, number, letter = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (
        match.group(4), match.group(5), match.group(6))
    house = number.lstrip("0") or "0"
    return name.strip(" ,"), f"{house} {letter.upper()}" if letter else house


@dataclass(frozen=True)
class _ParsedQuery:
    """A query cut into place parts (street, village, organisation) and its postcode part."""

    places: tuple[str, ...]
    postcode: str | None
    post_names: tuple[str, ...]


def _parse_query(raw: str) -> _ParsedQuery:
    """Find the "<postcode> <post name>" part and the other comma-separated parts."""
    text = " ".join(str(raw).split())
    parts = [p.strip() for p in text.split(",") if p.strip()]
    while parts and fold(parts[-1]) in _COUNTRY_WORDS:
        parts.pop()
    postcode, post_text = None, ""
    for i in range(len(parts) - 1, -1, -1):
        match = _POSTCODE_PART.match(parts[i])
        if match:
            postcode, post_text = match.group(1), (match.group(2) or "").strip()
            del parts[i]
            break
    if postcode is None and parts:
        # "Levja ulica 7 6000 Koper" without a comma.
        match = _TRAILING_POSTCODE.match(parts[-1])
        if match and re.search(r"\d", match.group(1)):
            parts[-1], postcode, post_text = match.group(1), match.group(2), match.group(3).strip()
    post_names: list[str] = []
    if post_text:
        pieces = [p.strip() for p in _POST_NAME_SPLIT.split(post_text) if p.strip()]
        post_names = [post_text] + pieces if len(pieces) > 1 else pieces
    elif postcode in POSTCODES:
        post_names = [POSTCODES[postcode]]
    return _ParsedQuery(tuple(parts), postcode, tuple(post_names))


# ---------------------------------------------------------------------------------------------
# The register (settlements and streets) as a matcher


@dataclass(frozen=True)
class _Settlement:
    settlement_id: str
    name_sl: str
    name_it: str
    municipality: str
    lat: float
    lon: float
    names: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class _Street:
    street_id: str
    name_sl: str
    name_it: str
    settlement: _Settlement
    municipality: str
    names: tuple[tuple[str, ...], ...]


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


def _names(*values: object) -> tuple[tuple[str, ...], ...]:
    """Token tuples of the non-empty names (Slovene, Italian)."""
    return tuple(_tokens(_text(v)) for v in values if _text(v))


@dataclass(frozen=True)
class _Register:
    settlements: tuple[_Settlement, ...]
    streets: tuple[_Street, ...]

    @classmethod
    def build(cls, settlements: pd.DataFrame, streets: pd.DataFrame) -> _Register:
        """Index the register tables (memoised for the last pair of tables passed in)."""
        global _last_register
        memo = _last_register
        # Identity, not equality: the tables are treated as read-only, and holding them keeps ids unique.
        if memo is not None and memo[0] is settlements and memo[1] is streets:
            return memo[2]
        register = cls._index(settlements, streets)
        _last_register = (settlements, streets, register)
        return register

    @classmethod
    def _index(cls, settlements: pd.DataFrame, streets: pd.DataFrame) -> _Register:
        """Index the register tables; streets whose settlement is unknown are left out."""
        by_id: dict[str, _Settlement] = {}
        for row in settlements.to_dict("records"):
            sid = _text(row["settlement_id"])
            by_id[sid] = _Settlement(
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
                _Street(
                    street_id=_text(row["street_id"]),
                    name_sl=_text(row["name_sl"]),
                    name_it=_text(row.get("name_it")),
                    settlement=settlement,
                    municipality=_municipality_key(row.get("municipality"), settlement.municipality),
                    names=_names(row["name_sl"], row.get("name_it")),
                )
            )
        return cls(tuple(by_id.values()), tuple(street_list))

    def match_streets(self, name: str) -> list[_Street]:
        """Streets called ``name``: exact, then inflected, then without the generic word."""
        variants = _variants(name)
        for level in (self._exact, self._inflected, self._distinctive):
            for variant in variants:
                hits = level(variant)
                if hits:
                    return hits
        return []

    def _exact(self, query: tuple[str, ...]) -> list[_Street]:
        return _one_name([s for s in self.streets if query in s.names])

    def _inflected(self, query: tuple[str, ...]) -> list[_Street]:
        return _one_name([s for s in self.streets if any(_tokens_agree(query, n) for n in s.names)])

    def _distinctive(self, query: tuple[str, ...]) -> list[_Street]:
        core = _core(query)
        if not core:
            return []
        hits = [s for s in self.streets if any(_tokens_agree(core, _core(n)) for n in s.names)]
        if len({s.name_sl for s in hits}) > 1 and len(core) == len(query):
            # No generic word given ("Sončna 5"): Slovene shorthand drops "ulica", so prefer it.
            hits = [s for s in hits if _tokens(s.name_sl)[-1:] == ("ulica",)]
        return _one_name(hits)

    def match_settlements(self, name: str) -> list[_Settlement]:
        """Settlements called ``name`` (Slovene or Italian, "v Kopru" too), exact before inflected."""
        variants = _variants(name)
        for variant in variants:
            exact = [s for s in self.settlements if variant in s.names]
            if exact:
                return exact
        for variant in variants:
            inflected = [s for s in self.settlements if any(_tokens_agree(variant, n) for n in s.names)]
            if inflected:
                return inflected
        return []


_last_register: tuple[pd.DataFrame, pd.DataFrame, _Register] | None = None


def _one_name(streets: list[_Street]) -> list[_Street]:
    """Keep the hits only when they are one street name (possibly in several settlements)."""
    return streets if len({s.name_sl for s in streets}) == 1 else []


def _pick(candidates: list[Any], hinted: set[str], hinted_municipalities: set[str], what: str) -> tuple[Any, str]:
    """Choose among same-named places: the one the query names, else the Koper one, with a note."""
    def settlement_of(c: Any) -> _Settlement:
        return c.settlement if isinstance(c, _Street) else c

    if len(candidates) == 1:
        return candidates[0], ""
    named = [c for c in candidates if settlement_of(c).settlement_id in hinted]
    if len(named) == 1:
        return named[0], ""
    in_municipality = [c for c in candidates if c.municipality in hinted_municipalities]
    if len(in_municipality) == 1:
        return in_municipality[0], ""
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
    note = (
        f"{what} exists in several settlements ({places}); placed in {settlement_of(chosen).name_sl}. "
        "Add the postcode or settlement to choose another."
    )
    return chosen, note


def _hints(parsed: _ParsedQuery, register: _Register) -> tuple[list[_Settlement], set[str]]:
    """Settlements the query names (post name, a lone settlement part) and their municipalities."""
    hinted: list[_Settlement] = []
    for name in parsed.post_names:
        hinted.extend(s for s in register.match_settlements(name) if s not in hinted)
    for part in parsed.places:
        name, number = split_house_number(part)
        if number is None:
            hinted.extend(s for s in register.match_settlements(name) if s not in hinted)
    return hinted, {s.municipality for s in hinted}


def _address_parts_first(places: tuple[str, ...]) -> list[str]:
    """Parts with a house number first, each group from the end ("Organisation, Street 5, Village")."""
    numbered = [p for p in reversed(places) if split_house_number(p)[1] is not None]
    return numbered + [p for p in reversed(places) if p not in numbered]


def resolve_in_register(query: str, settlements: pd.DataFrame, streets: pd.DataFrame) -> GeocodeResult | None:
    """Place a query at a settlement centroid using the street and settlement register, or None."""
    parsed = _parse_query(query)
    register = _Register.build(settlements, streets)
    hinted, hinted_municipalities = _hints(parsed, register)
    hinted_ids = {s.settlement_id for s in hinted}

    for part in _address_parts_first(parsed.places):
        name, _number = split_house_number(part)
        streets_found = register.match_streets(name)
        places_found = register.match_settlements(name)
        if streets_found and places_found and not any(s.settlement.settlement_id in hinted_ids for s in streets_found):
            # "Dvori 5": a village address, unless the query names the settlement the street is in.
            streets_found = []
        if streets_found:
            street, note = _pick(streets_found, hinted_ids, hinted_municipalities, streets_found[0].name_sl)
            place = street.settlement
            return GeocodeResult(
                lat=place.lat,
                lon=place.lon,
                precision="settlement",
                source=SOURCE_REGISTER,
                label=f"{street.name_sl}, {place.name_sl} (settlement centroid; the register has no street geometry)",
                retrieved_on=None,
                note=note,
            )
        if places_found:
            place, note = _pick(places_found, hinted_ids, hinted_municipalities, places_found[0].name_sl)
            return _settlement_result(place, note)

    if hinted:
        place, note = _pick(hinted, hinted_ids, hinted_municipalities, hinted[0].name_sl)
        if parsed.places:
            note = " ".join(filter(None, ["Street not found in the register; placed by the postcode.", note]))
        return _settlement_result(place, note)
    return None


def _settlement_result(place: _Settlement, note: str) -> GeocodeResult:
    """A settlement centroid as a result."""
    return GeocodeResult(
        lat=place.lat,
        lon=place.lon,
        precision="settlement",
        source=SOURCE_REGISTER,
        label=f"{place.name_sl} (settlement centroid)",
        retrieved_on=None,
        note=note,
    )


def normalise_street_address(raw: str, streets: pd.DataFrame) -> str:
    """Official register spelling of "<street> <number>" ("na Levji ulici 7" → "Levja ulica 7").

    Returns the input unchanged when no single street name matches; the caller flags it.
    """
    name, number = split_house_number(raw)
    hits = _Register.build(_settlements_for(streets), streets).match_streets(name)
    if not hits:
        return raw
    official = hits[0].name_sl
    return f"{official} {number}" if number else official


_last_placeholder: tuple[pd.DataFrame, pd.DataFrame] | None = None


def _settlements_for(streets: pd.DataFrame) -> pd.DataFrame:
    """Placeholder settlements so street matching works without the settlements table."""
    global _last_placeholder
    if _last_placeholder is not None and _last_placeholder[0] is streets:
        return _last_placeholder[1]
    ids = sorted({str(v).strip() for v in streets.get("settlement_id", pd.Series(dtype=str))})
    placeholder = pd.DataFrame(
        {"settlement_id": ids, "name_sl": ids, "name_it": "", "municipality": "", "lat": 0.0, "lon": 0.0}
    )
    _last_placeholder = (streets, placeholder)
    return placeholder


def canonical_address(raw: str, streets: pd.DataFrame, settlements: pd.DataFrame | None = None) -> str:
    """The normalised form used as a key: "<official street> <number>, <postcode> <post name>".

    Organisation names before the street are dropped once a street (or, with ``settlements``, a
    village) is recognised; the Italian half of a bilingual post name is dropped.
    """
    parsed = _parse_query(raw)
    register = _Register.build(settlements if settlements is not None else _settlements_for(streets), streets)
    address_part = None
    for part in _address_parts_first(parsed.places):
        name, number = split_house_number(part)
        hits = register.match_streets(name)
        if not hits and settlements is not None:
            places = register.match_settlements(name)
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
        written = _POST_NAME_SPLIT.split(parsed.post_names[0])[0] if parsed.post_names else ""
        post_name = POSTCODES.get(parsed.postcode) or written
        pieces.append(f"{parsed.postcode} {post_name}".strip())
    return ", ".join(pieces)


def address_key(raw: str, streets: pd.DataFrame, settlements: pd.DataFrame | None = None) -> str:
    """Folded canonical address: two spellings of one address give the same key."""
    return fold(canonical_address(raw, streets, settlements))


# ---------------------------------------------------------------------------------------------
# Files: reading, validating, writing atomically


def _data_path(data_dir: Path | str | None, name: str) -> Path:
    return (Path(data_dir) if data_dir is not None else settings.data_dir()) / name


#: Hidden column carrying each record's spreadsheet row number (the header is row 1).
_ROW = "_row"


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read every cell as text, with each record's spreadsheet row in ``_row``.

    Parsed with the csv module rather than pandas because pandas silently turns a file whose
    rows all carry one extra field (an unquoted "Street 5, 6000 Koper") into an index column.
    """
    file = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            try:
                records = list(reader)
            except csv.Error as exc:
                raise DataValidationError(
                    [Problem(file, reader.line_num, None, None, f"cannot be read as CSV ({exc}); check the quotes")]
                ) from None
    except UnicodeDecodeError as exc:
        raise DataValidationError([Problem(file, None, None, None, f"is not UTF-8 text ({exc.reason}); save it as UTF-8")]) from None
    if not records or not any(field.strip() for field in records[0]):
        raise DataValidationError([Problem(file, 1, None, None, f"has no header; the first line must be {','.join(columns)}")])
    header = [field.strip() for field in records[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataValidationError(
            [Problem(file, 1, c, None, f"column is missing; the header must be {','.join(columns)}") for c in missing]
        )
    problems: list[Problem] = []
    rows = []
    for number, fields in enumerate(records[1:], start=2):
        if not any(field.strip() for field in fields):
            continue  # blank lines are harmless
        if len(fields) != len(header):
            problems.append(
                Problem(file, number, None, None,
                        f"has {len(fields)} fields but the header has {len(header)}; "
                        'put values that contain commas in double quotes, e.g. "Krožna cesta 5, 6000 Koper"')
            )
            continue
        rows.append({**dict(zip(header, fields)), _ROW: number})
    if problems:
        raise DataValidationError(problems)
    return pd.DataFrame(rows, columns=[*header, _ROW]).astype({_ROW: int})


def _parse_coordinate(value: str, axis: str, file: str, row: int, problems: list[Problem]) -> float | None:
    """A latitude or longitude inside settings.KOPER_BBOX, or a Problem."""
    south, west, north, east = settings.KOPER_BBOX
    low, high = (south, north) if axis == "lat" else (west, east)
    try:
        number = float(str(value).strip())
    except ValueError:
        problems.append(Problem(file, row, axis, value, "is not a number; use a decimal point, e.g. 45.5465"))
        return None
    if not math.isfinite(number) or not low <= number <= high:
        problems.append(
            Problem(file, row, axis, value, f"is outside Koper and Ankaran ({low}–{high}); check lat/lon are not swapped")
        )
        return None
    return number


def _parse_iso_date(value: str, field: str, file: str, row: int, problems: list[Problem]) -> str | None:
    """An ISO date (YYYY-MM-DD) as text, or a Problem."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    problems.append(Problem(file, row, field, value, "is not an ISO date; write YYYY-MM-DD, e.g. 2026-11-23"))
    return None


def validate_manual_coordinates(frame: pd.DataFrame, file: str = settings.MANUAL_COORDINATES_FILE) -> pd.DataFrame:
    """Check hand-placed coordinates; every problem is reported at once as DataValidationError."""
    problems: list[Problem] = []
    rows = []
    first_row_of: dict[str, int] = {}
    for i, record in enumerate(frame.to_dict("records")):
        row = int(record.get(_ROW, i + 2))  # spreadsheet row: the header is row 1
        address = " ".join(str(record["address"]).split())
        if not address:
            problems.append(Problem(file, row, "address", "", "is empty; write e.g. 'Krožna cesta 5, 6000 Koper'"))
        else:
            key = fold(address)
            if key in first_row_of:
                problems.append(
                    Problem(file, row, "address", address, f"is a duplicate of row {first_row_of[key]}; keep one line per address")
                )
            else:
                first_row_of[key] = row
        lat = _parse_coordinate(record["lat"], "lat", file, row, problems)
        lon = _parse_coordinate(record["lon"], "lon", file, row, problems)
        accuracy_text = str(record["accuracy_m"]).strip()
        accuracy = int(accuracy_text) if re.fullmatch(r"\d+", accuracy_text) else 0
        if accuracy <= 0:
            problems.append(
                Problem(file, row, "accuracy_m", record["accuracy_m"], "must be a positive whole number of metres, e.g. 15")
            )
        placed_on = _parse_iso_date(record["placed_on"], "placed_on", file, row, problems)
        rows.append({**record, "address": address, "lat": lat, "lon": lon, "accuracy_m": accuracy, "placed_on": placed_on})
    if problems:
        raise DataValidationError(problems)
    result = pd.DataFrame(rows, columns=[c for c in frame.columns if c != _ROW])
    return result.astype({"lat": float, "lon": float, "accuracy_m": int}) if len(result) else _typed_empty(MANUAL_COLUMNS)


def validate_geocode_cache(frame: pd.DataFrame, file: str = settings.GEOCODE_CACHE_FILE) -> pd.DataFrame:
    """Check the geocode cache; every problem is reported at once as DataValidationError."""
    problems: list[Problem] = []
    rows = []
    first_row_of: dict[str, int] = {}
    for i, record in enumerate(frame.to_dict("records")):
        row = int(record.get(_ROW, i + 2))
        query = " ".join(str(record["query"]).split())
        if not query:
            problems.append(Problem(file, row, "query", "", "is empty"))
        elif fold(query) in first_row_of:
            problems.append(Problem(file, row, "query", query, f"is a duplicate of row {first_row_of[fold(query)]}"))
        else:
            first_row_of[fold(query)] = row
        lat = _parse_coordinate(record["lat"], "lat", file, row, problems)
        lon = _parse_coordinate(record["lon"], "lon", file, row, problems)
        precision = str(record["precision"]).strip()
        if precision not in PRECISIONS:
            problems.append(Problem(file, row, "precision", record["precision"], f"must be one of {', '.join(PRECISIONS)}"))
        if not str(record["source"]).strip():
            problems.append(Problem(file, row, "source", "", "is empty; e.g. nominatim, gurs-rpe, manual"))
        retrieved_on = _parse_iso_date(record["retrieved_on"], "retrieved_on", file, row, problems)
        rows.append({**record, "query": query, "lat": lat, "lon": lon, "precision": precision, "retrieved_on": retrieved_on})
    if problems:
        raise DataValidationError(problems)
    result = pd.DataFrame(rows, columns=[c for c in frame.columns if c != _ROW])
    return result.astype({"lat": float, "lon": float}) if len(result) else _typed_empty(CACHE_COLUMNS)


def _typed_empty(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty table with the given columns (lat/lon as floats)."""
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in columns})
    return frame.astype({"lat": float, "lon": float})


def load_manual_coordinates(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Validated ``manual_coordinates.csv``; a missing file means no hand-placed points."""
    path = _data_path(data_dir, settings.MANUAL_COORDINATES_FILE)
    if not path.is_file():
        return _typed_empty(MANUAL_COLUMNS)
    return validate_manual_coordinates(_read_csv(path, MANUAL_COLUMNS), path.name)


def load_geocode_cache(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Validated ``geocode_cache.csv``; a missing file is an empty cache."""
    path = _data_path(data_dir, settings.GEOCODE_CACHE_FILE)
    if not path.is_file():
        return _typed_empty(CACHE_COLUMNS)
    return validate_geocode_cache(_read_csv(path, CACHE_COLUMNS), path.name)


def load_register(data_dir: Path | str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``settlements.csv`` and ``streets.csv`` with centroids as floats; missing files are an error."""
    tables = []
    for name, columns in ((settings.SETTLEMENTS_FILE, SETTLEMENT_COLUMNS), (settings.STREETS_FILE, STREET_COLUMNS)):
        path = _data_path(data_dir, name)
        if not path.is_file():
            raise DataFileError(f"{path}: register file not found; build it with `make data` or set {settings.DATA_DIR_ENV}")
        tables.append(_read_csv(path, columns))
    settlements, streets = tables
    problems: list[Problem] = []
    for record in settlements.to_dict("records"):
        for axis in ("lat", "lon"):
            try:
                float(record[axis])
            except ValueError:
                problems.append(Problem(settings.SETTLEMENTS_FILE, record[_ROW], axis, record[axis], "is not a number"))
    if problems:
        raise DataValidationError(problems)
    return settlements.drop(columns=_ROW).astype({"lat": float, "lon": float}), streets.drop(columns=_ROW)


def load_sources(data_dir: Path | str | None = None) -> GeocodeSources:
    """Load the manual file, the cache and the register from the data directory."""
    settlements, streets = load_register(data_dir)
    return GeocodeSources(load_manual_coordinates(data_dir), load_geocode_cache(data_dir), settlements, streets)


def write_geocode_cache(cache: pd.DataFrame, data_dir: Path | str | None = None) -> Path:
    """Write the cache atomically, sorted by query so diffs stay small; returns the path."""
    path = _data_path(data_dir, settings.GEOCODE_CACHE_FILE)
    table = cache.reindex(columns=list(CACHE_COLUMNS)).fillna("")
    table = table.sort_values("query", key=lambda s: s.map(fold), kind="stable")
    atomic.write_text(path, table.to_csv(index=False, lineterminator="\n"))
    return path


def _upsert_cache_row(cache: pd.DataFrame, row: Mapping[str, object]) -> pd.DataFrame:
    """The cache with ``row`` added, replacing any row for the same (folded) query."""
    key = fold(str(row["query"]))
    kept = cache[cache["query"].map(fold) != key] if len(cache) else cache
    return pd.concat([kept, pd.DataFrame([dict(row)])], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Lookup in the manual file and the cache


#: (table, column, streets, settlements, records, keys, folded) of the last tables indexed by
#: ``_row_keys``; holding the tables keeps their ids unique while memoised.
_row_key_memo: list[tuple] = []
_ROW_KEY_MEMO_SIZE = 4


def _row_keys(table: pd.DataFrame, column: str, streets: pd.DataFrame,
              settlements: pd.DataFrame) -> tuple[list[dict], list[str], list[str]]:
    """Records of ``table`` with the address key and folded text of ``column``, computed once per table.

    Normalising every row on every lookup made placing n addresses cost n × rows normalisations.
    Tables are read-only once loaded, so identity is a safe memo key (as in ``_Register.build``).
    """
    for memo in _row_key_memo:
        if memo[0] is table and memo[1] == column and memo[2] is streets and memo[3] is settlements:
            return memo[4], memo[5], memo[6]
    records = table.to_dict("records")
    keys = [address_key(r[column], streets, settlements) for r in records]
    folded = [fold(r[column]) for r in records]
    _row_key_memo.insert(0, (table, column, streets, settlements, records, keys, folded))
    del _row_key_memo[_ROW_KEY_MEMO_SIZE:]
    return records, keys, folded


def _find_row(table: pd.DataFrame, column: str, query: str, streets: pd.DataFrame, settlements: pd.DataFrame) -> dict | None:
    """The row whose address matches the query after normalisation, or None."""
    if table.empty:
        return None
    wanted = {fold(query), address_key(query, streets, settlements)}
    records, keys, folded = _row_keys(table, column, streets, settlements)
    for record, key, text in zip(records, keys, folded):
        if key in wanted or text in wanted:
            return dict(record)
    if _parse_query(query).postcode is None:
        # "Krožna cesta 5" typed without a postcode: accept a single row for that street address.
        bare = address_key(query, streets, settlements)
        same = [r for r, k in zip(records, keys) if k.split(", ")[0] == bare]
        if len(same) == 1:
            return dict(same[0])
    return None


def lookup_offline(query: str, sources: GeocodeSources) -> GeocodeResult | None:
    """Manual file first (hand-placed points beat everything), then the cache."""
    manual = _find_row(sources.manual, "address", query, sources.streets, sources.settlements)
    if manual is not None:
        return GeocodeResult(
            lat=float(manual["lat"]),
            lon=float(manual["lon"]),
            precision="manual",
            source=SOURCE_MANUAL,
            label=str(manual["address"]),
            retrieved_on=str(manual["placed_on"]) or None,
            note=str(manual.get("note") or ""),
            accuracy_m=int(manual["accuracy_m"]) if str(manual.get("accuracy_m") or "").strip() else None,
        )
    cached = _find_row(sources.cache, "query", query, sources.streets, sources.settlements)
    if cached is not None:
        return GeocodeResult(
            lat=float(cached["lat"]),
            lon=float(cached["lon"]),
            precision=str(cached["precision"]),
            source=str(cached["source"]),
            label=str(cached.get("display_name") or cached["query"]),
            retrieved_on=str(cached["retrieved_on"]) or None,
        )
    return None


# ---------------------------------------------------------------------------------------------
# Online


def precision_from_nominatim(raw: Mapping[str, Any]) -> str:
    """Precision of a Nominatim hit from its ``addresstype``/``type``/``class``."""
    addresstype = str(raw.get("addresstype") or "").lower()
    kind = str(raw.get("type") or "").lower()
    category = str(raw.get("class") or raw.get("category") or "").lower()
    details = raw.get("address") if isinstance(raw.get("address"), Mapping) else {}
    if addresstype in {"house", "building"} or kind == "house" or category == "building" or details.get("house_number"):
        return "address"
    if addresstype == "road" or category == "highway":
        return "street"
    # village/town/hamlet/suburb and anything vaguer: claim no more than the settlement.
    return "settlement"


def _nominatim_viewbox() -> list[tuple[float, float]]:
    """settings.KOPER_BBOX as geopy's viewbox: two (lat, lon) corners."""
    south, west, north, east = settings.KOPER_BBOX
    return [(south, west), (north, east)]


def _failure_category(error: BaseException) -> str:
    """A short, query-free reason for an online failure."""
    # Order matters: the specific geopy errors subclass GeocoderServiceError.
    if isinstance(error, _nominatim.GeocoderPaused):
        return "not asked, paused after a recent failure"
    if isinstance(error, geopy_exc.GeocoderTimedOut):
        return "timed out"
    if isinstance(error, geopy_exc.GeocoderRateLimited):
        return "rate limited, HTTP 429"
    if isinstance(error, geopy_exc.GeocoderUnavailable):
        return "service unavailable or no network"
    if isinstance(error, geopy_exc.GeocoderParseError):
        return "malformed answer"
    if isinstance(error, (geopy_exc.GeocoderAuthenticationFailure, geopy_exc.GeocoderInsufficientPrivileges)):
        return "request refused"
    if isinstance(error, geopy_exc.GeocoderQuotaExceeded):
        return "quota exceeded"
    if isinstance(error, geopy_exc.GeocoderQueryError):
        return "query rejected"
    if isinstance(error, geopy_exc.GeocoderServiceError):
        return "service error"
    if isinstance(error, geopy_exc.GeopyError):
        return "geocoder error"
    if isinstance(error, OSError):
        return "network error"
    return "malformed answer"


#: Failures that mean Nominatim could not be reached at all.
NO_NETWORK_FAILURES = frozenset({"timed out", "service unavailable or no network", "network error"})


def ask_online(query: str, geocoder: Any, today: dt.date | str | None = None) -> tuple[GeocodeResult | None, str]:
    """Ask the online geocoder; returns (result, "") or (None, failure category). Never raises."""
    try:
        location = geocoder.geocode(
            query,
            exactly_one=True,
            country_codes=settings.NOMINATIM_COUNTRY_CODES,
            viewbox=_nominatim_viewbox(),
            bounded=True,
            addressdetails=True,
        )
    except (geopy_exc.GeopyError, OSError, ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
        # Malformed JSON makes geopy raise ValueError/TypeError while parsing.
        return None, _failure_category(error)
    except Exception as error:  # noqa: BLE001 - a citizen's lookup must never fail because of the geocoder
        logger.warning("Online geocoder raised an unexpected %s", type(error).__name__)
        return None, f"unexpected error, {type(error).__name__}"
    if isinstance(location, (list, tuple)):
        location = location[0] if location else None
    if location is None:
        return None, "no result"
    try:
        lat, lon = float(location.latitude), float(location.longitude)
        raw = location.raw if isinstance(getattr(location, "raw", None), Mapping) else {}
        label = str(getattr(location, "address", "") or raw.get("display_name") or "")
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None, "malformed answer"
    south, west, north, east = settings.KOPER_BBOX
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None, "malformed answer"
    if not (south <= lat <= north and west <= lon <= east):
        return None, "result outside Koper and Ankaran"
    return (
        GeocodeResult(
            lat=lat,
            lon=lon,
            precision=precision_from_nominatim(raw),
            source=SOURCE_NOMINATIM,
            label=label,
            retrieved_on=_iso_day(today),
        ),
        "",
    )


def _iso_day(today: dt.date | str | None) -> str:
    if today is None:
        return dt.date.today().isoformat()
    return today if isinstance(today, str) else today.isoformat()


def _cache_row(query: str, result: GeocodeResult) -> dict[str, object]:
    return {
        "query": query,
        "lat": round(result.lat, 7),
        "lon": round(result.lon, 7),
        "precision": result.precision,
        "source": result.source,
        "retrieved_on": result.retrieved_on or "",
        "display_name": result.label,
    }


def _store_in_cache(query: str, result: GeocodeResult, data_dir: Path | str | None) -> GeocodeResult:
    """Add an online result to the cache; a failed save becomes a note, the answer still stands."""
    try:
        cache = load_geocode_cache(data_dir)
        write_geocode_cache(_upsert_cache_row(cache, _cache_row(query, result)), data_dir)
    except (KoperMapError, OSError) as error:
        # The cache is written atomically, so the old file is still whole; only this result is lost.
        reason = "the cache file is invalid" if isinstance(error, KoperMapError) else f"cannot write the file, {type(error).__name__}"
        logger.warning("Geocoding result not saved to the cache (%s)", reason)
        note = f"Not saved to the geocode cache ({reason}); the next lookup will ask again."
        return replace(result, note=" ".join(filter(None, [result.note, note])))
    return result


# ---------------------------------------------------------------------------------------------
# The entry point


def geocode(
    query: str,
    *,
    online: bool = False,
    store: bool = False,
    data_dir: Path | str | None = None,
    geocoder: Any = None,
    today: dt.date | str | None = None,
    sources: GeocodeSources | None = None,
) -> GeocodeResult | None:
    """Place an address: manual file → cache → Nominatim (if ``online``) → register; None if unknown.

    Only ``store=True`` writes (the online result, to the cache). Pass ``sources`` from
    ``load_sources`` to avoid reading the files on every call.
    """
    if not str(query or "").strip():
        return None
    src = sources if sources is not None else load_sources(data_dir)
    found = lookup_offline(query, src)
    if found is not None:
        return found
    failure_note = ""
    if online:
        if geocoder is None:
            geocoder = _nominatim.default_geocoder()
        canonical = canonical_address(query, src.streets, src.settlements) or query
        result, failure = ask_online(canonical, geocoder, today)
        if result is not None:
            return _store_in_cache(canonical, result, data_dir) if store else result
        logger.info("Online geocoder failed (%s); using the offline register", failure)
        failure_note = f"Online geocoder failed ({failure}); placed from the offline register."
    result = resolve_in_register(query, src.settlements, src.streets)
    if result is not None and failure_note:
        result = replace(result, note=" ".join(filter(None, [failure_note, result.note])))
    return result


# ---------------------------------------------------------------------------------------------
# Command line


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres (haversine; plenty for 'did the point move')."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A plain fixed-width text table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _refresh_addresses(args: argparse.Namespace, data_dir: Path | str | None) -> list[str]:
    """Addresses to refresh: --address/--from-csv, else every provider address of the directory."""
    addresses: list[str] = list(args.address or [])
    if args.from_csv:
        path = Path(args.from_csv)
        if not path.is_file():
            raise DataFileError(f"{path}: file not found (--from-csv needs a CSV with an 'address' column)")
        table = _read_csv(path, ("address",))
        addresses.extend(table["address"])
    if not addresses and not args.from_csv:
        try:
            from geo import load  # lazily: geo.load is written elsewhere and may not exist yet
        except ImportError as error:
            raise KoperMapError(
                f"cannot list provider addresses ({error}); pass --address or --from-csv instead"
            ) from None
        addresses = list(load.provider_addresses(Path(data_dir) if data_dir is not None else settings.data_dir()))
    unique: dict[str, str] = {}
    for address in addresses:
        text = " ".join(str(address).split())
        if text:
            unique.setdefault(fold(text), text)
    return list(unique.values())


def refresh(
    addresses: Iterable[str],
    *,
    only_missing: bool = False,
    data_dir: Path | str | None = None,
    geocoder: Any = None,
    today: dt.date | str | None = None,
    out: TextIO | None = None,
) -> int:
    """Geocode provider addresses online into the cache; prints what changed; returns an exit code."""
    out = out or sys.stdout
    sources = load_sources(data_dir)
    if geocoder is None:
        geocoder = _nominatim.make_geocoder(max_retries=2)
    cache = sources.cache
    table: list[tuple[str, ...]] = []
    succeeded = failed = 0
    seen: set[str] = set()
    for raw in addresses:
        canonical = canonical_address(raw, sources.streets, sources.settlements) or raw
        if fold(canonical) in seen:
            continue  # two spellings of one address: ask Nominatim once
        seen.add(fold(canonical))
        if only_missing:
            offline = lookup_offline(canonical, replace(sources, cache=cache))
            if offline is not None:
                table.append((canonical, f"skipped ({offline.source})", offline.precision, "", ""))
                continue
        previous = _find_row(cache, "query", canonical, sources.streets, sources.settlements)
        result, failure = ask_online(canonical, geocoder, today)
        if result is None:
            if failure in NO_NETWORK_FAILURES and succeeded == 0:
                print(
                    f"No network: could not reach Nominatim ({failure}). The geocode cache was not changed. "
                    "Run `make geocode` again on a machine with internet access.",
                    file=sys.stderr,
                )
                return 3
            failed += 1
            table.append((canonical, f"failed: {failure}", "", "", ""))
            continue
        succeeded += 1
        if previous is None:
            change = "new"
        else:
            moved = _distance_m((float(previous["lat"]), float(previous["lon"])), (result.lat, result.lon))
            same_precision = previous["precision"] == result.precision
            change = "unchanged" if moved < 1 and same_precision else f"moved {moved:.0f} m" + (
                "" if same_precision else f", was {previous['precision']}"
            )
            if previous["query"] != canonical:
                cache = cache[cache["query"] != previous["query"]]
        cache = _upsert_cache_row(cache, _cache_row(canonical, result))
        table.append((canonical, change, result.precision, f"{result.lat:.6f}", f"{result.lon:.6f}"))
    if succeeded:
        path = write_geocode_cache(cache, data_dir)
        print(f"Wrote {path}", file=out)
    print(format_table(table, ("address", "change", "precision", "lat", "lon")), file=out)
    print(f"{succeeded} geocoded, {failed} failed, {len(table) - succeeded - failed} skipped", file=out)
    return 1 if failed else 0


def _print_lookup(result: GeocodeResult | None, out: TextIO) -> int:
    if result is None:
        print("No match in the manual file, the cache or the register.", file=out)
        return 1
    for field in ("lat", "lon", "precision", "source", "label", "retrieved_on", "note"):
        print(f"{field:13} {getattr(result, field) if getattr(result, field) is not None else ''}", file=out)
    return 0


def main(
    argv: list[str] | None = None,
    *,
    geocoder: Any = None,
    today: dt.date | str | None = None,
    data_dir: Path | str | None = None,
    out: TextIO | None = None,
) -> int:
    """Command-line entry point; returns the exit code."""
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="python -m geo.geocode", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_cmd = commands.add_parser("refresh", help="geocode provider addresses online into the cache")
    refresh_cmd.add_argument("--only-missing", action="store_true", help="skip addresses already cached or placed by hand")
    refresh_cmd.add_argument("--address", action="append", help="an address to refresh (repeatable)")
    refresh_cmd.add_argument("--from-csv", metavar="FILE", help="a CSV file with an 'address' column")
    lookup_cmd = commands.add_parser("lookup", help="print where an address is placed (never stores)")
    lookup_cmd.add_argument("address")
    lookup_cmd.add_argument("--online", action="store_true", help="also ask Nominatim (needs a network)")
    args = parser.parse_args(argv)
    try:
        if args.command == "lookup":
            result = geocode(args.address, online=args.online, store=False, data_dir=data_dir, geocoder=geocoder, today=today)
            return _print_lookup(result, out)
        addresses = _refresh_addresses(args, data_dir)
        if not addresses:
            print("No addresses to geocode.", file=sys.stderr)
            return 2
        return refresh(addresses, only_missing=args.only_missing, data_dir=data_dir, geocoder=geocoder, today=today, out=out)
    except KoperMapError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Address text: words and their Slovene stems, abbreviations, house numbers, and query parsing.

Pure text work, no tables: ``parse_query`` cuts "Levja ulica 7, 6000 Koper – Capodistria" into its
place parts and postcode; ``split_house_number`` separates "58/a" from the street; ``Words`` gives a
name's folded words, their stems and its distinctive (non-generic) words, for the register matcher.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from geo.text import DASHES, fold

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

#: Post codes of the area that POSTCODES leaves out but that are kept as inside: Podgorje (Koper)
#: is served by 6244 Podgrad; an address there must not be refused as "outside" by its postcode.
OTHER_AREA_POSTCODES = frozenset({"6244"})
#: Parts of the town of Koper named like places that are not settlements of the register (local
#: communities in data/areas.csv and their Italian names); "Levja ulica 7, Semedela" is in Koper.
TOWN_QUARTERS = ("Center", "Centro", "Semedela", "Semedella", "Žusterna", "Giusterna", "Olmo", "Prisoje",
                 "Za gradom", "Čežarji", "Markovec", "Škofije")

# Generic words of street names: a source may drop them ("Krpanova 13") or use another one
# ("Kolodvorski ulici" for Kolodvorska cesta), so the distinctive words decide.
GENERIC_WORDS = frozenset(
    {"ulica", "cesta", "pot", "trg", "nabrezje", "naselje", "reber",
     "via", "strada", "calle", "vicolo", "piazza", "piazzale", "riva", "salita", "largo"}
)
#: Abbreviations of street types, folded, as written with their period (Slovene and Italian).
#: "v." is Italian "via"; without a period "v" stays the Slovene preposition ("v Kopru").
ABBREVIATIONS = {
    "c": "cesta", "ul": "ulica", "nab": "nabrezje", "nas": "naselje",
    "v": "via", "str": "strada", "vic": "vicolo", "pza": "piazza",
}
#: Abbreviations also understood without their period (no Slovene or Italian word is spelt so).
_BARE_ABBREVIATIONS = ("ul", "str")
_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\."
    r"|(" + "|".join(_BARE_ABBREVIATIONS) + r")(?=\s|$))"
)
# A leading preposition from running text ("na Levji ulici"); stripped only when the rest matches.
PREPOSITIONS = frozenset({"na", "v", "pri", "ob"})
# Slovene case endings, longest first; stripping them compares "Levji ulici" with "Levja ulica".
_CASE_ENDINGS = ("ici", "ica", "ega", "emu", "em", "ih", "im", "om", "a", "e", "i", "o", "u")
_MIN_STEM = 3
_COUNTRY_WORDS = frozenset({"slovenija", "slovenia", "si", "slo"})
POST_NAME_SPLIT = re.compile(r"\s+[\u2010-\u2015\u2212-]\s+|\s*[\u2013\u2014]\s*")
#: A leading Italian CAP or Slovene postcode of a place part ("34121 Trieste").
LEADING_CODE = re.compile(r"^(?:[A-Z]{1,2}-?)?\d{4,5}\s+", re.IGNORECASE)
_POSTCODE_PART = re.compile(r"^(?:SI-?)?(\d{4})(?:\s+(\D.*))?$", re.IGNORECASE)
_TRAILING_POSTCODE = re.compile(r"^(.*\S)\s+(\d{4})\s+(\D+)$")
# "58a", "58 a", "58/a", "58-a", "58 / A": a number of 1–4 digits and an optional letter.
_NUMBER = rf"(\d{{1,4}})(?:\s*[/{DASHES}]?\s*([A-Za-z]))?"
_HOUSE_NUMBER = re.compile(rf"^(.*?\S)[\s,]+{_NUMBER}$|^(.*?[^\W\d])(\d{{1,4}})(?:\s*[/{DASHES}]?\s*([A-Za-z]))?$")


def tokens(text: str) -> tuple[str, ...]:
    """Folded words of a name, abbreviations written out ("Dolinska c." → dolinska cesta).

    Periods and commas separate words, so "Sv. Anton" and "Sv Anton" agree; "sveti" is "sv".
    """
    folded = _ABBREVIATION.sub(lambda m: f" {ABBREVIATIONS[m.group(1) or m.group(2)]} ", fold(text))
    words = folded.replace(".", " ").replace(",", " ").split()
    return tuple("sv" if word == "sveti" else word for word in words)


def stems(token: str) -> frozenset[str]:
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


#: Stems of the generic words, so "ulici" and "cesti" count as generic too.
_GENERIC_STEMS = frozenset().union(*(stems(word) for word in GENERIC_WORDS))


@dataclass(frozen=True)
class Words:
    """A name as folded words and their stems, and the same for its distinctive words only."""

    tokens: tuple[str, ...]
    stems: tuple[frozenset[str], ...]
    core: tuple[str, ...]
    core_stems: tuple[frozenset[str], ...]

    @classmethod
    def of_tokens(cls, words: tuple[str, ...]) -> Words:
        all_stems = tuple(stems(w) for w in words)
        core = [(w, s) for w, s in zip(words, all_stems) if w not in GENERIC_WORDS and s.isdisjoint(_GENERIC_STEMS)]
        return cls(words, all_stems, tuple(w for w, _ in core), tuple(s for _, s in core))

    @classmethod
    def of(cls, text: str) -> Words:
        return cls.of_tokens(tokens(text))


def agree(query: tuple[frozenset[str], ...], name: tuple[frozenset[str], ...]) -> bool:
    """Same number of words and each pair shares a stem (arguments are ``Words.stems``/``core_stems``)."""
    return len(query) == len(name) and all(q & n for q, n in zip(query, name))


def variants(name: str) -> list[Words]:
    """The name's words, and without a leading preposition ("na Levji ulici") when there is one."""
    query = tokens(name)
    if not query:
        return []
    found = [Words.of_tokens(query)]
    if len(query) > 1 and query[0] in PREPOSITIONS:
        found.append(Words.of_tokens(query[1:]))
    return found


def split_house_number(text: str) -> tuple[str, str | None]:
    """Split "Dolinska cesta 58/a" into ("Dolinska cesta", "58 A"); no number → (text, None).

    "58a", "58 a", "58 A", "58/a" and "58-a" give the same "58 A"; leading zeros are dropped.
    """
    cleaned = " ".join(str(text).split()).strip(" ,")
    match = _HOUSE_NUMBER.match(cleaned)
    if not match:
        return cleaned, None
    name, number, letter = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (
        match.group(4), match.group(5), match.group(6))
    house = number.lstrip("0") or "0"
    return name.strip(" ,"), f"{house} {letter.upper()}" if letter else house


@dataclass(frozen=True)
class ParsedQuery:
    """A query cut into place parts (street, village, organisation) and its postcode part."""

    places: tuple[str, ...]
    postcode: str | None
    post_names: tuple[str, ...]


def parse_query(raw: str) -> ParsedQuery:
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
        pieces = [p.strip() for p in POST_NAME_SPLIT.split(post_text) if p.strip()]
        post_names = [post_text] + pieces if len(pieces) > 1 else pieces
    elif postcode in POSTCODES:
        post_names = [POSTCODES[postcode]]
    return ParsedQuery(tuple(parts), postcode, tuple(post_names))


def trailing_parts(places: tuple[str, ...]) -> tuple[str, ...]:
    """The parts after the address: after the last part with a house number, else after the first.

    "Piazza Tito 1, Trieste" → ("Trieste",); "Center, Krožna cesta" → ("Krožna cesta",). These name
    the town (or a quarter, a floor …) of the address; parts before it may be an organisation's name.
    """
    numbered = [i for i, part in enumerate(places) if split_house_number(part)[1] is not None]
    return places[(numbered[-1] + 1) if numbered else 1:]

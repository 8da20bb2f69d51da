"""Free-text search by the words people use: accents and case ignored, inflections and synonyms understood.

Text is folded with ``geo.text.fold`` (accents, case, ``đ`` → ``d``, dashes, spaces) on both sides, so
"cajanke" finds "Čajanke". Every query word must start some word of the service's text (AND of
prefixes: "dnevn cent" finds "Dnevni center"). Slovene text is always searched too, so a Slovene
name typed in any UI language still finds its service.

A query word also matches through its dictionary form: the service texts and the query are
lemmatized with simplemma (Slovene, Italian and English; each field in its own language), so
"kosilo" finds "kosila" and "pranzo" finds "pranzi". Where the lemmatizer does not know a word
("brezdomec", "brezdomcem") or people use another word than the data ("lawyer" for "legal
advice", "hrana" for "kosila"), the reviewed table ``data/synonyms.csv`` (``load_synonyms``) adds
the words the query stands for. The synonym table is language knowledge shipped with the app (like
the text tables), not directory data: it is read from the app's own ``data/`` folder whatever
``KOPER_MAP_DATA_DIR`` says.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import pandas as pd
import simplemma

from geo import settings
from geo.text import fold

#: Slovene is the language every service is required to have; it is always searched.
FALLBACK_LANGUAGE = "sl"
#: Columns searched, ``{lang}`` is filled with the UI language and the fallback.
TRANSLATED_COLUMNS = ("name_{lang}", "description_{lang}")
#: Columns in Slovene whatever the UI language (lemmatized as Slovene).
PLAIN_COLUMNS = ("provider",)
#: Languages simplemma lemmatizes for us (the app's three).
LEMMA_LANGUAGES = ("sl", "it", "en")
#: The synonym table's file name and columns.
SYNONYMS_FILE = "synonyms.csv"
SYNONYM_COLUMNS = ("lang", "kind", "words", "reason")
#: ``same``: every word stands for every other (forms or spellings of one word);
#: ``also``: the first word also finds the others (a broader word: "hrana" → "kosilo").
SYNONYM_KINDS = ("same", "also")

#: lang → folded word → the folded words it also finds (closed under repetition, without itself).
Synonyms = Mapping[str, Mapping[str, tuple[str, ...]]]

_WORD_RE = re.compile(r"\w+")


def query_words(query: str) -> list[str]:
    """The folded words of a query; punctuation separates words and is otherwise ignored."""
    return _WORD_RE.findall(fold(query))


def lemma(word: str, lang: str) -> str:
    """The folded dictionary form of one word in ``lang`` (sl/it/en; the word itself when unknown)."""
    if lang not in LEMMA_LANGUAGES:
        return fold(word)
    return fold(simplemma.lemmatize(str(word).lower(), lang=lang))


# --- the synonym table ---------------------------------------------------------------------------

def load_synonyms(path: Path | str) -> Synonyms:
    """The synonym table at ``path`` (a CSV with SYNONYM_COLUMNS) as an immutable lookup.

    ``words`` is a ``;``-separated list; a word may be the start of words ("brezdomn" finds
    "brezdomne" and "brezdomnih"), as a typed word is. Words are folded, so accents do not matter.
    Expansions are followed transitively within a language ("brezdomci" → "brezdomec" → its forms).
    Raises ValueError naming the file and line for an unknown language or kind, or fewer than two words.
    """
    path = Path(path)
    edges: dict[str, dict[str, set[str]]] = {lang: {} for lang in LEMMA_LANGUAGES}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in SYNONYM_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(SYNONYM_COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            lang, kind = (row["lang"] or "").strip(), (row["kind"] or "").strip()
            words = [fold(w) for w in (row["words"] or "").split(";") if fold(w)]
            if lang not in LEMMA_LANGUAGES or kind not in SYNONYM_KINDS or len(words) < 2:
                raise ValueError(
                    f"{path}, line {line}: need lang in {LEMMA_LANGUAGES}, kind in {SYNONYM_KINDS} and at least "
                    f"two ';'-separated words, got lang={lang!r}, kind={kind!r}, words={row['words']!r}"
                )
            sources = words if kind == "same" else words[:1]
            for source in sources:
                edges[lang].setdefault(source, set()).update(w for w in words if w != source)
    return MappingProxyType({lang: MappingProxyType(_closure(table)) for lang, table in edges.items()})


def _closure(edges: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """Each word's expansions followed until nothing new is found (the table is small)."""
    closed: dict[str, tuple[str, ...]] = {}
    for start in edges:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen and nxt != start:
                    seen.add(nxt)
                    todo.append(nxt)
        closed[start] = tuple(sorted(seen))
    return closed


#: The app's reviewed synonym table (read once at import; immutable).
DEFAULT_SYNONYMS: Synonyms = load_synonyms(settings.PROJECT_DIR / "data" / SYNONYMS_FILE)


class Alternatives(NamedTuple):
    """What counts as a match for one query word (all folded).

    ``starts`` must start a word of the text (the typed word, synonyms); ``lemmas`` must equal a
    whole word of the text or of its lemmas (a short lemma such as "star" must not find "starši").
    """

    starts: tuple[str, ...]
    lemmas: tuple[str, ...]


def alternatives(word: str, lang: str, synonyms: Synonyms | None = None) -> Alternatives:
    """The word starts and whole lemmas that match one query word searched in ``lang`` (and Slovene).

    The word itself, its lemma in the UI language and in Slovene, and the synonyms of any of
    these (with their lemmas), each longest first. ``synonyms`` defaults to ``DEFAULT_SYNONYMS``.
    """
    table = DEFAULT_SYNONYMS if synonyms is None else synonyms
    languages = tuple(dict.fromkeys((lang, FALLBACK_LANGUAGE)))
    starts = {fold(word)}
    lemmas = {lemma(word, code) for code in languages}
    for code in languages:
        for form in starts | lemmas:
            for other in table.get(code, {}).get(form, ()):
                starts.add(other)
                lemmas.add(lemma(other, code))
    order = lambda found: tuple(sorted((f for f in found if f), key=lambda f: (-len(f), f)))  # noqa: E731
    return Alternatives(order(starts), order(lemmas - starts))


# --- the searched text -------------------------------------------------------------------------

def _fields(services: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """(column, its language) of the searched columns present in ``services``."""
    languages = dict.fromkeys((lang, FALLBACK_LANGUAGE))  # ordered, without a duplicate "sl"
    columns = [(c.format(lang=code), code) for code in languages for c in TRANSLATED_COLUMNS]
    columns += [(c, FALLBACK_LANGUAGE) for c in PLAIN_COLUMNS]
    return [(c, code) for c, code in columns if c in services.columns]


def _per_distinct(cells: pd.Series, convert) -> pd.Series:
    """``convert`` applied once per distinct cell text (directories repeat descriptions and providers)."""
    text = cells.fillna("").astype(str)
    done = {value: convert(value) for value in text.unique()}
    return text.map(done)


def searchable_text(services: pd.DataFrame, lang: str) -> pd.Series:
    """One folded string per service: names, descriptions (UI language + Slovene) and provider."""
    present = [c for c, _code in _fields(services, lang)]
    if not present:
        return pd.Series("", index=services.index, dtype=object)
    # A newline between fields keeps a word from running into the next field's first word.
    joined = _per_distinct(services[present[0]], fold)
    for column in present[1:]:
        joined = joined + "\n" + _per_distinct(services[column], fold)
    return joined


def lemma_text(services: pd.DataFrame, lang: str) -> pd.Series:
    """One string per service: the folded lemmas of its searched words, each field in its own language.

    Each distinct cell and each distinct word is lemmatized once per call, so a large directory
    stays cheap (about 1 µs per distinct word once simplemma's dictionaries are loaded).
    """
    result = pd.Series("", index=services.index, dtype=object)
    for column, code in _fields(services, lang):
        lemmas: dict[str, str] = {}

        def cell_lemmas(cell: str, code: str = code, lemmas: dict = lemmas) -> str:
            words = _WORD_RE.findall(cell.lower())
            for word in words:
                if word not in lemmas:
                    lemmas[word] = lemma(word, code)
            return " ".join(lemmas[w] for w in words)

        result = result + "\n" + _per_distinct(services[column], cell_lemmas)
    return result


def search(services: pd.DataFrame, query: str, lang: str, synonyms: Synonyms | None = None) -> pd.Series:
    """Boolean Series (aligned with ``services``): True where every query word, or one of its
    ``alternatives``, starts a word of the service's text or of its lemmas."""
    raw = _WORD_RE.findall(str(query).lower()) if isinstance(query, str) else []
    if not query_words(query if isinstance(query, str) else ""):
        return pd.Series(True, index=services.index, dtype=bool)
    haystack = searchable_text(services, lang) + "\n" + lemma_text(services, lang)
    matched = pd.Series(True, index=services.index, dtype=bool)
    for word in raw:  # a loop over the few query words; each test is vectorised over services
        if not fold(word):
            continue
        found = alternatives(word, lang, synonyms)
        pattern = r"\b(?:" + "|".join(re.escape(a) for a in found.starts) + ")"
        if found.lemmas:
            pattern += r"|\b(?:" + "|".join(re.escape(a) for a in found.lemmas) + r")\b"
        matched &= haystack.str.contains(pattern, regex=True).astype(bool)
    return matched

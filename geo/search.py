"""Free-text search over service names, providers and descriptions, ignoring accents and case.

Text is folded with ``geo.text.fold`` (accents, case, ``đ`` → ``d``, dashes, spaces) on both sides, so
"cajanke" finds "Čajanke". Every query word must start some word of the service's text (AND
of prefixes: "dnevn cent" finds "Dnevni center"). Slovene text is always searched too, so a
Slovene name typed in any UI language still finds its service.
"""
from __future__ import annotations

import re

import pandas as pd

from geo.text import fold

#: Slovene is the language every service is required to have; it is always searched.
FALLBACK_LANGUAGE = "sl"
#: Columns searched, ``{lang}`` is filled with the UI language and the fallback.
TRANSLATED_COLUMNS = ("name_{lang}", "description_{lang}")
PLAIN_COLUMNS = ("provider",)

_WORD_RE = re.compile(r"\w+")


def query_words(query: str) -> list[str]:
    """The folded words of a query; punctuation separates words and is otherwise ignored."""
    return _WORD_RE.findall(fold(query))


def searchable_text(services: pd.DataFrame, lang: str) -> pd.Series:
    """One folded string per service: names, descriptions (UI language + Slovene) and provider."""
    languages = dict.fromkeys((lang, FALLBACK_LANGUAGE))  # ordered, without a duplicate "sl"
    columns = [c.format(lang=code) for code in languages for c in TRANSLATED_COLUMNS] + list(PLAIN_COLUMNS)
    present = [c for c in columns if c in services.columns]
    if not present:
        return pd.Series("", index=services.index, dtype=object)
    # A newline between fields keeps a word from running into the next field's first word.
    joined = services[present[0]].fillna("").astype(str)
    for column in present[1:]:
        joined = joined + "\n" + services[column].fillna("").astype(str)
    return joined.map(fold)


def search(services: pd.DataFrame, query: str, lang: str) -> pd.Series:
    """Boolean Series (aligned with ``services``): True where every query word prefixes a word."""
    words = query_words(query if isinstance(query, str) else "")
    if not words:
        return pd.Series(True, index=services.index, dtype=bool)
    haystack = searchable_text(services, lang)
    matched = pd.Series(True, index=services.index, dtype=bool)
    for word in words:  # a loop over the few query words; each test is vectorised over services
        matched &= haystack.str.contains(r"\b" + re.escape(word), regex=True).astype(bool)
    return matched

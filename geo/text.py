"""Folding text for comparison: the one place that decides when two spellings are "the same".

Used by the free-text search, the geocoder's address matching, the Italian address names and
every sort by name, so that what sorts together also matches.
"""
from __future__ import annotations

import math
import re
import unicodedata

# Letters NFKD leaves whole (they are not "letter + combining mark"); mapped by hand.
_NOT_DECOMPOSED = str.maketrans({"đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ı": "i"})
#: Hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus, ASCII hyphen.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212-"
_DASH_RUN = re.compile(f"\\s*[{DASHES}]\\s*")


def fold(text: object) -> str:
    """Lower-case, accent-free, single-spaced form of ``text`` for comparing and sorting.

    - accents dropped (NFKD, combining marks removed) and letters NFKD keeps whole mapped by hand:
      "Čajanke" → "cajanke", "Đurđa" → "durda", "Łódź" → "lodz", "Ørsted" → "orsted";
    - case-folded ("Straße" → "strasse");
    - every dash, with any spaces around it, becomes one "-" ("Perello – Godina" → "perello-godina");
    - whitespace runs (tabs, newlines, non-breaking spaces) become one space, ends trimmed.

    None and NaN (pandas' empty cell) fold to ""; other non-text values are folded as ``str(value)``.
    Idempotent: ``fold(fold(x)) == fold(x)``.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_NOT_DECOMPOSED))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    bare = _DASH_RUN.sub("-", bare)
    return " ".join(bare.split())

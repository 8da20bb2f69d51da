"""Checking an uploaded table: one normalised value for validation and storage, and what Excel breaks.

``normalise`` is applied once, before validation, and the saved file is written from the same
normalised table, so a value cannot pass the check in one spelling and be stored in another
(``" confidential"`` with an address, ``"site\\u00a0"``). Beyond the schema
(``model.validate_services``) an upload is checked for overlong cells, control characters, and
the two ways Excel damages Italian and Slovene letters: a Windows-1250 save (``città`` →
``citt?``) and a wrong-encoding round trip (UTF-8 read as Windows-1250 and saved again:
``pomoč`` → ``pomoÄŤ``).
"""
from __future__ import annotations

import re

import pandas as pd

from geo import i18n, model, settings
from geo.errors import Problem
from geo.upkeep.reading import Upload

_FIELDS = {f.name: f for f in model.FIELDS}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Windows-1250 has no à, è, ì, ò, ù: Excel writes '?' for them ("citt? di", "caf?bar"). A '?' inside
# a word, or before a lower-case word (a real question mark ends a sentence), is taken as one.
_LOST_LETTER = re.compile(r"[^\W\d_]\?(?:[^\W\d_]| [^\W\d_A-ZČŠŽĆĐ])")
# A wrong-encoding round trip shows a UTF-8 lead byte read as one of these code pages.
_ROUND_TRIP_CODECS = ("cp1250", "cp1252")

#: Advice keys (``upkeep.advice.<key>`` in geo.i18n) for problems the staff member can avoid
#: by saving differently; the problems themselves name rows and fields.
ADVICE_LOST_LETTERS = "lost_letters"
ADVICE_ROUND_TRIP = "round_trip"

LOST_LETTERS_MESSAGE = (
    "has a '?' inside a word: the file is in Windows-1250, which cannot hold à, è, ì, ò, ù, "
    "so Excel replaced them; save it as \"CSV UTF-8\" and upload again"
)
ROUND_TRIP_MESSAGE = (
    "has letters garbled by a wrong-encoding round trip ({found} should read {meant}): the file was "
    "opened as Windows-1250 although it is UTF-8 and saved again; open the original with "
    "Data → From Text/CSV → File origin \"65001: Unicode (UTF-8)\", or upload the .xlsx, and upload again"
)


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as it will be validated and stored: every cell trimmed of spaces, tabs and NBSP.

    Coded fields (enumerations, lists, phones, e-mails, dates, ids, booleans, line numbers) also
    have every inner run of whitespace (NBSP included) made one plain space; free text keeps its
    inner line breaks. Returns a new DataFrame of strings (NaN → ""); the input is not changed.
    """
    out = frame.copy()
    for column in out.columns:
        kind = _FIELDS[column].kind if column in _FIELDS else "text"
        values = out[column].map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
        if kind == "text":
            out[column] = values.map(str.strip)  # str.strip removes NBSP, tabs and line breaks too
        else:
            out[column] = values.map(lambda v: " ".join(v.split()))
    return out


def round_trip_damage(text: str) -> tuple[str, str] | None:
    """The first piece of ``text`` garbled by a wrong-encoding round trip and what it meant, or None.

    "pomoÄŤ" → ("ÄŤ", "č"); "KroĹľna" → ("Ĺľ", "ž"); "cittĂ " → ("Ă ", "à"). A run of characters
    counts when its Windows-1250 (or -1252) bytes are one valid UTF-8 letter or sign of a European
    language; genuine Slovene or Italian text never forms such a run.
    """
    for start, char in enumerate(text):
        if ord(char) < 0x80:
            continue
        for codec in _ROUND_TRIP_CODECS:
            meant = _decoded_at(text, start, codec)
            if meant is not None:
                return meant
    return None


def _decoded_at(text: str, start: int, codec: str) -> tuple[str, str] | None:
    try:
        lead = text[start].encode(codec)[0]
    except UnicodeEncodeError:
        return None
    length = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 0
    if not length or start + length > len(text):
        return None
    piece = text[start:start + length]
    try:
        meant = piece.encode(codec).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    code = ord(meant)
    # The letters of Slovene, Italian and their neighbours (Latin-1 Supplement and Extended-A: à, č, ž …)
    # and typographic signs (– “ ” € …). Extended-B is left out: "ČŠ" in capitals reads as U+020A.
    plausible = 0xC0 <= code <= 0x17F or 0x2010 <= code <= 0x20AC
    return (piece, meant) if plausible else None


def validate_upload(upload: Upload) -> list[Problem]:
    """Every problem of the (normalised) uploaded table: the schema and the cell checks, by row and field."""
    frame = normalise(upload.frame)
    if upload.budget is not None:
        upload.budget.check()
    problems = model.validate_services(frame, file=upload.file)
    if upload.budget is not None:
        upload.budget.check()
    limit = settings.UPKEEP_MAX_CELL_CHARS
    for column in frame.columns:
        for index, value in enumerate(upload.frame[column]):
            text = str(value)
            row = index + 2
            if len(text) > limit:
                problems.append(
                    Problem(upload.file, row, str(column), text[:40] + "...",
                            f"is {len(text)} characters long; the limit is {limit} (settings.UPKEEP_MAX_CELL_CHARS)")
                )
            elif _CONTROL_CHARS.search(text):
                char = _CONTROL_CHARS.search(text).group()
                problems.append(
                    Problem.said(upload.file, row, str(column), None, "problem.control_char", code=f"{ord(char):04X}")
                )
            elif upload.encoding == "cp1250" and _LOST_LETTER.search(text):
                hit = _LOST_LETTER.search(text)
                problems.append(
                    Problem.said(upload.file, row, str(column), "..." + text[max(0, hit.start() - 25):hit.end() + 25] + "...",
                                 "problem.lost_letters")  # = LOST_LETTERS_MESSAGE in English
                )
            elif text.isascii():
                continue
            elif damage := round_trip_damage(text):
                found, meant = damage
                at = text.find(found)
                problems.append(
                    Problem.said(upload.file, row, str(column), "..." + text[max(0, at - 25):at + 25] + "...",
                                 "problem.round_trip", found=repr(found), meant=repr(meant))  # ROUND_TRIP_MESSAGE
                )
        if upload.budget is not None:
            upload.budget.check()
    return sorted(problems, key=lambda p: (p.row or 0, p.field or ""))


def advice(problems: list[Problem] | tuple[Problem, ...]) -> tuple[str, ...]:
    """Advice keys for the problems that saving the file differently avoids (see ``ADVICE_*``)."""
    keys = []
    if any(p.message == LOST_LETTERS_MESSAGE for p in problems):
        keys.append(ADVICE_LOST_LETTERS)
    if any(p.message.startswith(ROUND_TRIP_MESSAGE.split("{")[0]) for p in problems):
        keys.append(ADVICE_ROUND_TRIP)
    return tuple(keys)


def records_with_problems(frame: pd.DataFrame, file: str = settings.SERVICES_FILE, lang: str = "en") -> pd.DataFrame:
    """One line per problem of a raw services table: row, id, field, value, message (in ``lang``)."""
    ids = [str(v) for v in frame["id"]] if "id" in frame.columns else []
    lines = [
        {
            "row": p.row,
            "id": ids[p.row - 2] if p.row is not None and 2 <= p.row < len(ids) + 2 else "",
            "field": p.field or "",
            "value": "" if p.value is None else str(p.value),
            "message": i18n.problem_text(p, lang),
        }
        for p in model.validate_services(frame, file=file)
    ]
    return pd.DataFrame(lines, columns=["row", "id", "field", "value", "message"])

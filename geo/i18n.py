"""User-interface text: lookup and formatting; the tables are geo/texts/{sl,it,en}.py.

Every key must exist in every language; tests/test_i18n.py fails otherwise. Data text
(service names, descriptions) comes from the data's ``*_sl/_it/_en`` columns, not from here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from geo.texts import en, it, sl

LANGUAGES = ("sl", "it", "en")
DEFAULT_LANGUAGE = "sl"
LANGUAGE_NAMES = {"sl": "Slovenščina", "it": "Italiano", "en": "English"}
_BABEL_LOCALES = {"sl": "sl_SI", "it": "it_IT", "en": "en_GB"}

SL, IT, EN = sl.TEXT, it.TEXT, en.TEXT

TABLES = {"sl": SL, "it": IT, "en": EN}


def language(value: str | None) -> str:
    """A supported language code; anything else falls back to Slovene."""
    return value if value in TABLES else DEFAULT_LANGUAGE


def t(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled in.

    A count text (a dict of plural forms) takes its count as ``n``, an integer: then this is
    ``plural(key, lang, n, **values)``. Raises TypeError when such a text gets no ``n``.
    """
    text = TABLES[language(lang)][key]
    if isinstance(text, dict):
        if "n" not in values:
            raise TypeError(f"{key} is a count text (plural forms): give its count as n=")
        count = values.pop("n")
        return plural(key, lang, count, **values)
    return text.format(**values) if values else text


def plural(key: str, lang: str, count: int, **values: object) -> str:
    """The text for ``key`` in the plural form CLDR prescribes for ``count`` in ``lang``.

    The table value is a dict keyed by CLDR plural category: Slovene needs ``one`` (1, 101…),
    ``two`` (2, 102…), ``few`` (3, 4, 103…) and ``other``; Italian and English ``one`` and
    ``other``. A missing category falls back to ``other``. ``{n}`` is the count written with the
    language's digit grouping (``format_number``); other ``{placeholders}`` come from ``values``.
    Rules: Unicode CLDR plural rules, via babel's ``Locale.plural_form``.
    Raises KeyError when ``key`` is not a plural entry (a dict) in the table.
    """
    lang = language(lang)
    forms = TABLES[lang][key]
    if not isinstance(forms, dict):
        raise KeyError(f"{key} is not a plural text (a dict of CLDR categories)")
    if isinstance(count, str) or int(count) != count:
        raise TypeError(f"{key}: the count must be a whole number, not {count!r} (format it here, not before)")
    category = Locale.parse(_BABEL_LOCALES[lang]).plural_form(abs(int(count)))
    text = forms.get(category, forms["other"])
    return text.format(n=format_number(count, lang), **values)


def problem_text(problem: object, lang: str) -> str:
    """A data problem's message (``geo.errors.Problem``) in ``lang``: from its text key
    (``problem.*``) when it has one, else its own English message."""
    key = getattr(problem, "key", "")
    if key and key in TABLES[language(lang)]:
        return t(key, lang, **dict(getattr(problem, "params", ())))
    return str(getattr(problem, "message", ""))


def field(record: dict, base: str, lang: str) -> str:
    """A translated data field (``name_it``…), falling back to Slovene when missing."""
    return str(record.get(f"{base}_{language(lang)}") or record.get(f"{base}_sl") or "")


def name_in(record: Mapping, lang: str) -> str:
    """A place's name in the chosen language (an area, settlement or street of the register).

    ``record`` is any mapping (dict, ``pd.Series``, GeoJSON properties) with ``name_sl`` and
    optionally ``name_it``. Places have official names in Slovene and, in the bilingual part
    of the coast, in Italian; none in English. So: the Italian name for ``it`` where there is
    one, else the Slovene one (else a plain ``name``, else ''). Services are not places: their
    names are data fields in three languages, read with ``field(record, "name", lang)``.
    """
    italian = _text(record.get("name_it"))
    if language(lang) == "it" and italian:
        return italian
    return _text(record.get("name_sl")) or _text(record.get("name"))


def bilingual(sl: str, it: str | None) -> str:
    """The bilingual label "Slovene / Italian" of a place; just the Slovene when the two agree.

    ``bilingual("Koper", "Capodistria") == "Koper / Capodistria"``,
    ``bilingual("Gažon", "Gažon") == bilingual("Gažon", "") == "Gažon"``.
    """
    sl, it = _text(sl), _text(it)
    return f"{sl} / {it}" if it and it != sl else sl


def _text(value: object) -> str:
    """A cell as stripped text; None and NaN (a missing cell in pandas) are ''."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def format_day(day: dt.date, lang: str) -> str:
    """A date written the way each language writes it (23. 11. 2026, 23/11/2026, 23 Nov 2026)."""
    return format_date(day, format="medium", locale=_BABEL_LOCALES[language(lang)])


def month_names(lang: str) -> list[str]:
    """The twelve months' full names in ``lang``, January first, as a date writes them (CLDR via babel:
    "januar" … "december", "gennaio" … "dicembre", "January" … "December")."""
    months = Locale.parse(_BABEL_LOCALES[language(lang)]).months["format"]["wide"]
    return [months[m] for m in range(1, 13)]


def date_template(lang: str) -> str:
    """How ``lang`` writes a date in full, with ``{d}`` for the day, ``{month}`` for the month's name
    (:func:`month_names`) and ``{y}`` for the year ("{d}. {month} {y}" in Slovene; CLDR's long date)."""
    sample = dt.date(2033, 11, 22)
    text = format_date(sample, format="long", locale=_BABEL_LOCALES[language(lang)])
    return text.replace("22", "{d}").replace("2033", "{y}").replace(month_names(lang)[10], "{month}")


def format_iso_day(text: object, lang: str) -> str:
    """A day stored as ISO text ("2025-05-04") written the language's way (``format_day``);
    anything that is not an ISO day (empty, "unknown", a year) is returned as written."""
    value = _text(text)
    try:
        return format_day(dt.date.fromisoformat(value), lang) if len(value) == 10 else value
    except ValueError:
        return value


def format_weekday_date(day: dt.date, lang: str) -> str:
    """A short weekday and date (sob., 28. nov. · sab 28 nov · Sat 28 Nov)."""
    return format_skeleton("MMMEd", day, locale=_BABEL_LOCALES[language(lang)])


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the language's separators (1.234,5 in sl/it, 1,234.5 in en)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_BABEL_LOCALES[language(lang)])

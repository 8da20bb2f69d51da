"""The report's words: gap reasons, notes, the selection line, dates, unknown values and the map's text alternative.

Plain strings in the chosen language, no drawing (no matplotlib import), so pages and files can use them cheaply.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from geo import choropleth, coverage, i18n, settings

#: A population date the source gives only as an approximate year ("2022 (approx.)" in areas.csv).
_APPROX_YEAR = re.compile(r"^\s*(\d{4})\s*\(approx\.?\)\s*$")
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def missing(value: object) -> bool:
    """True for None, NaN and pandas' missing markers (NA, NaT)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers: not a missing scalar
        return False


def unknown(lang: str) -> str:
    """The translated word shown for a missing value ("neznano", "sconosciuto", "unknown")."""
    return i18n.t("report.unknown", lang)


def value_text(row: dict | pd.Series, key: str, lang: str) -> str:
    """A measure's value for one area as people read it (geo.coverage.words.value_text): "19,3 km", "67 %";
    for an area served only by services that come to the residents "served: …" / "not served", never a
    distance or 0 %; no matching service: "no matching service (no distance)"."""
    return coverage.words.value_text(row, key, lang)


def number_text(value: object, lang: str, decimals: int = 0) -> str:
    """A plain number in ``lang``'s convention ("1.262", "1,262"), or the translated "unknown"."""
    if missing(value):
        return unknown(lang)
    return i18n.format_number(float(value), lang, decimals)


def population_date(value: object, lang: str) -> str:
    """The reference date of an area's population as ``lang`` writes it.

    ``value`` is areas.csv's ``population_date``: an ISO day ("2024-01-01" → "1. jan. 2024") or a
    year the source gives only approximately ("2022 (approx.)" → "približno leto 2022 (natančen datum
    ni znan)"); anything else is shown as written, a missing value as "unknown".
    """
    if missing(value):
        return unknown(lang)
    text = str(value)
    year = _APPROX_YEAR.match(text)
    if year:
        return i18n.t("report.population_year_approx", lang, year=year.group(1))
    day = _ISO_DAY.match(text)
    if day:
        try:
            return i18n.format_day(dt.date(*(int(part) for part in day.groups())), lang)
        except ValueError:  # "2024-02-31": not a day, show it as the file has it
            return text
    return text


def population_as_of(value: object, lang: str) -> str:
    """The population's reference date as a phrase with its preposition ("na dan 1. jan. 2024",
    "al 1 gen 2024", "as of 1 Jan 2024"; an approximate year: "as of about 2022 (exact date not known)")."""
    text = "" if missing(value) else str(value)
    year = _APPROX_YEAR.match(text)
    if year:
        return i18n.t("report.population_as_of_approx", lang, year=year.group(1))
    return i18n.t("report.population_as_of", lang, date=population_date(value, lang))


def gap_text(row: dict | pd.Series, thresholds: coverage.GapThresholds, lang: str) -> str:
    """The raised gap flags of one area with their numbers and thresholds (geo.coverage.words.gap_text)."""
    return coverage.words.gap_text(row, thresholds, lang)


def approximation_notes(lang: str) -> list[str]:
    """What every area figure rests on, said where users see the figures."""
    return [
        i18n.t("note.boundary", lang),
        i18n.t("note.population", lang),
        i18n.t("note.road", lang, factor=i18n.format_number(settings.DETOUR_FACTOR, lang, 1)),
        i18n.t("note.area_wide", lang),
        i18n.t("note.confidential", lang),
        *coverage.words.notes(lang),
    ]


def selection_text(lang: str, category: str | None, target_group: str | None, at: dt.datetime | None,
                   include_unknown_hours: bool = True) -> str:
    """One line naming what the figures are about: category, target group and time."""
    cat = i18n.t(f"category.{category}", lang) if category and category != coverage.ALL else i18n.t("coverage.all_categories", lang)
    group = i18n.t(f"group.{target_group}", lang) if target_group and target_group != coverage.ALL else i18n.t("coverage.all_groups", lang)
    if at is None:
        when = i18n.t("coverage.any_time", lang)
    else:
        when = i18n.t("coverage.open_at_text", lang, day=i18n.format_weekday_date(at.date(), lang), time=f"{at:%H:%M}")
        if not include_unknown_hours:
            when += " " + i18n.t("coverage.unknown_left_out", lang)
    return f"{cat} · {group} · {when}"


def map_alt_text(table: pd.DataFrame, key: str, lang: str, highlight: list[str] | tuple[str, ...] = ()) -> str:
    """The static map said in words (its text alternative): what is coloured, the three least and best
    served areas with their values, how many have no value, and the outlined areas.

    ``table`` is one row per area (geo.coverage); returns one paragraph in ``lang``.
    """
    ranked = choropleth.ranked(table, key)
    name = {str(r["area_id"]): i18n.name_in(r, lang) for r in ranked.to_dict("records")}
    parts = [i18n.plural("report.map_alt", lang, len(table), measure=i18n.t(f"measure.{key}", lang))]
    if len(ranked):
        def listed(rows: pd.DataFrame) -> str:
            return ", ".join(f"{name[str(r['area_id'])]} ({value_text(r, key, lang)})" for r in rows.to_dict("records"))

        shown = min(3, len(ranked))
        parts.append(i18n.t("report.map_alt_worst", lang, areas=listed(ranked.head(shown))))
        parts.append(i18n.t("report.map_alt_best", lang, areas=listed(ranked.tail(shown).iloc[::-1])))
    delivered = ranked["basis"] == coverage.DELIVERED if "basis" in ranked else pd.Series(False, index=ranked.index)
    without = int((ranked[key].isna() & ~delivered).sum())
    if without:
        parts.append(i18n.plural("report.map_alt_unknown", lang, without))
    chosen = [name[a] for a in highlight if a in name]
    if chosen:
        parts.append(i18n.t("report.map_alt_highlight", lang, areas=", ".join(chosen)))
    return " ".join(parts)

"""Coverage results said to people, in sl/it/en: gap reasons, the gap rule, values per basis, time lists, notes.

Pure text from the rows of geo.coverage's tables (no Streamlit, no matplotlib), shared by the
pages and the council PDF so both say the same. Every text comes from geo/texts (keys
``coverage.*``, ``gap.*``, ``note.*``); numbers and dates via geo.i18n (babel).
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from geo import choropleth, i18n
from geo.coverage.rules import DELIVERED, MIXED, NOTHING, PLACES, GapThresholds

#: Measures that have no meaning for an area served only by services that come to the residents.
PLACE_MEASURES = ("mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km",
                  "share_within_1km", "share_within_5km", "share_within_10km", "access_2sfca")


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _pct(share: float, lang: str) -> str:
    return i18n.t("unit.pct", lang, value=i18n.format_number(share * 100, lang, 0))


def gap_text(row: dict | pd.Series, thresholds: GapThresholds, lang: str) -> str:
    """The raised gap flags of one area (a row of area_coverage), each with its number and threshold, in ``lang``.

    '' when the area has no gap. Flags: gap_far (far, or no usable place, or nothing at all),
    gap_low_share, gap_not_reached; "no service inside the area" is never among them.
    """
    parts = []
    basis = row.get("basis")
    mean = row.get("mean_distance_km")
    if row.get("gap_far"):
        if basis == NOTHING:
            parts.append(i18n.t("gap.far_nothing", lang))
        elif _missing(mean):
            parts.append(i18n.t("gap.far_ineligible", lang))
        else:
            parts.append(i18n.t("gap.far", lang, km=i18n.format_number(float(mean), lang, 1),
                                limit=i18n.format_number(thresholds.max_mean_distance_km, lang, 1)))
    if row.get("gap_low_share") and basis != NOTHING:
        radius = thresholds.share_radius_km
        share = row.get(f"share_within_{radius:g}km")
        shown = _pct(float(share), lang) if not _missing(share) else "–"
        parts.append(i18n.t("gap.low_share", lang, share=shown, radius=i18n.format_number(radius, lang, 0),
                            limit=_pct(thresholds.min_share, lang)))
    if row.get("gap_not_reached"):
        parts.append(i18n.t("gap.not_reached", lang))
    return "; ".join(parts)


def gap_rule(thresholds: GapThresholds, lang: str) -> str:
    """The gap rule in one sentence with the thresholds in use (for the page and the PDF)."""
    return i18n.t("coverage.gap_rule", lang, far=i18n.format_number(thresholds.max_mean_distance_km, lang, 1),
                  share=_pct(thresholds.min_share, lang), radius=i18n.format_number(thresholds.share_radius_km, lang, 0))


def gap_summary(table: pd.DataFrame, lang: str) -> str:
    """"N of 23 areas have a gap; M people live in them": exactly the rows whose ``gap`` flag is raised."""
    gaps = table[table["gap"].astype(bool)]
    return i18n.t("coverage.gap_summary", lang,
                  areas=i18n.plural("coverage.gap_areas", lang, len(gaps), total=len(table)),
                  people=i18n.plural("coverage.gap_people", lang, int(round(float(gaps["population"].sum())))))


def is_delivered_only(row: dict | pd.Series) -> bool:
    """True when the area's selection is only services that come to the residents (no distance)."""
    return row.get("basis") == DELIVERED


def value_text(row: dict | pd.Series, key: str, lang: str) -> str:
    """A measure's value for one area as shown to people.

    For a selection that only comes to the residents (basis delivered) a place measure reads
    "served: 5 services come to the residents" or "not served", never a distance or 0 %; an
    unknown value reads "no matching place its residents may use" when places match elsewhere (their
    service_area leaves these residents out), else "no matching service (no distance)"; else the value
    with its unit.
    """
    if (is_delivered_only(row) or row.get("phone_only")) and key in PLACE_MEASURES:
        return reach_text(row, lang)
    value = row.get(key)
    if _missing(value) or (isinstance(value, float) and not math.isfinite(value)):
        if row.get("basis") in (PLACES, MIXED) and key in PLACE_MEASURES:
            return i18n.t("coverage.no_usable_place", lang)  # places exist, none these residents may use
        return i18n.t("coverage.no_value", lang)
    return choropleth.measure(key).format(float(value), lang)


def reach_text(row: dict | pd.Series, lang: str) -> str:
    """Served / not served by the services that come to the residents, and by how many.

    For a mixed basis (places to go and services that come to the residents) the count reads "also
    comes to the residents: 1 service", never "served": the places may still be far (a gap).
    """
    if row.get("phone_only"):  # only confidential services match (geo.coverage.phone)
        return i18n.t("coverage.value_phone_only", lang)
    count = int(row.get("reaching_services") or 0)
    if count == 0:
        return i18n.t("coverage.value_not_reached", lang)
    if row.get("basis") == MIXED:
        return i18n.plural("coverage.value_also_reached", lang, count)
    return i18n.plural("coverage.value_reached", lang, count)


def reach_cell(row: dict | pd.Series, lang: str) -> str:
    """The tables' "reach" cell: reach_text for a basis that comes to the residents (delivered or mixed)
    or one only by phone (``phone_only``), else ''."""
    if row.get("basis") in (DELIVERED, MIXED) or row.get("phone_only"):
        return reach_text(row, lang)
    return ""


def basis_note(table: pd.DataFrame, lang: str) -> str | None:
    """One sentence saying how the selection is measured when it is not (only) places; None for places."""
    bases = set(table["basis"]) if len(table) else set()
    if bases == {DELIVERED}:
        return i18n.t("coverage.basis.delivered", lang)
    if MIXED in bases:
        return i18n.t("coverage.basis.mixed", lang)
    return None


def notes(lang: str) -> list[str]:
    """The coverage rules people need next to the figures: the gap rule's companions (general, eligibility, inside)."""
    return [i18n.t("note.eligibility", lang), i18n.t("note.general", lang), i18n.t("note.inside", lang)]


def when_text(moment: dt.datetime, lang: str) -> str:
    """A local moment as "Mon 30 Nov 07:00" in ``lang``."""
    return i18n.t("coverage.day_time", lang, day=i18n.format_weekday_date(moment.date(), lang), time=f"{moment:%H:%M}")


def closed_text(next_opening: dt.datetime | None, lang: str) -> str:
    """"closed, opens Mon 30 Nov 07:00" (or closed for the next two weeks) in ``lang``."""
    if next_opening is None or _missing(next_opening):
        return i18n.t("coverage.closed_later", lang)
    return i18n.t("coverage.closed_opens", lang, when=when_text(next_opening, lang))

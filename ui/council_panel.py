"""The council report's parts: which areas get a screen, which screen is showing, and the screens themselves.

Made for a 1920×1080 projector: every screen's title, text, map and navigation fit without
scrolling (the side panel starts collapsed), the map's names are at least 18 px tall, and the
areas come four to a screen (an overview, the gaps, then the chosen areas, least served first).

The link carries the screen (``?step=N``, 1-based) and, when not every area is chosen, the areas
(``?areas=ks-50605,ks-50617``: bounded, de-duplicated, unknown ids dropped by ``geo.areas.parse_area_list``).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import areas, choropleth, coverage, i18n, report, safe
from ui import cache, urlstate
from ui.widget_state import held

PARAMS = ("step", "areas")
#: Gap lines on the gaps screen before "and N more".
GAPS_SHOWN = 7
#: Areas on one screen after the overview and the gaps.
AREAS_PER_SCREEN = 4
#: The map as shown (CSS pixels) and the height of its names: sized for a 1920×1080 projector.
MAP_WIDTH_PX = 1020
MAP_HEIGHT_PX = 620
MAP_LABEL_PX = 20
#: The text box beside the map on an area screen (CSS pixels): taller than the map, so that four areas'
#: people, rank and gaps show whole at 1920×1080 (at the map's 620 px the fourth area's gaps were cut
#: mid-line, e.g. Gračišče with every category), while the navigation under it stays on the screen.
AREA_TEXT_HEIGHT_PX = 820
#: Large type for a projector, on this page only (static CSS, no data in it): less empty space at the
#: top so that title, map and navigation fit in 1080 pixels.
BIG_TYPE = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-bottom: 1rem; }
[data-testid="stMain"] h1 { font-size: 2.8rem !important; padding: 0 0 0.6rem 0; }
[data-testid="stMain"] h3 { font-size: 1.9rem !important; padding: 0.4rem 0 0.1rem 0; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.5rem; line-height: 1.3; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
[data-testid="stMain"] button p { font-size: 1.4rem; }
</style>
"""


def big_type() -> None:
    """Switch the page to projector-sized type."""
    st.markdown(BIG_TYPE, unsafe_allow_html=True)


def chosen_areas(lang: str, ranking: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """The sidebar's area picker (seeded from ``?areas=``, none or nothing usable = every area)."""
    every = list(ranking["area_id"])
    if "council_areas" not in st.session_state:
        st.session_state.council_areas = areas.parse_area_list(st.query_params.get("areas", ""), every) or every
    return list(st.sidebar.multiselect(i18n.t("council.areas", lang), every, format_func=names.get, key="council_areas",
                                        default=held("council_areas")))


def screens(area_ids: list[str]) -> list[str | tuple[str, ...]]:
    """The screens in order: "overview", "gaps", then the areas (in the order given) four at a time."""
    groups = [tuple(area_ids[i:i + AREAS_PER_SCREEN]) for i in range(0, len(area_ids), AREAS_PER_SCREEN)]
    return ["overview", "gaps", *groups]


def parse_step(value: object, total: int) -> int:
    """The 1-based screen of a ``?step=`` value, clamped to 1..total (1 when unreadable)."""
    try:
        step = int(str(value)[:6])
    except ValueError:
        step = 1
    return min(max(1, step), max(1, total))


def current_step(steps: list, chosen: list[str], every: list[str]) -> int:
    """The screen showing now (from the link the first time), written back to the link with the chosen areas."""
    st.session_state.setdefault("council_step", parse_step(st.query_params.get("step", "1"), len(steps)))
    st.session_state.council_step = min(max(1, st.session_state.council_step), len(steps))
    step = st.session_state.council_step
    link = {"step": str(step)}
    if set(chosen) != set(every):
        link["areas"] = ",".join(chosen)
    urlstate.write(link, PARAMS)
    return step


def _move(by: int, total: int) -> None:
    st.session_state.council_step = min(max(1, st.session_state.council_step + by), total)


def navigation(lang: str, step: int, total: int):
    """Previous / "screen N of M" / the PDF / next; returns the slot where the PDF button goes
    (filled at the end of the page, once the PDF is ready, so the screen does not wait for it)."""
    back, where, pdf, forward = st.columns([1, 1.4, 1, 1], vertical_alignment="center")
    back.button(i18n.t("council.previous", lang), on_click=_move, args=(-1, total), disabled=step <= 1,
                key="council_prev", icon=":material/arrow_back:", width="stretch")
    where.markdown(i18n.t("council.step", lang, step=step, total=total))
    forward.button(i18n.t("council.next", lang), on_click=_move, args=(1, total), disabled=step >= total,
                   key="council_next", icon=":material/arrow_forward:", width="stretch")
    return pdf.empty()


def pdf_button(slot, lang: str, data: bytes, file_name: str) -> None:
    """The PDF download in ``slot``: the bytes themselves, built before (never a deferred callable,
    whose file the next rerun withdraws: a click right after "Next" would then fail), under one
    stable key; downloading does not rerun the page."""
    slot.download_button(i18n.t("council.download_pdf", lang), data, file_name=file_name, mime="application/pdf",
                         key="council_pdf", icon=":material/picture_as_pdf:", on_click="ignore", width="stretch")


def _map(table: pd.DataFrame, boundaries: dict, key: str, lang: str, highlight: tuple[str, ...] = ()) -> None:
    """The static map at its projector size, with its text alternative (report.map_alt_text)."""
    png = cache.map_png(table, boundaries, key, lang, highlight=highlight or None, width_px=MAP_WIDTH_PX,
                        height_px=MAP_HEIGHT_PX, label_px=MAP_LABEL_PX)
    st.image(png, width=MAP_WIDTH_PX, alt=report.map_alt_text(table, key, lang, highlight))


def _columns(height_px: int = MAP_HEIGHT_PX):
    """Text on the left, the map on the right. The text sits in a box ``height_px`` tall (as tall as
    the map unless told; scrolling inside if the text runs longer), so the navigation under it is
    always on the screen."""
    left, right = st.columns([1, 1.45], gap="medium")
    return left.container(height=height_px, border=False), right


def overview(lang: str, table: pd.DataFrame, ranking: pd.DataFrame, names: dict, measure, measure_name: str,
             thresholds, boundaries: dict) -> None:
    """Screen 1: how many areas and people, how many have a gap, the least served area, the map."""
    st.title(i18n.t("council.overview_title", lang))
    left, right = _columns()
    with left:
        st.markdown(i18n.t("council.overview", lang, areas=i18n.plural("council.overview_areas", lang, len(table)),
                           people=i18n.plural("council.overview_people", lang, int(table["population"].sum()))))
        st.markdown(coverage.words.gap_summary(table, lang))  # counts from the text tables, no data
        if len(ranking):
            worst = ranking.iloc[0]
            st.markdown(i18n.t("council.worst", lang, measure=measure_name, area=safe.md_text(names[worst["area_id"]]),
                               value=safe.md_text(report.value_text(worst, measure.key, lang)), n=int(worst["population"])))
        note = coverage.words.basis_note(table, lang)
        st.caption(safe.md_text(coverage.words.gap_rule(thresholds, lang) + (f" {note}" if note else "")))
    with right:
        _map(table, boundaries, measure.key, lang)


def gaps(lang: str, table: pd.DataFrame, names: dict, measure, thresholds, boundaries: dict) -> None:
    """Screen 2: the areas with a gap, least served first, and the map with them outlined."""
    rows = choropleth.ranked(table[table["gap"].astype(bool)], measure.key)
    st.title(i18n.t("council.gaps_title", lang, n=len(rows)))
    st.caption(safe.md_text(coverage.words.gap_rule(thresholds, lang)))
    left, right = _columns()
    with left:
        if rows.empty:
            st.markdown(i18n.t("coverage.no_gaps", lang))
        st.markdown("\n".join(
            f"- **{safe.md_text(names[r['area_id']])}** · {i18n.plural('council.people', lang, int(r['population']))}"
            f" · {safe.md_text(report.gap_text(r, thresholds, lang))}"
            for r in rows.head(GAPS_SHOWN).to_dict("records")))
        if len(rows) > GAPS_SHOWN:
            st.caption(i18n.t("council.more_gaps", lang, n=len(rows) - GAPS_SHOWN))
    with right:
        _map(table, boundaries, measure.key, lang, tuple(rows["area_id"]))


def _dates(lang: str, ranking: pd.DataFrame, area_ids: tuple[str, ...], names: dict) -> str:
    """The population reference dates of the areas shown: one phrase, or one per date with its areas."""
    by_date: dict[str, list[str]] = {}
    for area_id in area_ids:
        value = ranking.loc[ranking["area_id"] == area_id, "population_date"].iloc[0]
        by_date.setdefault(report.population_as_of(value, lang), []).append(names[area_id])
    if len(by_date) == 1:
        return next(iter(by_date))
    return "; ".join(f"{phrase} ({', '.join(places)})" for phrase, places in by_date.items())


def group(lang: str, area_ids: tuple[str, ...], ranking: pd.DataFrame, names: dict, measure, measure_name: str,
          thresholds, boundaries: dict, table: pd.DataFrame) -> None:
    """A screen of up to four areas: people, the measure and its rank, gaps; the map with them outlined."""
    st.title(" · ".join(safe.md_text(names[a]) for a in area_ids))
    st.caption(safe.md_text(f"{measure_name} · {i18n.t('council.dates', lang, dates=_dates(lang, ranking, area_ids, names))}"))
    left, right = _columns(AREA_TEXT_HEIGHT_PX)
    with left:
        for area_id in area_ids:
            row = ranking[ranking["area_id"] == area_id].iloc[0].to_dict()
            rank = int(ranking.index[ranking["area_id"] == area_id][0]) + 1
            st.subheader(safe.md_text(names[area_id]), anchor=False)
            value = safe.md_text(report.value_text(row, measure.key, lang))
            # served / not served has no rank among the areas; a measured value has
            said = (f"**{value}**" if coverage.words.is_delivered_only(row)
                    else i18n.t("council.area_rank", lang, value=value, rank=rank, total=len(ranking)))
            st.markdown(i18n.plural("council.overview_people", lang, int(row["population"])) + " · " + said)
            gap = report.gap_text(row, thresholds, lang)
            st.markdown(i18n.t("council.area_gap", lang, gaps=safe.md_text(gap)) if gap else i18n.t("report.no_gap", lang))
    with right:
        _map(table, boundaries, measure.key, lang, area_ids)

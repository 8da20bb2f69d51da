"""The council report's parts: which areas get a screen, which screen is showing, and the screens themselves.

The link carries the screen (``?step=N``, 1-based) and, when not every area is chosen, the areas
(``?areas=ks-50605,ks-50617``: bounded, de-duplicated, unknown ids dropped by ``geo.areas.parse_area_list``).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import areas, choropleth, i18n, report, safe
from ui import cache, urlstate

PARAMS = ("step", "areas")
#: Gap lines on the gaps screen before "and N more".
GAPS_SHOWN = 10
#: Large type for a projector, on this page only (static CSS, no data in it).
BIG_TYPE = """
<style>
[data-testid="stMain"] h1 { font-size: 3.2rem !important; }
[data-testid="stMain"] h2 { font-size: 2.4rem !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.9rem; line-height: 1.35; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.1rem; }
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
    return list(st.sidebar.multiselect(i18n.t("council.areas", lang), every, format_func=names.get, key="council_areas"))


def parse_step(value: object, total: int) -> int:
    """The 1-based screen of a ``?step=`` value, clamped to 1..total (1 when unreadable)."""
    try:
        step = int(str(value)[:6])
    except ValueError:
        step = 1
    return min(max(1, step), max(1, total))


def current_step(steps: list[str], chosen: list[str], every: list[str]) -> int:
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


def navigation(lang: str, step: int, total: int) -> None:
    """Previous / "screen N of M" / next."""
    back, where, forward = st.columns([1, 2, 1])
    back.button(i18n.t("council.previous", lang), on_click=_move, args=(-1, total), disabled=step <= 1,
                key="council_prev", icon=":material/arrow_back:", width="stretch")
    where.markdown(i18n.t("council.step", lang, step=step, total=total))
    forward.button(i18n.t("council.next", lang), on_click=_move, args=(1, total), disabled=step >= total,
                   key="council_next", icon=":material/arrow_forward:", width="stretch")


def overview(lang: str, table: pd.DataFrame, ranking: pd.DataFrame, names: dict, measure, measure_name: str,
             boundaries: dict) -> None:
    """Screen 1: how many people, the least served area, the map."""
    st.title(i18n.t("council.overview_title", lang))
    worst = ranking.iloc[0]
    st.markdown(i18n.t("council.overview", lang, n=len(table), people=i18n.format_number(table["population"].sum(), lang)))
    st.markdown(i18n.t("council.worst", lang, measure=measure_name, area=safe.md_text(names[worst["area_id"]]),
                       value=measure.format(worst[measure.key], lang), people=i18n.format_number(worst["population"], lang)))
    st.image(cache.map_png(table, boundaries, measure.key, lang), width="stretch")


def gaps(lang: str, table: pd.DataFrame, names: dict, measure, thresholds) -> None:
    """Screen 2: the areas with a gap, least served first."""
    rows = choropleth.ranked(table[table["gap"]], measure.key)
    st.title(i18n.t("council.gaps_title", lang, n=len(rows)))
    if rows.empty:
        st.markdown(i18n.t("coverage.no_gaps", lang))
    st.markdown("\n".join(
        f"- **{safe.md_text(names[r['area_id']])}** · {i18n.t('council.people', lang, n=i18n.format_number(r['population'], lang))}"
        f" · {safe.md_text(report.gap_text(r, thresholds, lang))}"
        for r in rows.head(GAPS_SHOWN).to_dict("records")))
    if len(rows) > GAPS_SHOWN:
        st.caption(i18n.t("council.more_gaps", lang, n=len(rows) - GAPS_SHOWN))


def area(lang: str, area_id: str, table: pd.DataFrame, ranking: pd.DataFrame, names: dict, measure,
         measure_name: str, thresholds, boundaries: dict) -> None:
    """One screen per chosen area: people, the measure and its rank, gaps, the map with the area highlighted."""
    row = ranking[ranking["area_id"] == area_id].iloc[0].to_dict()
    rank = int(ranking.index[ranking["area_id"] == area_id][0]) + 1
    st.title(safe.md_text(names[area_id]))
    left, right = st.columns([1, 1])
    with left:
        st.markdown(i18n.t("council.area_people", lang, n=i18n.format_number(row["population"], lang), date=row["population_date"]))
        st.markdown(i18n.t("council.area_value", lang, measure=measure_name, value=measure.format(row[measure.key], lang),
                           rank=rank, total=len(ranking)))
        gap = report.gap_text(row, thresholds, lang)
        st.markdown(i18n.t("council.area_gap", lang, gaps=safe.md_text(gap)) if gap else i18n.t("report.no_gap", lang))
    with right:
        st.image(cache.map_png(table, boundaries, measure.key, lang, highlight=area_id), width="stretch")

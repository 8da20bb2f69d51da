"""The coverage overview's parts: headline, clickable choropleth, ranking table, comparison chart, gap lines, downloads.

Each takes the one-row-per-area table of ``ui.coverage_panel.area_table`` and the chosen measure
(``geo.choropleth.measure``). A click on an area (map or ranking) opens its profile page.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import assets, choropleth, i18n, report, safe
from ui import coverage_panel

PROFILE_PAGE = "pages/area.py"
MAP_HEIGHT = 520
UNIT_FORMATS = {"km": "%.1f km", "pct": "%.0f %%", "per1000": "%.2f", "count": "%d"}
RANKING_COLUMNS = ["rank", "area", "value", "population", "population_date", "services_in_area", "area_wide_services",
                   "mean_distance_km", "max_distance_km", "share_within_5km", "services_per_1000", "gap", "gap_text"]


def open_profile(view: coverage_panel.View, area_id: str, lang: str) -> None:
    """Go to the area's profile with the same choices."""
    st.switch_page(PROFILE_PAGE, query_params=coverage_panel.profile_params(view, area_id, lang))


def headline(lang: str, table: pd.DataFrame, ranking: pd.DataFrame, measure, measure_name: str, selection: str) -> None:
    """What is shown, the least served area, and how many areas and people have a gap."""
    st.markdown(i18n.t("coverage.selection", lang, selection=selection, measure=measure_name))
    worst = ranking.iloc[0]
    if ranking[measure.key].isna().all():
        st.markdown(i18n.t("coverage.headline_none", lang))
    else:
        st.markdown(i18n.t(
            "coverage.headline", lang, area=safe.md_text(i18n.name_in(worst, lang)), value=measure.format(worst[measure.key], lang),
            people=i18n.format_number(worst["population"], lang), date=worst["population_date"],
        ))
    gaps = table[table["gap"]]
    st.markdown(i18n.t("coverage.gap_summary", lang, n=len(gaps), total=len(table),
                       people=i18n.format_number(gaps["population"].sum(), lang)))


def area_map(lang: str, view, table: pd.DataFrame, boundaries: dict, outline: dict, measure, measure_name: str) -> None:
    """The choropleth; a click on an area opens its profile."""
    fmap = choropleth.build_choropleth(table, boundaries, measure.key, lang, title=measure_name, outline=outline)
    returned = st_folium(fmap, key="coverage_map", height=MAP_HEIGHT, use_container_width=True,
                         returned_objects=["last_active_drawing"])
    st.caption(i18n.t("coverage.click_hint", lang))
    clicked = returned.get("last_active_drawing") if isinstance(returned, dict) else None
    clicked_id = ((clicked or {}).get("properties") or {}).get("area_id")
    # st_folium repeats the last click on every rerun; only a new one opens the profile.
    if clicked_id and clicked_id != st.session_state.get("coverage_clicked") and clicked_id in set(table["area_id"]):
        st.session_state.coverage_clicked = clicked_id
        open_profile(view, clicked_id, lang)
    for note in report.approximation_notes(lang)[:3]:
        st.caption(note)


def ranking_table(lang: str, view, ranking: pd.DataFrame, measure, measure_name: str) -> pd.DataFrame:
    """The ranking (least served first); picking a row opens that area's profile. Returns the rows shown."""
    st.subheader(i18n.t("coverage.ranking", lang, measure=measure_name))
    shown = ranking.assign(
        rank=range(1, len(ranking) + 1),
        area=[i18n.name_in(r, lang) for r in ranking.to_dict("records")],
        value=[measure.display(v) for v in ranking[measure.key].astype(float)],
        share_within_5km=ranking["share_within_5km"] * 100,  # shown in per cent
        gap_text=[report.gap_text(r, view.thresholds, lang) for r in ranking.to_dict("records")],
    )
    unit = i18n.t(f"unit.label.{measure.unit}", lang)
    columns = coverage_panel.column_config(
        RANKING_COLUMNS, lang,
        value=st.column_config.NumberColumn(f"{measure_name} ({unit})", format=UNIT_FORMATS[measure.unit]),
        gap=st.column_config.CheckboxColumn(i18n.t("report.col.gap", lang)),
    )
    picked = st.dataframe(shown[list(columns)], column_config=columns, hide_index=True, width="stretch",
                          key="coverage_ranking", on_select="rerun", selection_mode="single-row")
    st.caption(i18n.t("coverage.table_hint", lang))
    rows = (picked.get("selection", {}).get("rows", []) if isinstance(picked, dict)
            else getattr(getattr(picked, "selection", None), "rows", []))
    if rows:
        open_profile(view, str(shown.iloc[rows[0]]["area_id"]), lang)
    return shown


def comparison_chart(lang: str, shown: pd.DataFrame, measure, measure_name: str) -> None:
    """A bar per area (gaps in the palette's darkest colour); areas without a value are counted below it."""
    st.subheader(i18n.t("coverage.compare", lang))
    chart_data = shown[["area", "value", "gap"]].dropna(subset=["value"])
    yes, no = i18n.t("report.yes", lang), i18n.t("report.no", lang)
    chart_data = chart_data.assign(gap=chart_data["gap"].map({True: yes, False: no}))
    chart = alt.Chart(chart_data).mark_bar().encode(
        x=alt.X("value:Q", title=f"{measure_name} ({i18n.t(f'unit.label.{measure.unit}', lang)})"),
        y=alt.Y("area:N", sort=list(chart_data["area"]), title=None, axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("gap:N", title=i18n.t("report.col.gap", lang),
                        scale=alt.Scale(domain=[no, yes], range=["#8fa3b5", choropleth.PALETTE[-1]])),
        tooltip=[alt.Tooltip("area:N", title=i18n.t("report.col.area", lang)), alt.Tooltip("value:Q", format=".2f")],
    ).properties(height=max(240, 22 * len(chart_data)))
    st.altair_chart(chart, width="stretch")
    missing = len(shown) - len(chart_data)
    if missing:
        st.caption(i18n.t("coverage.no_value_note", lang, n=missing))


def gap_lines(lang: str, table: pd.DataFrame, measure, thresholds) -> None:
    """One line per area with a gap, least served first."""
    st.subheader(i18n.t("coverage.gaps", lang))
    gaps = table[table["gap"]]
    if gaps.empty:
        st.info(i18n.t("coverage.no_gaps", lang))
    for row in choropleth.ranked(gaps, measure.key).to_dict("records"):
        st.markdown(i18n.t("coverage.gap_line", lang, area=safe.md_text(i18n.name_in(row, lang)),
                           people=i18n.format_number(row["population"], lang),
                           reasons=report.gap_text(row, thresholds, lang)))


def downloads(lang: str, view, *, table: pd.DataFrame, long: pd.DataFrame, ranking: pd.DataFrame, boundaries: dict,
              outline: dict, services: pd.DataFrame, measure, measure_name: str, selection: str) -> None:
    """CSV, Excel, the map as one HTML file, and the PDF report (each built only when asked for)."""
    st.subheader(i18n.t("coverage.downloads", lang))
    figures = report.figures(ranking, lang, view.thresholds)
    stem = f"koper-coverage-{view.category or 'all'}"
    left, middle, right, last = st.columns(4)
    left.download_button(i18n.t("coverage.download_csv", lang), report.csv_bytes(figures), file_name=f"{stem}.csv",
                         mime="text/csv", key="coverage_csv", icon=":material/download:")
    middle.download_button(
        i18n.t("coverage.download_xlsx", lang),
        lambda: report.excel_bytes({i18n.t("page.coverage", lang): figures,
                                    i18n.t("report.notes", lang): report.notes_table(lang, selection)}),
        file_name=f"{stem}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="coverage_xlsx", icon=":material/table:",
    )
    right.download_button(
        i18n.t("coverage.download_html", lang),
        lambda: assets.standalone_html(choropleth.build_choropleth(table, boundaries, measure.key, lang,
                                                                   title=measure_name, outline=outline)),
        file_name=f"{stem}-map.html", mime="text/html", key="coverage_html", icon=":material/map:",
    )
    coverage_panel.pdf_button(last, lang, view, table=table, long=long, boundaries=boundaries, services=services,
                              measure_key=measure.key, selection=selection, file_name=f"{stem}-report.pdf",
                              key="coverage_pdf")

"""The coverage overview's parts: headline, clickable choropleth, ranking table, comparison chart, gap lines, downloads.

Each takes the one-row-per-area table of ``ui.coverage_panel.area_table`` and the chosen measure
(``geo.choropleth.measure``). A click on an area (map or ranking) opens its profile page.
"""
from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st
from babel import numbers as babel_numbers
from streamlit_folium import st_folium

from geo import assets, choropleth, coverage, hours, i18n, report, safe
from ui import cards, coverage_panel

PROFILE_PAGE = "pages/area.py"
MAP_HEIGHT = 520
RANKING_COLUMNS = ["rank", "area", "value", "reach", "population", "population_date", "services_in_area", "area_wide_services",
                   "mean_distance_km", "max_distance_km", "share_within_5km", "services_per_1000", "gap", "gap_text"]


def open_profile(view: coverage_panel.View, area_id: str, lang: str) -> None:
    """Go to the area's profile with the same choices."""
    st.switch_page(PROFILE_PAGE, query_params=coverage_panel.profile_params(view, area_id, lang))


def headline(lang: str, table: pd.DataFrame, ranking: pd.DataFrame, measure, measure_name: str, selection: str,
             thresholds: coverage.GapThresholds | None = None) -> None:
    """What is shown, how it is measured, the least served area, how many areas and people have a gap, and the rule."""
    st.markdown(i18n.t("coverage.selection", lang, selection=selection, measure=measure_name))
    basis_note = coverage.words.basis_note(table, lang)
    if basis_note:
        st.info(basis_note)
    worst = ranking.iloc[0]
    delivered_only = coverage.words.is_delivered_only(worst)
    if delivered_only and not worst["gap"]:
        pass  # every area is served by what comes to the residents: the gap line says it
    elif ranking[measure.key].isna().all() and not delivered_only:
        st.markdown(i18n.t("coverage.headline_none", lang))
    else:
        st.markdown(i18n.t(
            "coverage.headline", lang, area=safe.md_text(i18n.name_in(worst, lang)),
            value=coverage.words.value_text(worst, measure.key, lang),
            n=int(worst["population"]), date=report.population_date(worst["population_date"], lang),
        ))
    st.markdown(coverage.words.gap_summary(table, lang))
    st.caption(coverage.words.gap_rule(thresholds or coverage.GapThresholds(), lang))


def delivered_part(lang: str, table: pd.DataFrame, services: pd.DataFrame) -> None:
    """For a mixed choice, which part comes to the residents (each service with how it is delivered);
    the rest of the choice is the places measured by distance."""
    if coverage.MIXED not in set(table["basis"]):
        return
    ids = sorted({i for row in table["reaching_ids"] for i in row})
    rows = services[services["id"].isin(ids)]
    parts = []
    for record in rows.to_dict("records"):
        how = i18n.t(f"delivery.{record.get('delivery') or 'home'}", lang)
        parts.append(f"{i18n.field(record, 'name', lang)} ({how.lower()})")
    if parts:
        st.caption(i18n.t("coverage.delivered_part", lang, services=safe.md_text("; ".join(parts))))


def time_lists(lang: str, services: pd.DataFrame, view) -> None:
    """At a chosen time: the matching services closed then (with their next opening) and those with
    unknown hours, each apart and labelled; nothing known to be closed is dropped silently."""
    if view.at is None:
        return
    status = coverage.time_status(services, view.at, category=view.category, target_group=view.target_group,
                                  include_unknown_hours=view.include_unknown_hours)
    rows = services.loc[status.index]
    closed = status[status["state"] == hours.CLOSED]
    unknown = status[status["state"] == hours.UNKNOWN]
    if len(closed):
        with st.expander(i18n.t("coverage.time_closed", lang, n=i18n.format_number(len(closed), lang)), expanded=True):
            for service_id, moment in zip(closed.index, closed["next_opening"]):
                st.markdown(_time_line(rows.loc[service_id], coverage.words.closed_text(moment, lang), lang))
    if len(unknown):
        with st.expander(i18n.t("coverage.time_unknown", lang, n=i18n.format_number(len(unknown), lang))):
            st.caption(i18n.t("coverage.time_unknown_counted" if view.include_unknown_hours
                              else "coverage.time_unknown_left_out", lang))
            for service_id in unknown.index:
                st.markdown(_time_line(rows.loc[service_id], i18n.t("coverage.hours_unknown", lang), lang))


def _time_line(record: pd.Series, state: str, lang: str) -> str:
    phones = record.get("phones")
    phone = ", ".join(phones) if isinstance(phones, (list, tuple)) else str(phones or "")
    line = i18n.t("coverage.time_line", lang, name=safe.md_text(i18n.field(record, "name", lang)),
                  category=safe.md_text(i18n.t(f"category.{record['category']}", lang)), state=safe.md_text(state))
    return f"- {line}" + (f" · {safe.md_text(phone)}" if phone else "")


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


def delivered_only(table: pd.DataFrame) -> bool:
    """True when every area's selection only comes to the residents (basis delivered): no distance to show."""
    return bool(len(table)) and bool((table["basis"] == coverage.DELIVERED).all())


def measure_title(lang: str, table: pd.DataFrame, measure_name: str) -> str:
    """The measure's name as headings show it: "served / not served" for a delivered-only selection
    (e.g. home care), whose place measures (a mean distance…) are not shown."""
    return i18n.t("coverage.measure_reach", lang) if delivered_only(table) else measure_name


def ranking_table(lang: str, view, ranking: pd.DataFrame, measure, measure_name: str) -> pd.DataFrame:
    """The ranking (least served first); picking a row opens that area's profile. Returns the rows shown."""
    st.subheader(i18n.t("coverage.ranking", lang, measure=measure_name))
    shown = ranking.assign(
        rank=range(1, len(ranking) + 1),
        area=[i18n.name_in(r, lang) for r in ranking.to_dict("records")],
        value=[measure.display(v) for v in ranking[measure.key].astype(float)],
        share_within_5km=ranking["share_within_5km"] * 100,  # shown in per cent
        population_date=[report.population_date(v, lang) for v in ranking["population_date"]],  # as the language writes it
        reach=[coverage.words.reach_cell(r, lang) for r in ranking.to_dict("records")],
        gap_text=[coverage.words.gap_text(r, view.thresholds, lang) for r in ranking.to_dict("records")],
    )
    unit = i18n.t(f"unit.label.{measure.unit}", lang)
    # On a projector the table must fit: the measure's own column repeats the value column, and one
    # population date for every area is said once below the table rather than in a column of its own.
    dates = ranking["population_date"].dropna().unique()
    one_date = len(dates) == 1
    names = [c for c in RANKING_COLUMNS if c != measure.key and not (one_date and c == "population_date")]
    columns = coverage_panel.column_config(
        names, lang,
        value=st.column_config.TextColumn(measure_name if delivered_only(ranking) else f"{measure_name} ({unit})",
                                          alignment="right"),
        gap=st.column_config.CheckboxColumn(i18n.t("report.col.gap", lang)),
    )
    table = coverage_panel.shown_frame(shown, list(columns), lang, value=coverage_panel.UNIT_STYLES[measure.unit])
    with cards.wide("coverage_ranking"):
        picked = st.dataframe(table, column_config=columns, hide_index=True, width="stretch",
                              key="coverage_ranking", on_select="rerun", selection_mode="single-row")
        st.caption(i18n.t("coverage.table_hint", lang))
    if one_date:
        st.caption(i18n.t("coverage.population_note", lang, as_of=report.population_as_of(dates[0], lang)))
    # a phone: one card per area (rank, name, value, reach, gap; the rest folded) with a link to its profile
    yes, no = i18n.t("report.yes", lang), i18n.t("report.no", lang)
    cards.narrow("coverage_ranking", cards.cards_html(
        table.assign(rank=[f"{r}." for r in table["rank"]], gap=[yes if g else no for g in table["gap"]]),
        coverage_panel.column_labels(columns), title=("rank", "area"), aside=("value",),
        lead=("reach", "gap_text"), plain=("reach",),
        links=[coverage_panel.profile_href(view, str(a), lang) for a in shown["area_id"]],
        link_text=i18n.t("coverage.open_profile", lang), label=i18n.t("coverage.ranking", lang, measure=measure_name)))
    rows = (picked.get("selection", {}).get("rows", []) if isinstance(picked, dict)
            else getattr(getattr(picked, "selection", None), "rows", []))
    if rows:
        open_profile(view, str(shown.iloc[rows[0]]["area_id"]), lang)
    return shown


def comparison_chart(lang: str, shown: pd.DataFrame, measure, measure_name: str) -> None:
    """A bar per area (gaps in the palette's darkest colour); areas without a value are counted below it."""
    st.subheader(i18n.t("coverage.compare", lang))
    chart_data = shown[["area", "value", "gap"]].dropna(subset=["value"])
    if chart_data.empty:  # e.g. home care: served / not served, no value to draw (the ranking says it)
        st.caption(i18n.t("coverage.headline_none", lang) if (shown["reach"] == "").all() else
                   coverage.words.basis_note(shown.assign(basis=coverage.DELIVERED), lang))
        return
    yes, no = i18n.t("report.yes", lang), i18n.t("report.no", lang)
    chart_data = chart_data.assign(gap=chart_data["gap"].map({True: yes, False: no}))
    # Columns named in the language (Streamlit's "Show data" shows them); a field name's "." and
    # brackets are escaped for Vega-Lite ("na 1.000 prebivalcev").
    unit = i18n.t(f"unit.label.{measure.unit}", lang)
    # "… per 1,000 residents" names its unit already: not "(per 1,000 residents)" again
    value_title = measure_name if unit.casefold() in measure_name.casefold() else f"{measure_name} ({unit})"
    names = {"area": i18n.t("report.col.area", lang), "value": value_title, "gap": i18n.t("report.col.gap", lang)}
    field = {column: re.sub(r"([.\[\]\\])", r"\\\1", name) for column, name in names.items()}
    style = coverage_panel.UNIT_STYLES[measure.unit]
    first, last = chart_data.iloc[0], chart_data.iloc[-1]
    # Screen readers get the chart's one description in the language (Vega's own English per bar and
    # axis is off: the ranking table above has the same numbers); numbers as the language writes them.
    description = i18n.t("coverage.chart_description", lang, measure=measure_name,
                         first=first["area"], first_value=coverage_panel.number_text(first["value"], style, lang),
                         last=last["area"], last_value=coverage_panel.number_text(last["value"], style, lang))
    chart = alt.Chart(chart_data.rename(columns=names)).mark_bar(aria=False).encode(
        x=alt.X(field=field["value"], type="quantitative", title=value_title, axis=alt.Axis(aria=False)),
        y=alt.Y(field=field["area"], type="nominal", sort=list(chart_data["area"]), title=None,
                axis=alt.Axis(labelOverlap=False, aria=False)),
        color=alt.Color(field=field["gap"], type="nominal", title=names["gap"], legend=alt.Legend(aria=False),
                        scale=alt.Scale(domain=[no, yes], range=["#8fa3b5", choropleth.PALETTE[-1]])),
        tooltip=[alt.Tooltip(field=field["area"], type="nominal", title=names["area"]),
                 alt.Tooltip(field=field["value"], type="quantitative", title=value_title, format=".2f")],
    ).properties(height=max(240, 22 * len(chart_data)), description=description).configure(
        aria=False, locale={"number": {"decimal": babel_numbers.get_decimal_symbol(lang),
                           "thousands": babel_numbers.get_group_symbol(lang), "grouping": [3], "currency": ["", ""]}})
    st.altair_chart(chart, width="stretch")
    delivered = shown["value"].isna() & (shown["reach"] != "") if "reach" in shown else shown["value"].isna() & False
    missing = len(shown) - len(chart_data) - int(delivered.sum())
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
                           n=int(row["population"]),
                           reasons=coverage.words.gap_text(row, thresholds, lang)))


def downloads(lang: str, view, *, table: pd.DataFrame, long: pd.DataFrame, ranking: pd.DataFrame, boundaries: dict,
              outline: dict, services: pd.DataFrame, measure, measure_name: str, selection: str) -> None:
    """CSV, Excel, the map as one HTML file, and the PDF report (each built only when asked for)."""
    st.subheader(i18n.t("coverage.downloads", lang))
    figures = report.figures(ranking, lang, view.thresholds)
    stem = f"koper-coverage-{view.category or 'all'}"
    left, middle, right, last = st.columns(4)
    # The CSV in the language (its separators, ";" in sl/it) and the machine-readable one (see geo/report/tables.py).
    left.download_button(i18n.t("coverage.download_csv", lang), report.csv_bytes(figures, lang), file_name=f"{stem}.csv",
                         mime="text/csv", key="coverage_csv", icon=":material/download:", help=i18n.t("report.csv_note", lang))
    left.download_button(i18n.t("coverage.download_data_csv", lang), report.data_csv_bytes(ranking),
                         file_name=f"{stem}-data.csv", mime="text/csv", key="coverage_data_csv", icon=":material/data_object:",
                         help=i18n.t("report.csv_note", lang))
    middle.download_button(
        i18n.t("coverage.download_xlsx", lang),
        lambda: report.workbook(ranking, lang, view.thresholds, selection, i18n.t("page.coverage", lang)),
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

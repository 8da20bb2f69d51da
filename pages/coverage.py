"""Coverage overview: the 23 areas on a choropleth, ranked, compared, with gaps and downloads."""
from __future__ import annotations

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geo import assets, choropleth, hours, i18n, report
from ui import cache, common, coverage_panel

PROFILE_PAGE = "pages/area.py"
MAP_HEIGHT = 520

lang = common.page_start("page.coverage", "coverage.intro")
services = common.services_or_stop(lang, needs_map=True)

view = coverage_panel.controls(lang)
long = coverage_panel.long_table(view)
table = coverage_panel.area_table(long, view)
measure = choropleth.measure(view.measure)
measure_name = i18n.t(f"measure.{measure.key}", lang)
selection = report.selection_text(lang, view.category, view.target_group, view.at, view.include_unknown_hours)
ranking = choropleth.ranked(table, measure.key)


def open_profile(area_id: str) -> None:
    st.switch_page(PROFILE_PAGE, query_params=coverage_panel.profile_params(view, area_id, lang))


# --- the headline ---------------------------------------------------------------------------------
st.markdown(i18n.t("coverage.selection", lang, selection=selection, measure=measure_name))
worst = ranking.iloc[0]
if ranking[measure.key].isna().all():
    st.markdown(i18n.t("coverage.headline_none", lang))
else:
    st.markdown(i18n.t(
        "coverage.headline", lang, area=i18n.name_in(worst, lang), value=measure.format(worst[measure.key], lang),
        people=i18n.format_number(worst["population"], lang), date=worst["population_date"],
    ))
gaps = table[table["gap"]]
st.markdown(i18n.t("coverage.gap_summary", lang, n=len(gaps), total=len(table),
                   people=i18n.format_number(gaps["population"].sum(), lang)))

# --- the map --------------------------------------------------------------------------------------
boundaries, outline = cache.load_boundaries(), cache.load_outline()
fmap = choropleth.build_choropleth(table, boundaries, measure.key, lang, title=measure_name, outline=outline)
returned = st_folium(fmap, key="coverage_map", height=MAP_HEIGHT, use_container_width=True,
                     returned_objects=["last_active_drawing"])
st.caption(i18n.t("coverage.click_hint", lang))
clicked = (returned or {}).get("last_active_drawing") if isinstance(returned, dict) else None
clicked_id = ((clicked or {}).get("properties") or {}).get("area_id")
# st_folium repeats the last click on every rerun; only a new one opens the profile.
if clicked_id and clicked_id != st.session_state.get("coverage_clicked") and clicked_id in set(table["area_id"]):
    st.session_state.coverage_clicked = clicked_id
    open_profile(clicked_id)
for note in report.approximation_notes(lang)[:3]:
    st.caption(note)

# --- the ranking ----------------------------------------------------------------------------------
st.subheader(i18n.t("coverage.ranking", lang, measure=measure_name))
shown = ranking.assign(
    rank=range(1, len(ranking) + 1),
    area=[i18n.name_in(r, lang) for r in ranking.to_dict("records")],
    value=[measure.display(v) for v in ranking[measure.key].astype(float)],
    share_within_5km=ranking["share_within_5km"] * 100,  # shown in per cent
    gap_text=[report.gap_text(r, view.thresholds, lang) for r in ranking.to_dict("records")],
)
unit_format = {"km": "%.1f km", "pct": "%.0f %%", "per1000": "%.2f", "count": "%d"}[measure.unit]
columns = coverage_panel.column_config(
    ["rank", "area", "value", "population", "population_date", "services_in_area", "area_wide_services",
     "mean_distance_km", "max_distance_km", "share_within_5km", "services_per_1000", "gap", "gap_text"], lang,
    value=st.column_config.NumberColumn(f"{measure_name} ({i18n.t(f'unit.label.{measure.unit}', lang)})", format=unit_format),
    gap=st.column_config.CheckboxColumn(i18n.t("report.col.gap", lang)),
)
picked = st.dataframe(
    shown[list(columns)], column_config=columns, hide_index=True, width="stretch", key="coverage_ranking",
    on_select="rerun", selection_mode="single-row",
)
st.caption(i18n.t("coverage.table_hint", lang))
rows = (picked or {}).get("selection", {}).get("rows", []) if isinstance(picked, dict) else getattr(getattr(picked, "selection", None), "rows", [])
if rows:
    open_profile(str(shown.iloc[rows[0]]["area_id"]))

# --- the comparison chart -------------------------------------------------------------------------
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

# --- gaps -----------------------------------------------------------------------------------------
st.subheader(i18n.t("coverage.gaps", lang))
if gaps.empty:
    st.info(i18n.t("coverage.no_gaps", lang))
for row in choropleth.ranked(gaps, measure.key).to_dict("records"):
    st.markdown(i18n.t("coverage.gap_line", lang, area=i18n.name_in(row, lang),
                       people=i18n.format_number(row["population"], lang),
                       reasons=report.gap_text(row, view.thresholds, lang)))

# --- downloads ------------------------------------------------------------------------------------
st.subheader(i18n.t("coverage.downloads", lang))
figures = report.figures(ranking, lang, view.thresholds)
stem = f"koper-coverage-{view.category or 'all'}"
left, middle, right, last = st.columns(4)
left.download_button(i18n.t("coverage.download_csv", lang), report.csv_bytes(figures), file_name=f"{stem}.csv",
                     mime="text/csv", key="coverage_csv", icon=":material/download:")
middle.download_button(
    i18n.t("coverage.download_xlsx", lang),
    lambda: report.excel_bytes({i18n.t("page.coverage", lang): figures, i18n.t("report.notes", lang): report.notes_table(lang, selection)}),
    file_name=f"{stem}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="coverage_xlsx", icon=":material/table:",
)
right.download_button(
    i18n.t("coverage.download_html", lang),
    lambda: assets.standalone_html(choropleth.build_choropleth(table, boundaries, measure.key, lang, title=measure_name, outline=outline)),
    file_name=f"{stem}-map.html", mime="text/html", key="coverage_html", icon=":material/map:",
)
last.download_button(
    i18n.t("coverage.download_pdf", lang),
    lambda: report.build_pdf(table, boundaries, lang, hours.local_now(), key=measure.key, selection=selection,
                             thresholds=view.thresholds, by_category=long,
                             nearest_rows=report.nearest_for_areas(cache.location_index(), cache.load_areas(), lang,
                                                                   coverage_panel.open_services(services, view))),
    file_name=f"{stem}-report.pdf", mime="application/pdf", key="coverage_pdf", icon=":material/picture_as_pdf:",
)
common.attribution(lang)

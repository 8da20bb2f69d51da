"""Area profile: one local area's population, services in and near it, distances, gaps, area-wide services."""
from __future__ import annotations

import streamlit as st

from geo import coverage, i18n, model, report, safe
from ui import cache, cards, common, coverage_panel, coverage_views, urlstate
from ui.widget_state import held_index

lang = common.language()
services = common.services_or_stop(lang)

area_rows = cache.load_areas()
area_ids = list(area_rows["area_id"])
names = {r["area_id"]: i18n.name_in(r, lang) for r in area_rows.to_dict("records")}
wanted = st.query_params.get("area")
st.session_state.setdefault("profile_area", wanted if wanted in names else area_ids[0])
area_id = st.sidebar.selectbox(i18n.t("profile.choose", lang), area_ids, key="profile_area", format_func=names.get,
                               index=held_index("profile_area", area_ids))
if wanted is not None and wanted not in names:  # a mistyped or outdated link: say so, never switch silently
    st.warning(i18n.t("profile.unknown_area", lang, area=safe.md_text(str(wanted)[:40]), name=safe.md_text(names[area_id])))
view = coverage_panel.controls(lang, with_measure=False, with_category=False)
urlstate.write({"area": area_id}, ("area",))

long = coverage_panel.long_table(view)
everything = long[(long["area_id"] == area_id) & (long["category"] == coverage.ALL)].iloc[0].to_dict()
info = area_rows[area_rows["area_id"] == area_id].iloc[0].to_dict()

st.title(safe.md_text(names[area_id]))
if i18n.bilingual(info["name_sl"], info["name_it"]) != info["name_sl"]:
    st.caption(safe.md_text(i18n.bilingual(info["name_sl"], info["name_it"])))
st.markdown(i18n.t("profile.population", lang, n=int(info["population"]),
                   date=report.population_date(info["population_date"], lang), kind=i18n.t(f"areas.kind.{info['kind']}", lang)))
st.caption(report.selection_text(lang, None, view.target_group, view.at, view.include_unknown_hours))

# --- distances and nearest services per category ------------------------------------------------
# The nearest service per category: among those open at the chosen time that these residents may use.
eligible = coverage.serves_area(services, area_id)
opened = coverage_panel.open_services(services, view)
available = eligible if opened is None else eligible & opened
index = cache.location_index()
nearest_rows = report.nearest_by_category(index, float(info["centroid_lat"]), float(info["centroid_lon"]), lang, available) if index else {}
per_category = report.area_by_category(long, area_id, lang, view.thresholds, nearest_rows)
# Categories that come to the residents say served / not served (and by how many), not a distance;
# categories only by phone (confidential; phone_only from geo.coverage) say so, not "far".
per_category["reach"] = [coverage.words.reach_cell(r, lang) for r in per_category.to_dict("records")]
st.subheader(i18n.t("profile.by_category", lang))
columns = coverage_panel.column_config(
    ["category", "reach", "services_in_area", "area_wide_services", "nearest", "nearest_km", "mean_distance_km",
     "max_distance_km", "mean_road_distance_km", "share_within_5km", "gap_text"], lang)
shown = coverage_panel.shown_frame(per_category, list(columns), lang)
with cards.wide("profile_table"):
    st.dataframe(shown, column_config=columns, hide_index=True, width="stretch", key="profile_table")
cards.narrow("profile_table", cards.cards_html(  # a phone: one card per category, the rest folded
    shown, coverage_panel.column_labels(columns), title=("category",), lead=("reach", "mean_distance_km", "gap_text"), plain=("reach",),
    label=i18n.t("profile.by_category", lang)))
st.caption(i18n.t("profile.nearest_note", lang))
for note in report.approximation_notes(lang)[:3]:
    st.caption(note)
coverage_views.time_lists(lang, services, view)

# --- gaps ---------------------------------------------------------------------------------------
st.subheader(i18n.t("coverage.gaps", lang))
gap_rows = per_category[per_category["gap_text"] != ""]
if gap_rows.empty:
    st.info(i18n.t("profile.no_gaps", lang))
for row in gap_rows.to_dict("records"):
    st.markdown(f"- **{safe.md_text(row['category'])}**: {safe.md_text(row['gap_text'])}")
st.caption(coverage.words.gap_rule(view.thresholds, lang))
for note in coverage.words.notes(lang):
    st.caption(note)

# --- services in the area and area-wide services --------------------------------------------------
st.subheader(i18n.t("profile.in_area", lang, n=int(everything["services_in_area"])))
here = services[(services["area_id"] == area_id) & services["location_type"].isin(model.PLACED_TYPES)]
if here.empty:
    st.info(i18n.t("profile.none_in_area", lang))
for record in here.to_dict("records"):
    category = i18n.t("category." + record["category"], lang)
    st.markdown(f"- **{safe.md_text(i18n.field(record, 'name', lang))}** · {safe.md_text(category)}"
                f" · {safe.md_text(record.get('address') or '')}")
wide_ids = set(everything["area_wide_ids"])
st.subheader(i18n.t("profile.area_wide", lang, n=len(wide_ids)))
st.caption(i18n.t("note.area_wide", lang))
general_ids = set(everything["general_ids"])
for record in services[services["id"].isin(wide_ids - general_ids)].to_dict("records"):
    category = i18n.t("category." + record["category"], lang)
    how = i18n.t(f"delivery.{record.get('delivery') or 'home'}", lang)
    st.markdown(f"- **{safe.md_text(i18n.field(record, 'name', lang))}** · {safe.md_text(category)} · {safe.md_text(how)}")
if general_ids:
    st.markdown(i18n.t("profile.general", lang, n=i18n.format_number(len(general_ids), lang)))
    for record in services[services["id"].isin(general_ids)].to_dict("records"):
        st.markdown(f"- {safe.md_text(i18n.field(record, 'name', lang))}")

# --- downloads and the way back -----------------------------------------------------------------
st.subheader(i18n.t("coverage.downloads", lang))
# numbers as the language writes them (report.category_figures), the CSV with the language's separator
download = report.category_figures(per_category, lang)[list(columns)].rename(
    columns={c: i18n.t(coverage_panel.COLUMN_STYLES[c][0], lang) for c in columns})
left, right = st.columns(2)
left.download_button(i18n.t("coverage.download_csv", lang), report.csv_bytes(download, lang), file_name=f"koper-{area_id}.csv",
                     mime="text/csv", key="profile_csv", icon=":material/download:")
right.download_button(
    i18n.t("coverage.download_xlsx", lang),
    lambda: report.excel_bytes({names[area_id]: download, i18n.t("report.notes", lang): report.notes_table(
        lang, report.selection_text(lang, None, view.target_group, view.at, view.include_unknown_hours))}),
    file_name=f"koper-{area_id}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="profile_xlsx", icon=":material/table:",
)
st.page_link("pages/coverage.py", label=i18n.t("profile.back", lang), icon=":material/arrow_back:",
             query_params={"lang": lang, **coverage_panel.to_params(view)})
common.attribution(lang)

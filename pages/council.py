"""Council report: the coverage findings for a projector, one message per screen, and the PDF to hand out."""
from __future__ import annotations

import streamlit as st

from geo import choropleth, i18n, report
from ui import cache, common, council_panel, coverage_panel

lang = common.language()
council_panel.big_type()
services = common.services_or_stop(lang)

# --- the planner's choices and the areas that get a screen -------------------------------------------
view = coverage_panel.controls(lang)
long = coverage_panel.long_table(view)
table = coverage_panel.area_table(long, view)
measure = choropleth.measure(view.measure)
measure_name = i18n.t(f"measure.{measure.key}", lang)
ranking = choropleth.ranked(table, measure.key)
names = {r["area_id"]: i18n.name_in(r, lang) for r in ranking.to_dict("records")}
chosen = council_panel.chosen_areas(lang, ranking, names)
steps = ["overview", "gaps", *[a for a in ranking["area_id"] if a in set(chosen)]]
step = council_panel.current_step(steps, chosen, list(ranking["area_id"]))
selection = report.selection_text(lang, view.category, view.target_group, view.at, view.include_unknown_hours)
boundaries = cache.load_boundaries()

# --- the screen ---------------------------------------------------------------------------------------
current = steps[step - 1]
if current == "overview":
    council_panel.overview(lang, table, ranking, names, measure, measure_name, boundaries)
elif current == "gaps":
    council_panel.gaps(lang, table, names, measure, view.thresholds)
else:
    council_panel.area(lang, current, table, ranking, names, measure, measure_name, view.thresholds, boundaries)

st.caption(selection)
st.caption(i18n.t("note.boundary", lang) + " " + i18n.t("note.population", lang))
council_panel.navigation(lang, step, len(steps))

coverage_panel.pdf_button(st.sidebar, lang, view, table=table, long=long, boundaries=boundaries, services=services,
                          measure_key=measure.key, selection=selection, area_ids=list(chosen),
                          file_name=f"koper-council-report-{lang}.pdf", key="council_pdf")
common.attribution(lang)

"""Council report: the coverage findings for a projector, one message per screen, and the PDF to hand out."""
from __future__ import annotations

import dataclasses

import streamlit as st

from geo import choropleth, hours, i18n, report
from ui import cache, common, council_panel, coverage_panel

st.set_page_config(initial_sidebar_state="collapsed")  # a projector: the choices stay out of the way
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
steps = council_panel.screens([a for a in ranking["area_id"] if a in set(chosen)])
step = council_panel.current_step(steps, chosen, list(ranking["area_id"]))
selection = report.selection_text(lang, view.category, view.target_group, view.at, view.include_unknown_hours)
boundaries = cache.load_boundaries()

# --- the screen ---------------------------------------------------------------------------------------
current = steps[step - 1]
if current == "overview":
    council_panel.overview(lang, table, ranking, names, measure, measure_name, view.thresholds, boundaries)
elif current == "gaps":
    council_panel.gaps(lang, table, names, measure, view.thresholds, boundaries)
else:
    council_panel.group(lang, current, ranking, names, measure, measure_name, view.thresholds, boundaries, table)

pdf_slot = council_panel.navigation(lang, step, len(steps))
st.caption(selection)
st.caption(i18n.t("note.boundary", lang) + " " + i18n.t("note.population", lang))
common.attribution(lang)

# --- the PDF, last: the screen shows first; built once per selection (cached), then offered as bytes ---
pdf = cache.report_pdf(table, long, boundaries, lang, hours.local_now().date(), measure.key, selection,
                       dataclasses.astuple(view.thresholds), tuple(chosen),
                       coverage_panel.open_services(services, view))
council_panel.pdf_button(pdf_slot, lang, pdf, f"koper-council-report-{lang}.pdf")

"""What if: hypothetical places, before/after coverage of every area, a marked PDF, and where a new place helps most."""
from __future__ import annotations

from geo import report
from ui import common, coverage_panel, whatif_panel, whatif_suggest

lang = common.page_start("page.whatif", "whatif.intro")
services = common.services_or_stop(lang, needs_map=True)

# --- the scenario (from the link, then this session) and what it is compared for -----------------
places = whatif_panel.places(lang)
whatif_panel.seed_choice(places)
view = coverage_panel.controls(lang)
names = whatif_panel.labels(places, lang)
whatif_panel.place_list(lang, places, names)
whatif_panel.add_form(lang, places, names)
whatif_panel.write_link(places)

# --- before and after ----------------------------------------------------------------------------
selection = report.selection_text(lang, view.category, view.target_group, view.at, view.include_unknown_hours)
if places:
    before, after, comparison = whatif_panel.tables(places, view)
    whatif_panel.before_after(lang, view, selection, before, after, comparison)
    whatif_panel.scenario_map(lang, view, after, places, names)
    whatif_panel.pdf(lang, view, selection, after, comparison, places, names)

# --- where would a new place help most -----------------------------------------------------------
whatif_suggest.section(lang, services, view)
common.attribution(lang)

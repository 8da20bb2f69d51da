"""Coverage overview: the 23 areas on a choropleth, ranked, compared, with gaps and downloads."""
from __future__ import annotations

from geo import choropleth, i18n, report
from ui import cache, common, coverage_panel, coverage_views

lang = common.page_start("page.coverage", "coverage.intro")
services = common.services_or_stop(lang, needs_map=True)

# --- the planner's choices ------------------------------------------------------------------------
view = coverage_panel.controls(lang)
long = coverage_panel.long_table(view)
table = coverage_panel.area_table(long, view)
measure = choropleth.measure(view.measure)
# a selection that only comes to the residents (home care) is shown as served / not served, not a distance
measure_name = coverage_views.measure_title(lang, table, i18n.t(f"measure.{measure.key}", lang))
selection = report.selection_text(lang, view.category, view.target_group, view.at, view.include_unknown_hours)
ranking = choropleth.ranked(table, measure.key)
boundaries, outline = cache.load_boundaries(), cache.load_outline()

# --- what they show -------------------------------------------------------------------------------
coverage_views.headline(lang, table, ranking, measure, measure_name, selection, view.thresholds)
coverage_views.delivered_part(lang, table, services)
coverage_views.time_lists(lang, services, view)
coverage_views.area_map(lang, view, table, boundaries, outline, measure, measure_name)
shown = coverage_views.ranking_table(lang, view, ranking, measure, measure_name)
coverage_views.comparison_chart(lang, shown, measure, measure_name)
coverage_views.gap_lines(lang, table, measure, view.thresholds)
coverage_views.downloads(lang, view, table=table, long=long, ranking=ranking, boundaries=boundaries, outline=outline,
                         services=services, measure=measure, measure_name=measure_name, selection=selection)
common.attribution(lang)

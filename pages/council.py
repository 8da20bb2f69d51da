"""Council report: the coverage findings for a projector, one message per screen, and the PDF to hand out."""
from __future__ import annotations

import streamlit as st

from geo import choropleth, hours, i18n, report, safe
from ui import cache, common, coverage_panel, urlstate

# Large type for a projector, on this page only (static CSS, no data in it).
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

lang = common.language()
st.markdown(BIG_TYPE, unsafe_allow_html=True)
services = common.services_or_stop(lang)

view = coverage_panel.controls(lang)
long = coverage_panel.long_table(view)
table = coverage_panel.area_table(long, view)
measure = choropleth.measure(view.measure)
measure_name = i18n.t(f"measure.{measure.key}", lang)
ranking = choropleth.ranked(table, measure.key)
names = {r["area_id"]: i18n.name_in(r, lang) for r in ranking.to_dict("records")}
# The chosen areas live in the link too (?areas=ks-50605,ks-50617); none in the link means all.
if "council_areas" not in st.session_state:
    linked = [a for a in str(st.query_params.get("areas", "")).split(",") if a in names]
    st.session_state.council_areas = linked or list(ranking["area_id"])
chosen = st.sidebar.multiselect(i18n.t("council.areas", lang), list(ranking["area_id"]),
                                format_func=names.get, key="council_areas")
steps = ["overview", "gaps", *[a for a in ranking["area_id"] if a in set(chosen)]]

try:
    start = int(st.query_params.get("step", "1"))
except ValueError:
    start = 1
st.session_state.setdefault("council_step", start)
st.session_state.council_step = min(max(1, st.session_state.council_step), len(steps))


def move(by: int) -> None:
    st.session_state.council_step = min(max(1, st.session_state.council_step + by), len(steps))


step = st.session_state.council_step
every_area = set(chosen) == set(ranking["area_id"])
urlstate.write({"step": str(step), **({} if every_area else {"areas": ",".join(chosen)})}, ("step", "areas"))
selection = report.selection_text(lang, view.category, view.target_group, view.at, view.include_unknown_hours)
boundaries = cache.load_boundaries()
current = steps[step - 1]

if current == "overview":
    st.title(i18n.t("council.overview_title", lang))
    worst = ranking.iloc[0]
    st.markdown(i18n.t("council.overview", lang, n=len(table), people=i18n.format_number(table["population"].sum(), lang)))
    st.markdown(i18n.t("council.worst", lang, measure=measure_name, area=names[worst["area_id"]],
                       value=measure.format(worst[measure.key], lang), people=i18n.format_number(worst["population"], lang)))
    st.image(cache.map_png(table, boundaries, measure.key, lang), width="stretch")
elif current == "gaps":
    gaps = choropleth.ranked(table[table["gap"]], measure.key)
    st.title(i18n.t("council.gaps_title", lang, n=len(gaps)))
    if gaps.empty:
        st.markdown(i18n.t("coverage.no_gaps", lang))
    st.markdown("\n".join(
        f"- **{safe.md_text(names[r['area_id']])}** · {i18n.t('council.people', lang, n=i18n.format_number(r['population'], lang))}"
        f" · {safe.md_text(report.gap_text(r, view.thresholds, lang))}"
        for r in gaps.head(10).to_dict("records")))
    if len(gaps) > 10:
        st.caption(i18n.t("council.more_gaps", lang, n=len(gaps) - 10))
else:
    row = ranking[ranking["area_id"] == current].iloc[0].to_dict()
    rank = int(ranking.index[ranking["area_id"] == current][0]) + 1
    st.title(names[current])
    left, right = st.columns([1, 1])
    with left:
        st.markdown(i18n.t("council.area_people", lang, n=i18n.format_number(row["population"], lang), date=row["population_date"]))
        st.markdown(i18n.t("council.area_value", lang, measure=measure_name, value=measure.format(row[measure.key], lang),
                           rank=rank, total=len(ranking)))
        gap = report.gap_text(row, view.thresholds, lang)
        st.markdown(i18n.t("council.area_gap", lang, gaps=safe.md_text(gap)) if gap else i18n.t("report.no_gap", lang))
    with right:
        st.image(cache.map_png(table, boundaries, measure.key, lang, highlight=current), width="stretch")

st.caption(selection)
st.caption(i18n.t("note.boundary", lang) + " " + i18n.t("note.population", lang))
back, where, forward = st.columns([1, 2, 1])
back.button(i18n.t("council.previous", lang), on_click=move, args=(-1,), disabled=step <= 1, key="council_prev",
            icon=":material/arrow_back:", width="stretch")
where.markdown(i18n.t("council.step", lang, step=step, total=len(steps)))
forward.button(i18n.t("council.next", lang), on_click=move, args=(1,), disabled=step >= len(steps), key="council_next",
               icon=":material/arrow_forward:", width="stretch")

st.sidebar.download_button(
    i18n.t("coverage.download_pdf", lang),
    lambda: report.build_pdf(table, boundaries, lang, hours.local_now(), key=measure.key, selection=selection,
                             thresholds=view.thresholds, area_ids=list(chosen), by_category=long,
                             nearest_rows=report.nearest_for_areas(cache.location_index(), cache.load_areas(), lang,
                                                                   coverage_panel.open_services(services, view))),
    file_name=f"koper-council-report-{lang}.pdf", mime="application/pdf", key="council_pdf", icon=":material/picture_as_pdf:",
)
common.attribution(lang)

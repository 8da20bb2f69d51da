"""The what-if page's "where would a new place help most": the model's choices, the suggestion, its notes.

The solver runs only when the planner presses the button (it takes from a fraction of a second to
tens of seconds); the result is kept in ``st.session_state.wi_suggestion`` with the choices it was
computed for, and shown while they stay the same. geo.allocation does the work.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import allocation, areas, i18n, scenario
from geo.errors import ScenarioError
from ui import cache, coverage_panel, whatif_panel

RESULT_KEY = "wi_suggestion"


@dataclass(frozen=True)
class Request:
    """What the suggestion is computed for (its identity: a new request needs a new run)."""

    model: str
    k: int
    candidates: str
    radius_km: float
    service_area: tuple[str, ...]
    category: str
    target_group: str | None


def _site_name(row: dict, lang: str) -> str:
    settlement = i18n.bilingual(row["name_sl"], row["name_it"]) if row["name_sl"] else ""
    if str(row.get("kind")) == "demand_points":
        return i18n.t("alloc.demand_point", lang, settlement=settlement or row["candidate"])
    return settlement or str(row["candidate"])


def compute(request: Request, services: pd.DataFrame) -> allocation.Suggestion:
    """Run geo.allocation.suggest for ``request`` on the data the app shows."""
    folder = cache.data_folder()
    demand = areas.load_demand_points(folder)
    points = allocation.candidates(request.candidates, areas.load_settlements(folder), demand)
    existing = allocation.existing_places(services, request.category, request.target_group)
    return allocation.suggest(request.model, request.k, demand, points, existing, radius_km=request.radius_km,
                              service_area=request.service_area)


def section(lang: str, services: pd.DataFrame, view: coverage_panel.View) -> None:
    """Choices, the button, and the last suggestion for these choices."""
    st.subheader(i18n.t("alloc.title", lang))
    st.caption(i18n.t("alloc.intro", lang))
    if view.category is None:
        st.info(i18n.t("alloc.need_category", lang))
        return
    left, middle, right = st.columns(3)
    model_name = left.radio(i18n.t("alloc.model", lang), allocation.MODELS, key="wi_model",
                            format_func=lambda m: i18n.t(f"alloc.model.{m}", lang))
    k = int(middle.select_slider(i18n.t("alloc.k", lang), allocation.K_CHOICES, key="wi_k", value=3))
    kind = right.radio(i18n.t("alloc.candidates", lang), allocation.CANDIDATE_SETS, key="wi_candidates",
                       format_func=lambda c: i18n.t(f"alloc.candidates.{c}", lang))
    radius = middle.number_input(i18n.t("alloc.radius", lang), min_value=0.5, max_value=30.0, step=0.5,
                                 value=float(view.thresholds.share_radius_km), key="wi_radius")
    served = left.radio(i18n.t("whatif.service_area", lang), whatif_panel.SERVICE_AREA_CHOICES, key="wi_alloc_area",
                        format_func=lambda a: i18n.t("whatif.service_area." + ".".join(a), lang))
    request = Request(model_name, k, kind, float(radius), tuple(served), view.category, view.target_group)
    if st.button(i18n.t("alloc.run", lang), key="wi_run", type="primary", icon=":material/insights:"):
        with st.spinner(i18n.t("alloc.running", lang)):
            try:
                st.session_state[RESULT_KEY] = (request, compute(request, services))
            except ScenarioError:
                st.session_state.pop(RESULT_KEY, None)
                st.error(i18n.t("alloc.failed", lang))
    kept = st.session_state.get(RESULT_KEY)
    if kept and kept[0] == request:
        show(lang, request, kept[1])


def site_rows(lang: str, request: Request, suggestion: allocation.Suggestion) -> pd.DataFrame:
    """The suggested sites as shown: rank, place, area, residents gained and residents for whom it is nearest."""
    area_names = {r["area_id"]: i18n.name_in(r, lang) for r in cache.load_areas().to_dict("records")}
    km = i18n.format_number(request.radius_km, lang, 1)
    rows = []
    for rank, row in enumerate(suggestion.sites.to_dict("records"), start=1):
        rows.append({
            i18n.t("alloc.col.rank", lang): str(rank),
            i18n.t("alloc.col.place", lang): _site_name({**row, "kind": request.candidates}, lang),
            i18n.t("alloc.col.area", lang): area_names.get(row["area_id"], row["area_id"]),
            i18n.t("alloc.col.gained", lang, km=km): i18n.format_number(row["residents_gained"], lang),
            i18n.t("alloc.col.nearest", lang): i18n.format_number(row["residents_nearest"], lang),
        })
    return pd.DataFrame(rows)


def show(lang: str, request: Request, suggestion: allocation.Suggestion) -> None:
    """The suggested sites, the before/after figures, the solver's time and status, the assumptions."""
    km = i18n.format_number(request.radius_km, lang, 1)
    if suggestion.status == allocation.NOT_NEEDED:
        st.info(i18n.t("alloc.not_needed", lang, km=km))
    else:
        st.dataframe(site_rows(lang, request, suggestion), hide_index=True, width="stretch", key="wi_sites")
        st.button(i18n.t("alloc.add", lang), key="wi_add_suggested", on_click=_add_suggested,
                  args=(request, suggestion), icon=":material/add_location_alt:")
    number = lambda v: i18n.format_number(v, lang)  # noqa: E731
    distance = lambda v: (i18n.format_number(v, lang, 1) + " km") if v == v else i18n.t("coverage.no_value", lang)  # noqa: E731
    st.markdown(i18n.t("alloc.within", lang, km=km, before=number(suggestion.within_before),
                       after=number(suggestion.within_after), total=number(suggestion.residents)))
    st.markdown(i18n.t("alloc.mean", lang, before=distance(suggestion.mean_km_before),
                       after=distance(suggestion.mean_km_after)))
    st.caption(i18n.t("alloc.solved", lang, model=i18n.t(f"alloc.model.{suggestion.model}", lang), k=suggestion.k,
                      demand=number(suggestion.n_demand), candidates=number(suggestion.n_candidates),
                      existing=number(suggestion.n_existing),
                      seconds=i18n.format_number(suggestion.solve_seconds, lang, 2),
                      status=i18n.t(f"alloc.status.{suggestion.status}", lang)))
    for note in allocation.notes(suggestion, lang, request.candidates):
        st.caption(note)


def _add_suggested(request: Request, suggestion: allocation.Suggestion) -> None:
    """Put the suggested sites into the scenario (hours unknown; the request's category, group and area)."""
    group = request.target_group or "general"
    for row in suggestion.sites.to_dict("records"):
        origin = f"{scenario.SETTLEMENT}{row['candidate']}" if request.candidates == "settlements" else scenario.POINT
        place = scenario.Place(lat=round(float(row["lat"]), scenario.DECIMALS), lon=round(float(row["lon"]), scenario.DECIMALS),
                               category=request.category, target_groups=(group,), service_area=request.service_area,
                               origin=origin)
        if whatif_panel.add(place):
            break

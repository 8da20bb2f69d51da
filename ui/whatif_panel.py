"""The what-if page's parts: the scenario's places (from and to the link), the add form, before/after, map, PDF.

The places live in ``st.session_state.wi_places`` (seeded once from ``?wi=``, geo.scenario) and in
the link; nothing is written to the directory. Every widget key starts with ``wi_``. The coverage
measures come from geo.coverage with the places added as extra rows (geo.scenario.with_places);
the page's category / target group / time / thresholds are the coverage pages' own choices
(ui.coverage_panel), so a what-if link keeps them too. Suggestions: ui.whatif_suggest.
"""
from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from geo import areas, choropleth, coverage, hours, i18n, model, safe, scenario, text
from geo.errors import ScenarioError
from ui import address_input, cache, coverage_panel, frames, map_frame, start_point, urlstate
from ui.widget_state import held, held_index

PLACES_KEY = "wi_places"
METHODS = ("settlement", "map", "address")
SERVICE_AREA_CHOICES = (("koper",), ("koper", "ankaran"))
PARAMS = (scenario.PARAM,)
MAP_HEIGHT = 480
MAP_KEY = "wi_map"
PICK_MAP_KEY, PICK_MAP_HEIGHT = "wi_pick_map", 380


# --- the places -----------------------------------------------------------------------------------

def places(lang: str) -> tuple[scenario.Place, ...]:
    """The scenario's places: read from ``?wi=`` the first time in a session, then kept in the session."""
    state = st.session_state
    if PLACES_KEY not in state:
        decoded = scenario.decode(st.query_params.get(scenario.PARAM))
        state[PLACES_KEY] = list(decoded.places)
        state["wi_dropped"] = decoded.dropped
    if state.get("wi_dropped"):
        st.warning(i18n.plural("whatif.dropped", lang, state["wi_dropped"]))
    return tuple(state[PLACES_KEY])


def write_link(current: tuple[scenario.Place, ...]) -> None:
    """Put the places in the link (``?wi=``), or take the parameter away when there are none."""
    urlstate.write({scenario.PARAM: scenario.encode(current)} if current else {}, PARAMS)


def seed_choice(current: tuple[scenario.Place, ...]) -> None:
    """Without a category / target group in the link, compare for the first place's category and group."""
    if current and "cat" not in st.query_params and "grp" not in st.query_params:
        st.session_state.setdefault(f"{coverage_panel.PREFIX}_category", current[0].category)
        st.session_state.setdefault(f"{coverage_panel.PREFIX}_target_group", current[0].target_groups[0])


def labels(current: tuple[scenario.Place, ...], lang: str) -> list[str]:
    """A name per place: its settlement (bilingual), else "point in <area>"."""
    settlements = cache.load_settlements()
    names = {str(r.settlement_id): i18n.bilingual(r.name_sl, r.name_it) for r in settlements.itertuples()}
    area_names = {r["area_id"]: i18n.name_in(r, lang) for r in cache.load_areas().to_dict("records")}
    index = cache.area_index()
    found = []
    for place in current:
        if place.settlement_id in names:
            found.append(names[place.settlement_id])
            continue
        area_id = areas.area_of_point(place.lat, place.lon, index)
        found.append(i18n.t("whatif.point_in", lang, area=area_names[area_id]) if area_id in area_names
                     else i18n.t("whatif.point_outside", lang))
    return found


def _remove(position: int) -> None:
    kept = list(st.session_state[PLACES_KEY])
    if 0 <= position < len(kept):
        del kept[position]
    st.session_state[PLACES_KEY] = kept
    st.session_state.pop("wi_pdf", None)


def _clear() -> None:
    st.session_state[PLACES_KEY] = []
    st.session_state.pop("wi_pdf", None)


def place_list(lang: str, current: tuple[scenario.Place, ...], names: list[str]) -> None:
    """The places, one line each with a remove button; a note that nothing is saved."""
    st.subheader(i18n.t("whatif.places", lang))
    if not current:
        st.info(i18n.t("whatif.no_places", lang))
    for position, line in enumerate(scenario.describe(current, lang, names)[1:]):
        left, right = st.columns([6, 1])
        left.markdown(safe.md_text(line))
        right.button(i18n.t("whatif.remove", lang), key=f"wi_remove_{position}", on_click=_remove, args=(position,))
    if len(current) > 1:
        st.button(i18n.t("whatif.clear", lang), key="wi_clear", on_click=_clear)
    st.caption(i18n.t("whatif.nothing_saved", lang))


# --- the add form ---------------------------------------------------------------------------------

def add(new: scenario.Place) -> str | None:
    """Append ``new`` to the scenario; the text key of the reason when it cannot be added."""
    kept = list(st.session_state.get(PLACES_KEY, []))
    if len(kept) >= scenario.MAX_PLACES:
        return "whatif.too_many"
    st.session_state[PLACES_KEY] = [*kept, new]
    st.session_state.pop("wi_pdf", None)
    # Comparing "all categories, all groups" says little about one new place: compare for the new place's own.
    category_key, group_key = f"{coverage_panel.PREFIX}_category", f"{coverage_panel.PREFIX}_target_group"
    if st.session_state.get(category_key, coverage.ALL) == coverage.ALL and \
            st.session_state.get(group_key, coverage.ALL) == coverage.ALL:
        st.session_state[category_key], st.session_state[group_key] = new.category, new.target_groups[0]
    return None


def _chosen_point() -> tuple[float, float, str] | None:
    """(lat, lon, origin) of the location the form currently points at, or None."""
    state = st.session_state
    method = state.get("wi_method", METHODS[0])
    if method == "settlement" and state.get("wi_settlement"):
        row = cache.load_settlements()
        row = row[row["settlement_id"].astype(str) == str(state["wi_settlement"])]
        if not row.empty:
            return float(row.iloc[0]["lat"]), float(row.iloc[0]["lon"]), f"{scenario.SETTLEMENT}{state['wi_settlement']}"
    if method == "map" and state.get("wi_clicked"):
        lat, lon = state["wi_clicked"]
        return float(lat), float(lon), scenario.POINT
    found = state.get("wi_address_result")
    if method == "address" and found is not None and found != "not_found":
        return float(found.lat), float(found.lon), scenario.POINT
    return None


def _add_from_form() -> None:
    """The add button's callback: validate the form and add the place (or leave a problem key)."""
    state = st.session_state
    state["wi_problem"] = None
    point = _chosen_point()
    if point is None:
        state["wi_problem"] = "whatif.need_point"
        return
    groups = tuple(state.get("wi_groups") or ())
    if not groups:
        state["wi_problem"] = "whatif.need_groups"
        return
    opening = str(state.get("wi_hours") or "").strip()
    if len(opening) > scenario.MAX_HOURS_CHARS or hours.problem(opening):
        state["wi_problem"] = "whatif.bad_hours"
        return
    lat, lon, origin = point
    try:
        new = scenario.Place(lat=round(lat, scenario.DECIMALS), lon=round(lon, scenario.DECIMALS),
                             category=state.get("wi_category", model.CATEGORIES[0]), target_groups=groups,
                             opening_hours=opening, service_area=tuple(state.get("wi_area", SERVICE_AREA_CHOICES[0])),
                             origin=origin)
    except ScenarioError:  # the only reason left after the checks above: outside Koper's bounding box
        state["wi_problem"] = "whatif.outside"
        return
    state["wi_problem"] = add(new)


def add_form(lang: str, current: tuple[scenario.Place, ...], names: list[str]) -> None:
    """Where (settlement, map click, address) and what (category, groups, hours, who may use it)."""
    st.subheader(i18n.t("whatif.add", lang))
    # The new place's category and group start as those the page compares for.
    compared = st.session_state.get(f"{coverage_panel.PREFIX}_category")
    if compared in model.CATEGORIES:
        st.session_state.setdefault("wi_category", compared)
    compared_group = st.session_state.get(f"{coverage_panel.PREFIX}_target_group")
    if compared_group in model.TARGET_GROUPS:
        st.session_state.setdefault("wi_groups", [compared_group])
    method = st.radio(i18n.t("whatif.method", lang), METHODS, key="wi_method", horizontal=True,
                      format_func=lambda m: i18n.t(f"whatif.method.{m}", lang))
    if method == "settlement":
        settlements = cache.load_settlements()
        ids = settlements.sort_values("name_sl", key=lambda s: s.map(text.fold))["settlement_id"].astype(str).tolist()
        by_id = {str(r.settlement_id): i18n.bilingual(r.name_sl, r.name_it) for r in settlements.itertuples()}
        st.selectbox(i18n.t("whatif.settlement", lang), ids, key="wi_settlement", format_func=by_id.get,
                     index=None, placeholder=i18n.t("whatif.choose", lang))
    elif method == "map":
        _click_map(lang, current, names)
    else:
        _address(lang)
    left, right = st.columns(2)
    left.selectbox(i18n.t("whatif.category", lang), model.CATEGORIES, key="wi_category",
                   index=held_index("wi_category", model.CATEGORIES), format_func=lambda c: i18n.t(f"category.{c}", lang))
    # Required: the placeholder says so before "Add" is pressed, not only the warning after it.
    right.multiselect(i18n.t("whatif.groups", lang), model.TARGET_GROUPS, key="wi_groups",
                      default=held("wi_groups", []), placeholder=i18n.t("whatif.groups_placeholder", lang),
                      format_func=lambda g: i18n.t(f"group.{g}", lang))
    left.text_input(i18n.t("whatif.hours", lang), key="wi_hours", max_chars=scenario.MAX_HOURS_CHARS,
                    placeholder="Mo-Fr 08:00-16:00", help=i18n.t("whatif.hours_help", lang))
    right.radio(i18n.t("whatif.service_area", lang), SERVICE_AREA_CHOICES, key="wi_area",
                format_func=lambda a: i18n.t("whatif.service_area." + ".".join(a), lang))
    st.button(i18n.t("whatif.add_button", lang), key="wi_add", on_click=_add_from_form, type="primary",
              icon=":material/add_location_alt:")
    problem = st.session_state.get("wi_problem")
    if problem:
        st.warning(i18n.t(problem, lang, max=scenario.MAX_PLACES))


def _click_map(lang: str, current: tuple[scenario.Place, ...], names: list[str]) -> None:
    st.caption(i18n.t("whatif.click_hint", lang))
    clicked = st.session_state.get("wi_clicked")
    # The link's places may be in a shared frame; a click not yet added stays in this session (start_point).
    public = tuple((place.lat, place.lon, name) for place, name in zip(current, names))
    private = () if not clicked else (
        (clicked[0], clicked[1], i18n.t("whatif.clicked", lang, lat=clicked[0], lon=clicked[1])),)
    frame = start_point.pick_frame(lang, public, private, key=PICK_MAP_KEY, height=PICK_MAP_HEIGHT)
    returned = map_frame.show(frame, PICK_MAP_KEY)
    point = start_point.clicked_point(returned)
    if point is not None and point != (tuple(clicked) if clicked else None):
        st.session_state.wi_clicked = point
        st.rerun()
    if clicked:
        st.caption(i18n.t("whatif.clicked", lang, lat=f"{clicked[0]:.5f}", lon=f"{clicked[1]:.5f}"))


def _address(lang: str) -> None:
    # The same form, notice and geocoder as the nearest page; the typed text never goes into the link.
    asked, found = address_input.lookup_form(lang, prefix="wi")
    if asked:
        st.session_state.wi_address_result = found if found is not None else "not_found"
    found = st.session_state.get("wi_address_result")
    if found == "not_found":
        st.warning(i18n.t("whatif.address_not_found", lang))
    elif found is not None:
        st.caption(safe.md_text(i18n.t("whatif.address_found", lang, label=found.label)))


# --- before and after -----------------------------------------------------------------------------

def share_radius(view: coverage_panel.View) -> float:
    """The radius of "newly within": the gap threshold's, when the tables have that share column (else 5 km)."""
    radius = float(view.thresholds.share_radius_km)
    return radius if radius in coverage.SHARE_RADII_KM else 5.0


def tables(current: tuple[scenario.Place, ...],
           view: coverage_panel.View) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(before, after, comparison): geo.coverage for the view without and with the places, side by side.

    Computed once per data stamp, places and comparison and shared by every session and language
    (``frames.whatif_tables``: it was computed again on every rerun, issue 14); each caller gets its
    own copies. The places are the link's (rounded points and settlements, never a typed address).
    Raises LookupError when no directory could be loaded (the page stops before that).
    """
    found = frames.whatif_tables(current, **_table_choice(view), radius_km=share_radius(view))
    if found is None:
        raise LookupError("no directory loaded")
    return found


def _table_choice(view: coverage_panel.View) -> dict:
    """What the tables are computed for (the view without its measure)."""
    return dict(category=view.category, target_group=view.target_group, at=view.at,
                include_unknown_hours=view.include_unknown_hours, include_ankaran=not view.only_ks,
                thresholds=view.thresholds)


def before_after(lang: str, view: coverage_panel.View, selection: str, before: pd.DataFrame, after: pd.DataFrame,
                 comparison: pd.DataFrame) -> None:
    """The headline (residents newly within reach, gaps before and after) and the side-by-side table."""
    st.subheader(i18n.t("whatif.compare", lang))
    st.caption(safe.md_text(i18n.t("whatif.compare_for", lang, selection=selection)))
    km = i18n.format_number(share_radius(view), lang)
    st.markdown(i18n.plural("whatif.newly_within", lang, int(comparison["newly_within"].sum()), km=km))
    st.markdown(i18n.t("whatif.gaps_before", lang, summary=coverage.words.gap_summary(before, lang)))
    st.markdown(i18n.t("whatif.gaps_after", lang, summary=coverage.words.gap_summary(after, lang)))
    only = st.toggle(i18n.t("whatif.only_changed", lang), key="wi_only_changed", value=True)
    shown = comparison_rows(lang, view, before, after, comparison, only_affected=only)
    if shown.empty:
        st.info(i18n.t("whatif.no_change", lang))
        return
    st.dataframe(shown, hide_index=True, width="stretch", key="wi_table")


def comparison_rows(lang: str, view: coverage_panel.View, before: pd.DataFrame, after: pd.DataFrame,
                    comparison: pd.DataFrame, *, only_affected: bool = True) -> pd.DataFrame:
    """The table as shown: text cells in ``lang`` (numbers per language), headers translated; most residents gained first."""
    radius = share_radius(view)
    share_key = f"share_within_{radius:g}km"
    km = i18n.format_number(radius, lang)
    yes, no = i18n.t("report.yes", lang), i18n.t("report.no", lang)
    rows = []
    for position, (old, new, cmp) in enumerate(zip(before.to_dict("records"), after.to_dict("records"),
                                                   comparison.to_dict("records"))):
        if only_affected and not cmp["affected"]:
            continue
        rows.append({
            "_order": (-cmp["newly_within"], position),
            i18n.t("whatif.col.area", lang): i18n.name_in(old, lang),
            i18n.t("whatif.col.population", lang): i18n.format_number(old["population"], lang),
            i18n.t("whatif.col.mean_before", lang): coverage.words.value_text(old, "mean_distance_km", lang),
            i18n.t("whatif.col.mean_after", lang): coverage.words.value_text(new, "mean_distance_km", lang),
            i18n.t("whatif.col.share_before", lang, km=km): coverage.words.value_text(old, share_key, lang),
            i18n.t("whatif.col.share_after", lang, km=km): coverage.words.value_text(new, share_key, lang),
            i18n.t("whatif.col.newly", lang, km=km): i18n.format_number(cmp["newly_within"], lang),
            i18n.t("whatif.col.access_before", lang): coverage.words.value_text(old, "access_2sfca", lang),
            i18n.t("whatif.col.access_after", lang): coverage.words.value_text(new, "access_2sfca", lang),
            i18n.t("whatif.col.gap_before", lang): yes if old["gap"] else no,
            i18n.t("whatif.col.gap_after", lang): yes if new["gap"] else no,
        })
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(sorted(rows, key=lambda r: r["_order"])).drop(columns="_order")


def scenario_map(lang: str, view: coverage_panel.View, after: pd.DataFrame, current: tuple[scenario.Place, ...],
                 names: list[str]) -> None:
    """The choropleth of the chosen measure with the scenario, the hypothetical places marked.

    ``after`` is :func:`tables`' for ``current`` and ``view``; the frame is rendered once per view and
    language and shared (``frames.whatif_map_frame``, issue 14)."""
    measure = choropleth.measure(view.measure)
    title = i18n.t("whatif.map_title", lang, measure=i18n.t(f"measure.{measure.key}", lang))
    view_key = (view.category, view.target_group, view.at, view.include_unknown_hours, view.only_ks,
                dataclasses.astuple(view.thresholds), share_radius(view))  # what ``after`` was computed for
    frame = frames.whatif_map_frame(after, current, view_key, measure.key, lang, title, names, key=MAP_KEY,
                                   height=MAP_HEIGHT)
    map_frame.show(frame, MAP_KEY)
    st.caption(i18n.t("whatif.map_caption", lang))


def pdf(lang: str, view: coverage_panel.View, selection: str, after: pd.DataFrame, comparison: pd.DataFrame,
        current: tuple[scenario.Place, ...], names: list[str]) -> None:
    """A button that builds the scenario's PDF (marked as a scenario on every page), then its download."""
    from geo import report  # here: matplotlib is loaded only when the PDF is asked for

    wanted = scenario.encode(current) + "|" + repr(coverage_panel.to_params(view)) + lang
    if st.button(i18n.t("whatif.make_pdf", lang), key="wi_make_pdf", icon=":material/picture_as_pdf:"):
        affected = [str(a) for a in comparison.loc[comparison["affected"], "area_id"]]
        data = report.build_pdf(after, cache.load_boundaries(), lang, hours.local_now(), key=view.measure,
                                selection=selection, thresholds=view.thresholds, area_ids=affected,
                                scenario_lines=scenario.describe(current, lang, names))
        st.session_state.wi_pdf = (wanted, data)
    built = st.session_state.get("wi_pdf")
    if built and built[0] == wanted:
        st.download_button(i18n.t("whatif.download_pdf", lang), built[1], file_name="koper-scenario.pdf",
                           mime="application/pdf", key="wi_pdf_download", icon=":material/download:")

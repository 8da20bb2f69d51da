"""Service map (the start page): filters, the folium map, and the same services as a list."""
from __future__ import annotations

import streamlit as st

from geo import filters, i18n, model, present, safe
from geo import referral as geo_referral
from ui import cache, common, filter_panel, first_paint, frames, listing, map_frame, map_view, referral, share, urlstate
from ui.widget_state import held

PREFIX = "map"
MAP_HEIGHT = 560
#: What the map reports back (a click, where the user left it); panning reruns nothing else.
RETURNED = ("last_object_clicked", "last_object_clicked_count", "center", "zoom", "bounds")

lang = common.page_start("page.map", "map.intro")
services = common.services_or_stop(lang, needs_map=True)

# --- the filters (in the sidebar; a new visitor's are drawn just after the map: ui/first_paint.py) -------
with st.sidebar:
    st.header(i18n.t("filters.title", lang))
filter_box = st.sidebar.container()


def side_panel() -> tuple[filters.Filters, bool]:
    """The filters, "clear filters" and the areas switch in ``filter_box``: (the chosen Filters, show areas)."""
    picked = filter_panel.filter_widgets(services, lang, PREFIX, shared_counts=True,  # counts shared by every session
                                         container=filter_box)
    filter_box.button(i18n.t("filters.reset", lang), on_click=filter_panel.reset, args=(PREFIX,), key="map_reset")
    areas = filter_box.toggle(i18n.t("map.show_areas", lang), value=held("map_show_areas", True), key="map_show_areas")
    return picked, areas


if first_paint.holding():  # the same choices the widgets will show: the link's and this session's
    chosen, show_areas = filter_panel.chosen_without_widgets(PREFIX), held("map_show_areas", True)
    first_paint.draw(side_panel)
else:
    chosen, show_areas = side_panel()
when = filter_panel.moment(chosen)
shown = cache.matching_services(chosen, lang, when)  # shared by every session with this view (read only)
if shown is None:  # the data broke since this run began: filter the table this run has
    shown = filters.apply(services, chosen, lang)

# --- the map (opens where the link or the user left it) ---------------------------------------------
render_view = map_view.start((chosen, lang, when, show_areas))
located, _rows = frames.map_layer(chosen, lang, when)  # shared by every session with this view
counts = shown.loc[shown["record_kind"] != model.INFORMATION, "location_type"].value_counts()  # information is no service
st.markdown(i18n.t(  # each count with its own plural form (geo.i18n.plural)
    "map.summary", lang, matching=i18n.plural("map.summary.matching", lang, int(counts.sum())),
    on_map=i18n.plural("map.summary.on_map", lang, len(located), on_map=sum(len(loc.services) for loc in located)),
    anywhere=i18n.plural("map.summary.anywhere", lang, int(counts.get("area", 0))),
    confidential=i18n.plural("map.summary.confidential", lang, int(counts.get("confidential", 0))),
))
common.moment_caption(chosen, when, lang)
map_view.skip_link(lang)
# The frame is rendered once per view and shared by every session; its marker rows are a file it fetches.
frame = frames.map_frame(chosen, lang, when, show_areas=show_areas, center=render_view["center"],
                        zoom=render_view["zoom"], selected=st.session_state.map_first_selected, key="service_map",
                        height=MAP_HEIGHT, returned_objects=RETURNED)


@st.fragment
def service_map(frame: dict | None, located: list, link: dict[str, str]) -> None:
    """The map and its note. What the drawn map reports (its first view, every pan and zoom) reruns only
    this function, not the page (issue 14: that rerun was half of a first visit's server CPU); a new
    click on a marker reruns the whole page, whose list then opens that address."""
    returned = map_frame.show(frame, "service_map")
    st.caption(i18n.t("map.offline_note", lang))
    if map_view.remember(returned, located):
        st.rerun(scope="app")  # the page's run writes the link, with the list already showing the address
    urlstate.write({**link, **map_view.link_params()}, filter_panel.FILTER_PARAMS + map_view.PARAMS)


service_map(frame, located, filters.to_query_params(chosen))
first_paint.release()  # a new visitor's first run: the side panel and the list, once the browser has drawn the map

# --- the list: the selected address, then the same services without the map ---------------------------
map_view.list_anchor()
texts, entry_html = cache.listing_texts(lang, when), cache.listing_html(lang, when)  # shared by every session
selected = map_view.selected_location(located)
if selected is not None:
    st.subheader(i18n.t("map.selected", lang, address=safe.md_text(present.address_text(selected.services[0], lang))))
    chosen_ids = [str(s.get("id")) for s in selected.services]
    listing.entries(chosen_ids, lang, when, texts=texts, html=entry_html, open_ids=set(chosen_ids))
    st.button(i18n.t("map.clear_selection", lang), key="map_clear_selection", on_click=map_view.clear_selection)
if shown.empty:
    st.info(i18n.t("map.none", lang))
listing.sectioned_list(shown, lang, when, texts=texts, html=entry_html)
referral.sheet_button(shown, lang, when, geo_referral.selection_text(chosen, lang, when), key="map_referral")
referral.print_styles()
share.share_box("", lang)
common.attribution(lang)

"""Service map (the start page): filters, the folium map, and the same services as a list."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import filters, i18n, mapping, present, settings
from ui import cache, common, filter_panel, listing, share, urlstate

PREFIX = "map"
#: Query keys of the map view (besides the filters and ``lang``).
VIEW_PARAMS = ("lat", "lon", "z", "loc")
MAP_HEIGHT = 560

lang = common.page_start("page.map", "map.intro")
services = common.services_or_stop(lang, needs_map=True)

with st.sidebar:
    st.header(i18n.t("filters.title", lang))
chosen = filter_panel.filter_widgets(services, lang, PREFIX)
st.sidebar.button(i18n.t("filters.reset", lang), on_click=filter_panel.reset, args=(PREFIX,), key="map_reset")
show_areas = st.sidebar.toggle(i18n.t("map.show_areas", lang), value=True, key="map_show_areas")
when = filter_panel.moment(chosen)
shown = filters.apply(services, chosen, lang)

# --- the view from the link: position and selected location --------------------------------------
params = st.query_params


def _float(name: str, low: float, high: float) -> float | None:
    try:
        value = float(params.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


if "map_view" not in st.session_state:
    lat, lon = _float("lat", -90, 90), _float("lon", -180, 180)
    zoom = _float("z", mapping.MIN_ZOOM, mapping.MAX_ZOOM)
    st.session_state.map_view = {
        "center": (lat, lon) if lat is not None and lon is not None else None,
        "zoom": int(zoom) if zoom is not None else None,
    }
    st.session_state.map_selected = params.get("loc") or None
    st.session_state.map_first_selected = st.session_state.map_selected

# The map is rebuilt (and re-drawn in the browser) only when what it shows changes; then it
# opens where the user last left it.
signature = (chosen, lang, when, show_areas)
if st.session_state.get("map_signature") != signature:
    st.session_state.map_signature = signature
    st.session_state.map_render_view = dict(st.session_state.map_view)
render_view = st.session_state.map_render_view

located, rows_json = cache.map_layer(chosen, lang, when)  # shared by every session with this view
on_map = sum(len(loc.services) for loc in located)
counts = shown["location_type"].value_counts()
st.markdown(i18n.t(
    "map.summary", lang, n=len(shown), on_map=on_map, places=len(located),
    anywhere=int(counts.get("area", 0)), confidential=int(counts.get("confidential", 0)),
))
common.moment_caption(chosen, when, lang)

folium_map = mapping.build_map(
    shown, lang,
    boundaries=cache.load_boundaries(), outline=cache.load_outline(), settlements=cache.load_settlements(),
    when=when, show_areas=show_areas,
    center=render_view["center"], zoom=render_view["zoom"],
    selected=st.session_state.map_first_selected, located=list(located), rows_json=rows_json,
)
returned = st_folium(
    folium_map, key="service_map", height=MAP_HEIGHT, use_container_width=True,
    returned_objects=["last_object_clicked", "center", "zoom"],
)
st.caption(i18n.t("map.offline_note", lang))

# --- what the browser reports back: position and clicks --------------------------------------------
if isinstance(returned, dict):
    center, zoom = returned.get("center"), returned.get("zoom")
    if isinstance(center, dict) and "lat" in center and "lng" in center and zoom is not None:
        st.session_state.map_view = {"center": (float(center["lat"]), float(center["lng"])), "zoom": int(zoom)}
    clicked = returned.get("last_object_clicked")
    if isinstance(clicked, dict) and "lat" in clicked and "lng" in clicked:
        hit = next((loc for loc in located if abs(loc.lat - clicked["lat"]) < 1e-6 and abs(loc.lon - clicked["lng"]) < 1e-6), None)
        if hit is not None:
            st.session_state.map_selected = hit.location_id

view_params = dict(filters.to_query_params(chosen))
view = st.session_state.map_view
if view["center"] is not None and view["zoom"] is not None:
    moved = (view["center"], view["zoom"]) != (settings.MAP_CENTER, settings.MAP_ZOOM)
    if moved:
        view_params.update(lat=f"{view['center'][0]:.5f}", lon=f"{view['center'][1]:.5f}", z=str(view["zoom"]))
if st.session_state.map_selected:
    view_params["loc"] = st.session_state.map_selected
urlstate.write(view_params, filter_panel.FILTER_PARAMS + VIEW_PARAMS)

# --- the list: the same services without the map ----------------------------------------------------
selected = next((loc for loc in located if st.session_state.map_selected in (loc.location_id, *(s.get("id") for s in loc.services))), None)
if selected is not None:
    st.subheader(i18n.t("map.selected", lang, address=present.address_text(selected.services[0], lang)))
    listing.service_expanders(selected.services, lang, when, expanded_ids={s.get("id") for s in selected.services})
    st.button(i18n.t("map.clear_selection", lang), key="map_clear_selection",
              on_click=lambda: st.session_state.update(map_selected=None))
if shown.empty:
    st.info(i18n.t("map.none", lang))
listing.sectioned_list(shown, lang, when)
share.share_box("", lang)
common.attribution(lang)

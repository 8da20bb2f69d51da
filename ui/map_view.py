"""The service map's view state: position and selected address from the link, what the browser reports back,
and the link that reopens the view.

State lives under ``map_view`` (centre and zoom the user last left), ``map_selected`` (a location_id
or service id), ``map_first_selected`` (the selection the map opens with) and ``map_render_view``
(where a rebuilt map opens).
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from geo import i18n, mapping, safe, settings

#: Query keys of the map view (besides the filters and ``lang``).
PARAMS = ("lat", "lon", "z", "loc")
#: Longest selected-address id read from a link.
MAX_LOC_CHARS = 200
#: A click this close (degrees, ~0.1 m) to a marker is on that marker.
CLICK_TOLERANCE = 1e-6


def bounded_float(params, name: str, low: float, high: float) -> float | None:
    """A finite number from the link within [low, high], else None."""
    try:
        value = float(str(params.get(name, ""))[:32])
    except ValueError:
        return None
    return value if low <= value <= high else None


def from_link(params) -> dict:
    """{"center": (lat, lon) or None, "zoom": a number (quarter steps too) or None, "selected": str or None} from ``?lat=&lon=&z=&loc=``."""
    lat, lon = bounded_float(params, "lat", -90, 90), bounded_float(params, "lon", -180, 180)
    zoom = bounded_float(params, "z", mapping.MIN_ZOOM, mapping.MAX_ZOOM)
    selected = str(params.get("loc") or "")[:MAX_LOC_CHARS] or None
    return {"center": (lat, lon) if lat is not None and lon is not None else None,
            "zoom": round(zoom, 2) if zoom is not None else None, "selected": selected}


def start(signature: tuple) -> dict:
    """Seed the view from the link once per session; returns where the map opens.

    The map is rebuilt (and re-drawn in the browser) only when ``signature`` (what it shows)
    changes; then it opens where the user last left it.
    """
    state = st.session_state
    if "map_view" not in state:
        linked = from_link(st.query_params)
        state.map_view = {"center": linked["center"], "zoom": linked["zoom"]}
        state.map_selected = linked["selected"]
        state.map_first_selected = linked["selected"]
    if state.get("map_signature") != signature:
        state.map_signature = signature
        state.map_render_view = dict(state.map_view)
        # A map without a position opens framed in the browser (geo.mapping.layers.frame); the view it
        # reports first is that framing, not a move of the user's, so it stays out of the link.
        state.map_framed_report = None if state.map_render_view["center"] is None else False
    return state.map_render_view


def clicked_location(located: Sequence[mapping.Location], clicked: object) -> mapping.Location | None:
    """The location whose marker was clicked (st_folium's ``last_object_clicked``), or None."""
    if not (isinstance(clicked, dict) and "lat" in clicked and "lng" in clicked):
        return None
    try:
        lat, lon = float(clicked["lat"]), float(clicked["lng"])
    except (TypeError, ValueError):
        return None
    return next((loc for loc in located
                 if abs(loc.lat - lat) < CLICK_TOLERANCE and abs(loc.lon - lon) < CLICK_TOLERANCE), None)


def shows_whole_municipality(bounds: object) -> bool:
    """Does a reported view (streamlit-folium's ``bounds``: {"_southWest": {"lat", "lng"}, "_northEast":
    {…}}, degrees, EPSG:4326) hold all of ``settings.MUNICIPALITY_BOUNDS``? False when unreadable."""
    try:
        south, west = float(bounds["_southWest"]["lat"]), float(bounds["_southWest"]["lng"])
        north, east = float(bounds["_northEast"]["lat"]), float(bounds["_northEast"]["lng"])
    except (TypeError, KeyError, ValueError):
        return False
    s, w, n, e = settings.MUNICIPALITY_BOUNDS
    return south <= s and west <= w and north >= n and east >= e


def remember(returned: object, located: Sequence[mapping.Location]) -> bool:
    """Keep the position the browser reports and the marker clicked last; True when that click selected
    another address than before (the page must then show it).

    A view that shows the whole municipality is the map's own first view, not a position worth a link:
    the map frames itself more than once as its frame, legend and notes get their sizes (each a report),
    and every new visitor's link carried ``lat/lon/z`` (opening a phone's link on a wide screen zoomed in)."""
    if not isinstance(returned, dict):
        return False
    state = st.session_state
    center, zoom = returned.get("center"), returned.get("zoom")
    if isinstance(center, dict) and "lat" in center and "lng" in center and zoom is not None:
        # zoom may be a quarter step (the framed first view): kept as it is, so a rebuilt map opens the same
        view = {"center": (float(center["lat"]), float(center["lng"])), "zoom": round(float(zoom), 2)}
        if shows_whole_municipality(returned.get("bounds")):
            state.map_view = {"center": None, "zoom": None}  # opens framed again, at any screen's size
            state.map_framed_report = view  # the framing is seen: a view other than the whole is a move
        elif state.get("map_framed_report", False) is None:
            state.map_framed_report = view
        elif view != state.get("map_framed_report"):
            state.map_view = view
    # streamlit-folium keeps returning the last click; its click counter tells a new click from that
    # stale one, so "clear selection" stays cleared (None: a map that does not report the counter).
    count = returned.get("last_object_clicked_count")
    if count is not None and count == state.get("map_click_count"):
        return False
    state.map_click_count = count
    hit = clicked_location(located, returned.get("last_object_clicked"))
    if hit is None or hit.location_id == state.get("map_selected"):
        return False
    state.map_selected = hit.location_id
    return True


def link_params() -> dict[str, str]:
    """The view's query parameters: position only when moved from the default, and the selection."""
    params: dict[str, str] = {}
    view = st.session_state.map_view
    if view["center"] is not None and view["zoom"] is not None:
        if (view["center"], view["zoom"]) != (settings.MAP_CENTER, settings.MAP_ZOOM):
            params.update(lat=f"{view['center'][0]:.5f}", lon=f"{view['center'][1]:.5f}", z=f"{view['zoom']:g}")
    if st.session_state.map_selected:
        params["loc"] = st.session_state.map_selected
    return params


def selected_location(located: Sequence[mapping.Location]) -> mapping.Location | None:
    """The selected address (by location_id or the id of a service there), or None."""
    chosen = st.session_state.get("map_selected")
    if not chosen:
        return None
    return next((loc for loc in located if chosen in (loc.location_id, *(s.get("id") for s in loc.services))), None)


def clear_selection() -> None:
    """Button callback: no address selected."""
    st.session_state.map_selected = None


#: The element the "skip the map" link leads to: where the list of services starts.
LIST_ANCHOR = "koper-list"


def skip_link(lang: str) -> None:
    """A link before the map that jumps to the list (its equivalent), so keyboard users need not Tab through the map."""
    st.markdown(f"[{safe.md_text(i18n.t('map.skip_to_list', lang))}](#{LIST_ANCHOR})")


def list_anchor() -> None:
    """Where ``skip_link`` leads: an empty, focusable target just before the list (fixed markup, no data).

    ``st.html``, not Markdown with HTML: that made the browser load and run Streamlit's raw-HTML
    Markdown plugin (190 KB) before the map frame appeared (issue 14).
    """
    st.html(f'<div id="{LIST_ANCHOR}" tabindex="-1"></div>')


"""The map's frame, rendered once per view and shared by every session (issue 14).

``streamlit_folium.st_folium`` renders the whole folium Map on every script run: a Jinja template
per element (every settlement label is a Marker with its own DivIcon template), then regular
expressions over the whole script. For the Koper map that was ~0.4 s of server CPU on *every*
rerun of every visitor, most of a visit's cost. What it sends to the browser depends only on the
view (data, filters, language, minute, areas layer, position, selection), so ``ui.frames.map_frame``
keeps it per view, and :func:`show` hands the kept arguments to streamlit-folium's own component:
the browser gets exactly the frame it got before (same component, same arguments, same key).

:func:`frame_args` computes the arguments the way ``st_folium`` does, with streamlit-folium's own
helpers, for the pinned streamlit-folium (requirements.txt); ``tests/test_map_frame.py`` compares
them with what ``st_folium`` itself passes, so an upgrade that changes them fails there first.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium


def _links(folium_map: folium.Map) -> tuple[list[str], list[str]]:
    """(css, js) URLs of every element, in st_folium's order, without repeats."""
    def walk(element):
        if isinstance(element, (branca.colormap.ColorMap, folium.elements.JSCSSMixin)):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    css, js = [], []
    for element in walk(folium_map):
        if isinstance(element, branca.colormap.ColorMap):
            raise ValueError("a colormap loads d3 from a CDN; the service map draws its legend itself")
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def frame_args(folium_map: folium.Map, *, key: str, height: int, returned_objects: Sequence[str],
               use_container_width: bool = True, width: int | None = 500) -> dict:
    """The keyword arguments ``st_folium(folium_map, key=…, height=…, returned_objects=…, use_container_width=…)``
    passes to streamlit-folium's component (all but ``on_change``), as a plain dict.

    Renders ``folium_map`` (and renames its elements, as st_folium does): use a map built for this
    call only. The result is read only; :func:`show` copies what the component may change.
    """
    folium_map.get_root().render()
    folium_map.render()
    html = streamlit_folium._get_html(folium_map)
    header = streamlit_folium._get_header(folium_map)
    leaflet = streamlit_folium._get_map_string(folium_map)
    map_id = streamlit_folium.get_full_id(folium_map)
    (south, west), (north, east) = folium_map.get_bounds()
    defaults = {
        "last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None, "last_object_clicked_popup": None, "all_drawings": None,
        "last_active_drawing": None,
        "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        "zoom": folium_map.options.get("zoom"), "last_circle_radius": None, "last_circle_polygon": None,
        "selected_layers": None, "selected_tags": None, "last_geocoder_result": None,
    }
    css_links, js_links = _links(folium_map)
    return {
        "script": leaflet, "header": header, "html": html, "id": map_id,
        "key": streamlit_folium.generate_js_hash(leaflet, key, False),
        "height": height, "width": None if use_container_width else width,
        "returned_objects": list(returned_objects),
        "default": {k: v for k, v in defaults.items() if k in returned_objects},
        "zoom": None, "center": None, "feature_group": None, "return_on_hover": False, "layer_control": None,
        "pixelated": False, "css_links": css_links, "js_links": js_links, "wrap_longitude": False,
    }


def with_rows_url(args: dict, placeholder: str, rows_url: str, key: str) -> dict:
    """``frame_args``' arguments of a map built with ``rows_url=placeholder``, now fetching ``rows_url``
    (a new dict; the component's key follows the script, as st_folium's would). Raises ValueError
    when the placeholder is not in the script exactly once."""
    if args["script"].count(placeholder) != 1:
        raise ValueError(f"the map's script names {placeholder!r} {args['script'].count(placeholder)} times, not once")
    script = args["script"].replace(placeholder, rows_url)
    return {**args, "script": script, "key": streamlit_folium.generate_js_hash(script, key, False)}


def show(args: dict, key: str) -> dict | None:
    """Draw the frame from ``frame_args``' arguments; returns what the browser reported (as st_folium).

    As st_folium, the reported value is also kept in ``st.session_state[key]`` when it changes.
    """
    component_key = args["key"]

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(component_key, {})

    return streamlit_folium._component_func(**{**args, "default": copy.deepcopy(args["default"])}, on_change=on_change)

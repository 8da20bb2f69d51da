"""Map assembly: a located directory table in, the service map (a ``folium.Map``) out."""
from __future__ import annotations

import datetime as dt

import folium
import pandas as pd
from folium.plugins import MarkerCluster

from geo import assets, i18n, safe, settings
from geo.mapping import layers, style
from geo.mapping.elements import Legend, LocationLayer, OpenSelected, SafeTooltip
from geo.mapping.locations import Location, map_locations
from geo.mapping.rows import location_json


def build_map(
    services: pd.DataFrame,
    lang: str,
    *,
    boundaries: dict,
    outline: dict,
    settlements: pd.DataFrame | None,
    when: dt.datetime,
    show_areas: bool = True,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    selected: str | None = None,
    fit: list[tuple[float, float]] | None = None,
    located: list[Location] | None = None,
    rows_json: str | None = None,
    rows_url: str | None = None,
    markers_json: str | None = None,
    view_json: str | None = None,
) -> folium.Map:
    """The service map in ``lang``, offline-ready (local code, no tiles until the user asks).

    ``selected`` is a location id (``loc-…``) or a service id; that marker is ringed, the map
    centres on it (unless ``center`` is given) and its popup opens. ``fit`` is a list of
    (lat, lon) points the map opens to show, all of them (it wins over ``center``/``zoom``).
    ``located`` and ``rows_json`` are ``map_locations(services)`` and ``location_json(located,
    lang, when)`` when the caller has them already (``ui.cache`` keeps them per view).
    ``rows_url``: a same-origin path serving that JSON (``ui.frames.map_rows_url``); the map then
    fetches its marker rows and the page carries none of them (``rows_json`` is then not needed);
    with ``markers_json`` too (``rows.marker_json`` of a small view) it draws those markers at once and
    fetches only the rest (``LocationLayer``'s ``markers``); with ``view_json`` (``rows.view_json``) too,
    only the popups' details (``LocationLayer``'s ``view``).
    Raises ``geo.errors.AssetError`` when the map's local code is not installed.
    """
    lang = i18n.language(lang)
    if located is None:
        located = map_locations(services)
    chosen = next((loc for loc in located if selected and (
        loc.location_id == selected or any(s.get("id") == selected for s in loc.services))), None)
    whole_municipality = not fit and center is None and chosen is None  # framed in the browser (layers.frame)
    if center is None:
        center = (chosen.lat, chosen.lon) if chosen else settings.MAP_CENTER
    if zoom is None:
        zoom = style.SELECTED_ZOOM if chosen else settings.MAP_ZOOM

    m = layers.base_map(center, zoom)
    layers.add_osm_tiles(m, lang)
    layers.add_outline(m, outline)
    layers.add_areas(m, boundaries, lang, show_areas)
    layers.add_settlements(m, settlements, boundaries, lang)

    cluster = MarkerCluster(
        name=i18n.t("map.layer_services", lang),
        max_cluster_radius=40, show_coverage_on_hover=False, spiderfy_on_max_zoom=True,
        chunked_loading=True,  # thousands of markers are clustered in slices; the page stays responsive
    )
    cluster.add_to(m)
    if rows_json is None and rows_url is None:
        rows_json = location_json(located, lang, when)
    layer = LocationLayer(rows_json, lang, chosen.location_id if chosen else None, rows_url=rows_url,
                          markers=markers_json, view=view_json)
    cluster.add_child(layer)

    m.add_child(Legend(style.legend_html(lang)))
    # Collapsed: open, it would cover popups on a small map; the layers icon is a local image.
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    if chosen is not None:
        m.add_child(OpenSelected(layer, chosen.location_id))
    if fit or whole_municipality:
        layers.frame(m, fit or None, max_zoom=style.SELECTED_ZOOM)
    assets.use_local_resources(m)
    return m


def map_html_size(m: folium.Map) -> int:
    """Bytes of the map's rendered HTML (for benchmarks)."""
    return len(m.get_root().render().encode("utf-8"))


def add_start_point(m: folium.Map, lat: float, lon: float, label: str) -> None:
    """Mark the user's starting point (a ringed dot, unlike any service symbol) with a tooltip.

    ``label`` is plain text (escaped here).
    """
    folium.CircleMarker(
        [lat, lon], radius=9, color="#000000", weight=3, fill=True, fill_color="#ffffff", fill_opacity=1,
    ).add_child(SafeTooltip(safe.html_text(label), direction="top")).add_to(m)

"""The layers under the services, shared by the service map and the area choropleth.

A plain background map with bounded zoom (:func:`base_map`), OpenStreetMap tiles as an overlay
that starts off (:func:`add_osm_tiles`), the municipality outline, the 23 local areas and the
settlement names. Only geometry and an escaped label of each boundary reach the page.
"""
from __future__ import annotations

from collections.abc import Callable

import folium
import pandas as pd

from geo import i18n, safe
from geo.mapping import style
from geo.mapping.elements import MapLook
from geo.mapping.locations import finite_number


def base_map(center: tuple[float, float], zoom: int) -> folium.Map:
    """An empty map on a plain background (no tiles), with a scale, bounded zoom and the map's look."""
    m = folium.Map(location=list(center), zoom_start=int(zoom), tiles=None, control_scale=True)
    # Without a tile layer Leaflet's max zoom is Infinity, on which markercluster never finishes.
    m.options["min_zoom"], m.options["max_zoom"] = style.MIN_ZOOM, style.MAX_ZOOM
    m.add_child(MapLook())
    return m


def add_osm_tiles(m: folium.Map, lang: str) -> None:
    """OpenStreetMap tiles as an overlay the user may switch on (the map works without internet)."""
    folium.TileLayer(
        tiles=style.OSM_TILES, attr=style.OSM_ATTRIBUTION, name=i18n.t("map.layer_osm", lang),
        overlay=True, show=False, control=True, max_zoom=19, max_native_zoom=19,
    ).add_to(m)


def feature_collection(collection: dict, label_of: Callable[[dict], str]) -> dict:
    """A copy of a FeatureCollection keeping only geometry, an escaped ``label`` and ``area_id``.

    ``label_of`` gets each feature's properties; every other property is dropped.
    """
    features = []
    for feature in (collection or {}).get("features") or []:
        props = feature.get("properties") or {}
        kept = {"label": safe.html_text(label_of(props))}
        if props.get("area_id"):
            kept["area_id"] = safe.html_text(props["area_id"])
        features.append({"type": "Feature", "geometry": feature.get("geometry"), "properties": kept})
    return {"type": "FeatureCollection", "features": features}


def add_outline(m: folium.Map, outline: dict | None) -> None:
    """The municipality's border as a dark line (not clickable); nothing for an empty collection."""
    if not outline or not outline.get("features"):
        return
    folium.GeoJson(
        feature_collection(outline, lambda p: i18n.name_in(p, "sl")),
        name="outline",
        control=False,
        style_function=lambda _f: {"color": "#222222", "weight": 2.5, "fill": False},
        attribution=style.AREAS_ATTRIBUTION,
        interactive=False,
    ).add_to(m)


def add_areas(m: folium.Map, boundaries: dict | None, lang: str, show: bool) -> None:
    """The local areas as a layer of the layer control, named in ``lang`` in their tooltips."""
    if not boundaries or not boundaries.get("features"):
        return
    folium.GeoJson(
        feature_collection(boundaries, lambda p: i18n.name_in(p, lang)),
        name=i18n.t("map.layer_areas", lang),
        show=show,
        style_function=lambda _f: {"color": "#5b6b7a", "weight": 1, "dashArray": "4 3",
                                   "fillColor": "#8fa3b5", "fillOpacity": 0.06},
        highlight_function=lambda _f: {"weight": 2, "fillOpacity": 0.15},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True),
        attribution=style.AREAS_ATTRIBUTION,
    ).add_to(m)


def settlement_rows(settlements: pd.DataFrame, boundaries: dict | None, lang: str) -> list[tuple[str, float, float, bool]]:
    """(label in ``lang``, lat, lon, major) for each settlement with finite coordinates.

    Major (labelled at every zoom): at least ``MAJOR_SETTLEMENT_POPULATION`` residents, or, with
    no ``population`` column, a settlement that gives its name to a local area.
    """
    area_names = {str((f.get("properties") or {}).get("name_sl") or "") for f in (boundaries or {}).get("features") or []}
    has_population = "population" in settlements.columns
    rows = []
    for record in settlements.to_dict("records"):
        lat, lon = finite_number(record.get("lat")), finite_number(record.get("lon"))
        if lat is None or lon is None:
            continue
        if has_population:
            major = (finite_number(record.get("population")) or 0) >= style.MAJOR_SETTLEMENT_POPULATION
        else:  # most local communities are named after their main settlement
            major = str(record.get("name_sl") or "") in area_names
        rows.append((i18n.name_in(record, lang), lat, lon, major))
    return rows


def add_settlements(m: folium.Map, settlements: pd.DataFrame | None, boundaries: dict | None, lang: str) -> None:
    """Settlement names as a layer: the major ones always, the rest from ``DETAIL_ZOOM`` on (map.css)."""
    if settlements is None or settlements.empty:
        return
    group = folium.FeatureGroup(name=i18n.t("map.layer_settlements", lang), show=True)
    for label, lat, lon, major in settlement_rows(settlements, boundaries, lang):
        kind = "koper-major" if major else "koper-minor"
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(html=f'<span class="koper-label {kind}">{safe.html_text(label)}</span>',
                                icon_size=(0, 0), icon_anchor=(0, 0), class_name="koper-label-icon"),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    group.add_to(m)


def settlements_with_population(settlements: pd.DataFrame, demand_points: pd.DataFrame) -> pd.DataFrame:
    """Settlements with a ``population`` column (sum of their demand points) for choosing labels."""
    population = demand_points.groupby("settlement_id")["population"].sum()
    return settlements.assign(population=settlements["settlement_id"].map(population).fillna(0.0))

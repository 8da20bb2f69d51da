"""The layers under the services, shared by the service map and the area choropleth.

A plain background map with bounded zoom (:func:`base_map`), the street background shown when the
browser can reach its tiles (:func:`add_osm_tiles`: OpenStreetMap or the municipality's tile
server, ``geo.settings.tile_source``; else the plain background, which says so), the municipality
outline, the 23 local areas and the settlement names, and the first view (:func:`frame`). Only
geometry and an escaped label of each boundary reach the page.
"""
from __future__ import annotations

from collections.abc import Callable

import folium
import pandas as pd

from geo import i18n, safe, settings
from geo.mapping import style
from geo.mapping.elements import FitView, MapLook, SettlementLabels, StreetTiles, ZoomableMap
from geo.mapping.locations import finite_number


def base_map(center: tuple[float, float], zoom: float) -> folium.Map:
    """An empty map on a plain background (no tiles), bounded zoom and the map's look (a metric scale).

    The page it makes lets a phone user pinch-zoom (``elements.ZoomableMap``).
    """
    # The scale is metric only: MapLook adds it (folium's control_scale shows miles too).
    m = ZoomableMap(location=list(center), zoom_start=zoom if isinstance(zoom, int) else round(float(zoom), 2),
                    tiles=None, control_scale=False)
    # Without a tile layer Leaflet's max zoom is Infinity, on which markercluster never finishes.
    m.options["min_zoom"], m.options["max_zoom"] = style.MIN_ZOOM, style.MAX_ZOOM
    # Quarter zoom steps for the first view (layers.frame): whole steps left the municipality a
    # third of a laptop's map; the + and − buttons still zoom by one.
    m.options["zoom_snap"] = style.ZOOM_SNAP
    m.add_child(MapLook())
    return m


def add_osm_tiles(m: folium.Map, lang: str) -> folium.TileLayer | None:
    """The street background, shown by default, over the plain one; returns its layer (None when off).

    The tiles come from ``settings.tile_source()`` (OpenStreetMap unless the municipality set its
    own server, with its credit). In the browser ``StreetTiles`` takes the layer off again and
    shows a note when no tile arrives (no internet), so the plain background is the fallback; the
    layer control can switch the street map off and on. With tiles off (``KOPER_MAP_TILES=off``)
    only the note is added.
    """
    source = settings.tile_source()
    note = i18n.t("map.tiles_offline", lang)
    texts = {key: i18n.t(f"map.{key}", lang) for key in ("frame_title", "zoom_in", "zoom_out", "layers")}
    if source is None:
        m.add_child(StreetTiles(None, note, texts=texts))
        return None
    url, credit = source
    osm = credit is None
    tiles = folium.TileLayer(
        tiles=url, attr=style.OSM_ATTRIBUTION if osm else safe.html_text(credit),
        name=i18n.t("map.layer_osm" if osm else "map.layer_streets", lang),
        overlay=True, show=True, control=True, max_zoom=settings.TILES_MAX_ZOOM,
        max_native_zoom=settings.TILES_MAX_ZOOM,
    )
    tiles.add_to(m)
    m.add_child(StreetTiles(tiles, note, texts=texts))
    return tiles


def bounds_of(points: list[tuple[float, float]]) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of (lat, lon) points. Raises ValueError for no points."""
    if not points:
        raise ValueError("bounds_of needs at least one (lat, lon) point")
    lats, lons = [float(p[0]) for p in points], [float(p[1]) for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def frame(m: folium.Map, points: list[tuple[float, float]] | None = None, max_zoom: int = style.SELECTED_ZOOM) -> None:
    """Open the map on all of ``points`` (lat, lon), or on the whole municipality when None.

    Done in the browser at the map's real size (``FitView``), so a phone sees the eastern villages
    and a result map never opens zoomed in on one corner of its results.
    """
    if points:
        bounds = bounds_of(points)
    else:
        south, west, north, east = settings.MUNICIPALITY_BOUNDS
        bounds = [[south, west], [north, east]]
    m.add_child(FitView(bounds, max_zoom))


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

    Major (placed first, in the larger type): at least ``MAJOR_SETTLEMENT_POPULATION`` residents,
    or, with no ``population`` column, a settlement that gives its name to a local area.
    """
    return [row for row, _population in _ranked_settlements(settlements, boundaries, lang)]


def _ranked_settlements(settlements: pd.DataFrame, boundaries: dict | None, lang: str) -> list[tuple[tuple, float]]:
    area_names = {str((f.get("properties") or {}).get("name_sl") or "") for f in (boundaries or {}).get("features") or []}
    has_population = "population" in settlements.columns
    rows = []
    for record in settlements.to_dict("records"):
        lat, lon = finite_number(record.get("lat")), finite_number(record.get("lon"))
        if lat is None or lon is None:
            continue
        population = (finite_number(record.get("population")) or 0.0) if has_population else 0.0
        if has_population:
            major = population >= style.MAJOR_SETTLEMENT_POPULATION
        else:  # most local communities are named after their main settlement
            major = str(record.get("name_sl") or "") in area_names
        rows.append(((i18n.name_in(record, lang), lat, lon, major), population))
    return rows


def add_settlements(m: folium.Map, settlements: pd.DataFrame | None, boundaries: dict | None, lang: str) -> None:
    """Settlement names as a layer, each with the rank map_look.js places it by (major first, then by residents).

    In the browser a name that would cover a marker, a control or a name placed before it is
    hidden for that view (``static/map_look.js``), so names never collide at any zoom.
    """
    if settlements is None or settlements.empty:
        return
    group = folium.FeatureGroup(name=i18n.t("map.layer_settlements", lang), show=True)
    ranked = _ranked_settlements(settlements, boundaries, lang)
    order = sorted(range(len(ranked)), key=lambda i: (not ranked[i][0][3], -ranked[i][1], i))
    rank = {i: r for r, i in enumerate(order)}
    # one element for all names (elements.SettlementLabels): a marker each made the frame 55 KB larger
    group.add_child(SettlementLabels([[lat, lon, safe.html_text(label), int(bool(major)), rank[i]]
                                      for i, ((label, lat, lon, major), _population) in enumerate(ranked)]))
    group.add_to(m)


def settlements_with_population(settlements: pd.DataFrame, demand_points: pd.DataFrame) -> pd.DataFrame:
    """Settlements with a ``population`` column (sum of their demand points) for choosing labels."""
    population = demand_points.groupby("settlement_id")["population"].sum()
    return settlements.assign(population=settlements["settlement_id"].map(population).fillna(0.0))

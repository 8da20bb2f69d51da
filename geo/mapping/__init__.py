"""The service map: a located directory table in, a ``folium.Map`` out (no Streamlit, no I/O).

The map works with no internet: its code comes from local files (``geo.assets``), it starts
on a plain background with the municipality outline, the 23 local areas, settlement names and
the services; OpenStreetMap tiles are an overlay the user may switch on.

One marker per address of the placed services (``geo.model.PLACED_TYPES``), so several services
at one address never hide each other: the marker's popup lists them all. ``area`` services
(delivered at home) and ``confidential`` ones (shelters) are never drawn, and their coordinates
never reach the HTML.

Where what is:

* ``locations`` — the table → the addresses drawn (``Location``, ``map_locations``).
* ``rows`` — an address → its compact marker/popup row, every text escaped (``location_json``).
* ``style`` — colours, shapes, symbols, zoom levels, credits, the legend, generated CSS rules.
* ``elements`` — the Leaflet elements (``LocationLayer``, ``Legend``, ``MapLook``, …) and the
  JavaScript/CSS files in ``static/`` they inline.
* ``layers`` — the base map, tiles, outline, areas and settlement names (also used by
  ``geo.choropleth``).
* ``build`` — ``build_map``, ``add_start_point``.

Safety: every text from the data is escaped with ``geo.safe.html_text`` and reaches the page
inside a JSON string (never inside a JavaScript template literal, where ``${…}`` would run);
links come only from the ``geo.safe`` href helpers.
"""
from __future__ import annotations

from geo.mapping.build import add_start_point, build_map, map_html_size
from geo.mapping.elements import Legend, LocationLayer, MapLook, OpenSelected, SafeTooltip
from geo.mapping.layers import add_outline, settlements_with_population
from geo.mapping.locations import Location, location_id, map_locations
from geo.mapping.rows import (
    POPUP_LABEL_KEYS,
    location_json,
    location_row,
    location_rows,
    popup_labels,
    publish_rows,
    script_json,
    service_row,
)
from geo.mapping.style import (
    AREAS_ATTRIBUTION,
    BACKGROUND,
    CATEGORY_COLOURS,
    CATEGORY_SHAPES,
    CATEGORY_SYMBOLS,
    DETAIL_ZOOM,
    MAJOR_SETTLEMENT_POPULATION,
    MARKER_SIZE,
    MAX_ZOOM,
    MIN_ZOOM,
    OSM_ATTRIBUTION,
    OSM_TILES,
    SELECTED_ZOOM,
    legend_html,
)

__all__ = [
    "AREAS_ATTRIBUTION", "BACKGROUND", "CATEGORY_COLOURS", "CATEGORY_SHAPES", "CATEGORY_SYMBOLS", "DETAIL_ZOOM",
    "MAJOR_SETTLEMENT_POPULATION", "MARKER_SIZE", "MAX_ZOOM", "MIN_ZOOM", "OSM_ATTRIBUTION", "OSM_TILES",
    "POPUP_LABEL_KEYS", "SELECTED_ZOOM", "Legend", "Location", "LocationLayer", "MapLook", "OpenSelected",
    "SafeTooltip", "add_outline", "add_start_point", "build_map", "legend_html", "location_id", "location_json",
    "location_row", "location_rows", "map_html_size", "map_locations", "popup_labels", "publish_rows", "script_json",
    "service_row", "settlements_with_population",
]

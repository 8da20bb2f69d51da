"""The map's own Leaflet elements (folium ``MacroElement``\\ s) and the JavaScript/CSS files they inline.

The code lives in real files under ``static/`` (``location_layer.js``, ``legend.js``,
``map_look.js``, ``open_selected.js``, ``street_tiles.js``, ``fit_view.js``, ``map.css``), read once
as package resources. Each
element's Jinja template is one call: ``(<the file's function>)(arguments)``. The templates
never contain data: data reaches the page only as template *values*, through ``tojavascript``
(JSON with ``<``, ``>``, ``&`` and ``'`` escaped) or, for the marker rows, through
:func:`geo.mapping.rows.script_json` — never inside a JavaScript template literal (where
``${…}`` would run), which is why folium's own ``Tooltip`` is not used.
"""
from __future__ import annotations

import re
from importlib import resources

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from geo import i18n, safe
from geo.mapping import style
from geo.mapping.rows import popup_labels, script_json


def static_text(name: str) -> str:
    """The text of ``static/<name>`` inside this package (UTF-8). Raises FileNotFoundError if absent."""
    return (resources.files(__package__) / "static" / name).read_text(encoding="utf-8")


#: The code each element inlines (constants read at import: no data, the same for every map).
LOCATION_LAYER_JS = static_text("location_layer.js")
OPEN_SELECTED_JS = static_text("open_selected.js")
LEGEND_JS = static_text("legend.js")
MAP_LOOK_JS = static_text("map_look.js")
STREET_TILES_JS = static_text("street_tiles.js")
FIT_VIEW_JS = static_text("fit_view.js")
SETTLEMENT_LABELS_JS = static_text("settlement_labels.js")
MAP_CSS = static_text("map.css")
STATIC_FILES = ("location_layer.js", "open_selected.js", "legend.js", "map_look.js", "street_tiles.js",
                "fit_view.js", "settlement_labels.js", "map.css")

#: folium's page header forbids zooming the page (``maximum-scale=1.0, user-scalable=no``), which
#: stops a phone user from pinch-zooming the map's frame (WCAG 1.4.4); this is the viewport kept.
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>', re.IGNORECASE)


class ZoomableMap(folium.Map):
    """A ``folium.Map`` whose page lets the user zoom (pinch) the page: see ``VIEWPORT``."""

    def render(self, **kwargs) -> None:
        super().render(**kwargs)
        header = self.get_root().header
        mine = header._children.get(self.get_name())
        if mine is not None:  # the element folium's header macro added for this map
            text = _FOLIUM_VIEWPORT.sub(VIEWPORT, mine.render())
            header.add_child(Element(text), name=self.get_name())


class SafeTooltip(MacroElement):
    """Bind ready-made, escaped HTML as a tooltip."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.html|tojavascript }}, {{ this.options|tojavascript }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, **options):
        super().__init__()
        self._name = "SafeTooltip"
        self.html = html
        self.options = options


class Legend(MacroElement):
    """A Leaflet control in the bottom right corner holding the legend HTML (``static/legend.js``).

    ``html`` must be made of escaped texts (``style.legend_html``, ``choropleth``'s legend);
    the legend folds on maps narrower than ``fold_below_px``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ({{ this.code }})({{ this._parent.get_name() }}, {{ this.html|tojavascript }}, {{ this.fold_below_px }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, fold_below_px: int = 600):
        super().__init__()
        self._name = "Legend"
        self.code = LEGEND_JS
        self.html = html
        self.fold_below_px = int(fold_below_px)


class MapLook(MacroElement):
    """Plain light background, the map's style sheet, settlement labels that depend on the zoom.

    The style sheet is ``static/map.css`` then ``style.map_css()``; ``static/map_look.js`` shows
    every settlement name from ``detail_zoom`` on.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .koper-map.leaflet-container { background: {{ this.background }}; }
                {{ this.css }}
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            ({{ this.code }})({{ this._parent.get_name() }}, {{ this.detail_zoom|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, background: str = style.BACKGROUND, detail_zoom: int = style.DETAIL_ZOOM):
        super().__init__()
        self._name = "MapLook"
        self.css = MAP_CSS + "\n" + style.map_css()
        self.code = MAP_LOOK_JS
        self.background = background
        self.detail_zoom = int(detail_zoom)


class SettlementLabels(MacroElement):
    """Settlement names as one element (``static/settlement_labels.js``), added to a FeatureGroup.

    One folium Marker + DivIcon per name made the service map's frame ~55 KB of script for 105
    names and two Jinja renders each on every new view (issue 14); here the names are one JSON
    array. ``rows``: ``[lat, lon, name, major (1/0), rank]`` with the name HTML-escaped
    (``geo.safe.html_text``), reaching the template only through ``rows.script_json``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ({{ this.code }})({{ this._parent.get_name() }}, {{ this.rows_json }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list]):
        super().__init__()
        self._name = "SettlementLabels"
        self.code = SETTLEMENT_LABELS_JS
        self.rows_json = script_json(rows)


class LocationLayer(MacroElement):
    """Every service marker as one element: the data as one JSON array, markers and popups made in the browser.

    One folium Marker, DivIcon, popup and tooltip per address made ~5 Jinja renders per address
    (a minute and 40 MB for 10,000 addresses); full popup HTML per address still made ~2.4 KB
    each. Here each address is a compact row of short texts, escaped in Python (see
    ``rows.location_rows``), reaching the template only as ``data_json`` (see ``script_json``);
    the labels every popup shares come once. ``static/location_layer.js`` makes the markers,
    adds them to the parent MarkerCluster with ``addLayers`` and builds a popup's DOM only when
    it opens. Clicks reach streamlit-folium through the cluster group, a layer of the map it
    listens to.

    ``rows`` is ``rows.location_rows(...)`` or its ``script_json`` text (``rows.location_json``);
    ``selected_id`` a location id whose marker is ringed. With ``rows_url`` (a same-origin path of
    a file holding ``rows.view_json``, e.g. ``ui.frames.map_rows_url``) the map fetches the rows
    instead, as markers, popup details and open states, and ``rows`` is not used: the map frame's
    arguments stay small (issue 14). ``markers`` (only with ``rows_url``): a small view's
    ``rows.marker_json`` text (or its rows), drawn at once while the frame's script runs instead
    of fetched after the view file (issue 14: one round trip less before the first marker); the
    view file still brings the popups' details and the open states. ``view`` (only with ``markers``):
    that view file's own text (``rows.view_json``, script-safe), so the map fetches only the popups'
    details (issue 14: one request less per visit). Raises ValueError for ``markers`` without
    ``rows_url``, or ``view`` without ``markers``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function (cluster) {
                // Rows: see geo/mapping/rows.py; every text already HTML-escaped in Python.
                var rows = {{ this.data_json }};
                var markers = {{ this.markers_json }};
                var view = {{ this.view_json }};
                var labels = {{ this.labels|tojavascript }}, selectedId = {{ this.selected_id|tojavascript }};
                return ({{ this.code }})(cluster, rows, labels, selectedId, {{ this.options|tojavascript }}, markers,
                                         view);
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list] | str | None, lang: str, selected_id: str | None = None,
                 size: int = style.MARKER_SIZE, max_width: int = 360, rows_url: str | None = None,
                 markers: list[list] | str | None = None, view: str | None = None):
        super().__init__()
        if markers is not None and not rows_url:
            raise ValueError("inline markers need rows_url: the view file brings their popups' details")
        if view is not None and markers is None:
            raise ValueError("an inline view file goes with inline markers (it names the markers file)")
        self._name = "LocationLayer"
        self.code = LOCATION_LAYER_JS
        self.data_json = "null" if rows_url else rows if isinstance(rows, str) else script_json(rows or [])
        self.markers_json = ("null" if markers is None else markers if isinstance(markers, str)
                             else script_json(markers))
        self.view_json = "null" if view is None else view  # rows.view_json's text (script-safe)
        self.labels = popup_labels(lang)
        self.selected_id = safe.html_text(selected_id) if selected_id else None  # as row[2] of its row
        self.options = {
            "size": int(size), "anchor": int(size) // 2,
            # a cluster's name for screen readers: the text before and after "{n}" (how many addresses it
            # holds; worded so no plural form is needed), each escaped (tojavascript makes the key clusterLabel)
            "cluster_label": [safe.html_text(part) for part in i18n.t("map.cluster_label", lang).split("{n}", 1)],
            "popup": {"max_width": int(max_width), "min_width": 220},
            "tooltip": {"direction": "top", "offset": [0, -(int(size) // 2)]},
        }
        if rows_url:
            self.options["rows_url"] = str(rows_url)


class OpenSelected(MacroElement):
    """Open the popup of one marker of a LocationLayer (inside its cluster) once the map is ready."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ({{ this.code }})({{ this.layer.get_name() }}, {{ this.location_id|tojavascript }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: LocationLayer, location_id: str):
        super().__init__()
        self._name = "OpenSelected"
        self.code = OPEN_SELECTED_JS
        self.layer = layer
        self.location_id = str(location_id)


class StreetTiles(MacroElement):
    """Watch the street tile layer: keep it when tiles arrive, else remove it and say so (``static/street_tiles.js``).

    ``tiles`` is the ``folium.TileLayer`` (None when tiles are switched off: the note shows at
    once); ``note`` plain text, escaped here; ``timeout_ms`` how long to wait for a first tile;
    ``texts`` plain texts in the page's language: ``frame_title`` (the map's accessible name),
    ``zoom_in``, ``zoom_out``, ``layers`` (Leaflet's buttons).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ({{ this.code }})({{ this._parent.get_name() }}, {{ this.tiles_name }}, {{ this.note|tojavascript }}, {{ this.timeout_ms }}, {{ this.texts|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, tiles: folium.TileLayer | None, note: str, timeout_ms: int = 8000,
                 texts: dict[str, str] | None = None):
        super().__init__()
        self._name = "StreetTiles"
        # plain texts, set with setAttribute (never parsed as HTML)
        self.texts = {str(k): str(v) for k, v in (texts or {}).items()}
        self.code = STREET_TILES_JS
        self.tiles = tiles
        self.note = safe.html_text(note)
        self.timeout_ms = int(timeout_ms)

    @property
    def tiles_name(self) -> str:
        """The tile layer's JavaScript variable (known only once it is on a map), or ``null``."""
        return self.tiles.get_name() if self.tiles is not None else "null"


class FitView(MacroElement):
    """Open the map showing all of ``bounds`` at its real size, clear of the legend (``static/fit_view.js``).

    In the middle of the frame where the legend leaves them free, else beside or above it.
    ``bounds`` is ``[[south, west], [north, east]]`` in degrees; ``max_zoom`` the closest it may
    zoom (a single point); ``padding_px`` the margin around the bounds in CSS pixels.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ({{ this.code }})({{ this._parent.get_name() }}, {{ this.bounds|tojson }}, {{ this.max_zoom }}, {{ this.padding_px }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]], max_zoom: int, padding_px: int = 24):
        super().__init__()
        self._name = "FitView"
        self.code = FIT_VIEW_JS
        self.bounds = [[float(bounds[0][0]), float(bounds[0][1])], [float(bounds[1][0]), float(bounds[1][1])]]
        self.max_zoom = int(max_zoom)
        self.padding_px = int(padding_px)

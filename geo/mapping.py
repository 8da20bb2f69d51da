"""The service map: a located directory table in, a ``folium.Map`` out (no Streamlit, no I/O).

The map works with no internet: its code comes from local files (``geo.assets``), it starts
on a plain background with the municipality outline, the 23 local areas, settlement names and
the services; OpenStreetMap tiles are an overlay the user may switch on.

One marker per address of the ``site`` and ``office`` services, so several services at one
address never hide each other: the marker's popup lists them all. ``area`` services (delivered
at home) and ``confidential`` ones (shelters) are never drawn, and their coordinates never
reach the HTML.

Safety: every text from the data is escaped with ``geo.safe.html_text`` and reaches the page
inside a JSON string (never inside a JavaScript template literal, where ``${…}`` would run);
links come only from the ``geo.safe`` href helpers.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import folium
import pandas as pd
from branca.element import MacroElement
from folium.plugins import MarkerCluster
from folium.template import Template

from geo import assets, i18n, model, present, safe, settings

#: Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), one per
#: category, each with its own shape and symbol so colour is never the only cue.
CATEGORY_COLOURS: dict[str, str] = {
    "home_care": "#E69F00",  # orange
    "day_activities": "#56B4E9",  # sky blue
    "residential": "#0072B2",  # blue
    "financial_aid": "#009E73",  # bluish green
    "counselling": "#CC79A7",  # reddish purple
    "crisis": "#D55E00",  # vermillion
    "health_prevention": "#F0E442",  # yellow
}
CATEGORY_SYMBOLS: dict[str, str] = {
    "home_care": "H",
    "day_activities": "D",
    "residential": "R",
    "financial_aid": "€",
    "counselling": "i",
    "crisis": "!",
    "health_prevention": "+",
}
#: CSS clip-path polygons (None = circle).
CATEGORY_SHAPES: dict[str, str | None] = {
    "home_care": None,
    "day_activities": "polygon(0 0,100% 0,100% 100%,0 100%)",  # square
    "residential": "polygon(50% 0,100% 42%,100% 100%,0 100%,0 42%)",  # house
    "financial_aid": "polygon(50% 0,100% 50%,50% 100%,0 50%)",  # diamond
    "counselling": "polygon(30% 0,70% 0,100% 30%,100% 70%,70% 100%,30% 100%,0 70%,0 30%)",  # octagon
    "crisis": "polygon(50% 0,100% 100%,0 100%)",  # triangle
    "health_prevention": "polygon(25% 0,75% 0,100% 50%,75% 100%,25% 100%,0 50%)",  # hexagon
}

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>'
#: The licence (CC BY 4.0) asks for this exact credit on the area boundaries.
AREAS_ATTRIBUTION = "Vir: GURS, Register prostorskih enot"
BACKGROUND = "#f3f2ee"
MIN_ZOOM, MAX_ZOOM = 9, 18
#: Zoom from which every settlement is labelled (before it: only the larger ones).
DETAIL_ZOOM = 13
#: A settlement with at least this many residents is labelled at every zoom.
MAJOR_SETTLEMENT_POPULATION = 500
SELECTED_ZOOM = 16
MARKER_SIZE = 26


@dataclass(frozen=True)
class Location:
    """One address on the map and the services found there (records in table order)."""

    location_id: str
    address: str
    lat: float
    lon: float
    services: tuple[dict, ...]

    @property
    def category(self) -> str:
        """The category shown on the marker: the most frequent one (ties: CATEGORIES order)."""
        counts = Counter(s.get("category") for s in self.services)
        return max(model.CATEGORIES, key=lambda c: (counts.get(c, 0), -model.CATEGORIES.index(c)))


def location_id(address: str) -> str:
    """A stable id for an address, usable in HTML and URLs: ``loc-krozna-cesta-5-6000-koper``."""
    ascii_text = unicodedata.normalize("NFKD", address).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return "loc-" + (slug or "address")


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clean(record: dict) -> dict:
    """A record with missing values (NaN, None) turned into None."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()}


def map_locations(services: pd.DataFrame) -> list[Location]:
    """The drawable addresses: site/office services with an address and finite coordinates.

    Area and confidential services are dropped here, whatever coordinates they carry.
    """
    groups: dict[str, list[dict]] = {}
    points: dict[str, tuple[float, float]] = {}
    columns = set(services.columns)
    if not {"location_type", "address", "lat", "lon"} <= columns:
        return []
    for record in services.to_dict("records"):
        record = _clean(record)
        if record.get("location_type") not in model.PLACED_TYPES:
            continue
        address = str(record.get("address") or "").strip()
        lat, lon = _number(record.get("lat")), _number(record.get("lon"))
        if not address or lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        groups.setdefault(address, []).append(record)
        points.setdefault(address, (lat, lon))
    located, used = [], set()
    for address, records in groups.items():
        base = ident = location_id(address)
        suffix = 2
        while ident in used:
            ident, suffix = f"{base}-{suffix}", suffix + 1
        used.add(ident)
        located.append(Location(ident, address, *points[address], tuple(records)))
    return located


# ---------------------------------------------------------------------------------------------
# HTML pieces (every data text escaped here)


def _symbol_html(category: str, size: int = MARKER_SIZE) -> str:
    """A category symbol with its look inline (the legend: shown once, readable without map_css)."""
    colour = CATEGORY_COLOURS.get(category, "#777777")
    shape = CATEGORY_SHAPES.get(category)
    clip = f"clip-path:{shape};" if shape else "border-radius:50%;"
    pad = f"padding-top:{size // 4}px;height:{size - size // 4}px;" if category == "crisis" else \
        f"line-height:{size}px;height:{size}px;"
    style = (f"width:{size}px;background:{colour};color:{_text_colour(colour)};{clip}"
             f"font:bold {max(9, size // 2)}px Arial,sans-serif;text-align:center;box-sizing:border-box;{pad}")
    return (f'<span class="koper-symbol koper-cat-{safe.html_text(category)}" aria-hidden="true" '
            f'style="display:inline-block;{style}">{safe.html_text(CATEGORY_SYMBOLS.get(category, "?"))}</span>')


#: Symbol sizes that have a CSS class in ``map_css`` (markers and popups repeat them thousands of times).
SYMBOL_CLASS_SIZES = (MARKER_SIZE, 16)


def _symbol_class_html(category: str, size: int = MARKER_SIZE) -> str:
    """A category symbol styled by the classes of ``map_css`` (no inline style: it is repeated per marker)."""
    return (f'<span class="koper-symbol koper-s{size} koper-cat-{safe.html_text(category)}" aria-hidden="true">'
            f'{safe.html_text(CATEGORY_SYMBOLS.get(category, "?"))}</span>')


def _text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with a #rrggbb colour (WCAG luminance)."""
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(background[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def marker_html(location: Location, selected: bool = False) -> str:
    """The DivIcon markup: category symbol, a count badge for several services, the location id."""
    count = len(location.services)
    badge = f'<span class="koper-count">{count}</span>' if count > 1 else ""
    return (f'<div class="koper-marker{" koper-selected" if selected else ""}" '
            f'data-location-id="{safe.html_text(location.location_id)}" '
            f'role="img" aria-label="{safe.html_text(location.address)}">'
            f"{_symbol_class_html(location.category)}{badge}</div>")


def _link(label: str, href: str | None, new_tab: bool = False) -> str:
    """An <a> when the href is safe, else the label as text; always escaped."""
    if not href:
        return safe.html_text(label)
    target = ' target="_blank" rel="noopener noreferrer"' if new_tab else ""
    return f'<a href="{safe.html_text(href)}"{target}>{safe.html_text(label)}</a>'


def _line(label_key: str, value_html: str, lang: str) -> str:
    if not value_html:
        return ""
    return f"<div><b>{safe.html_text(i18n.t(label_key, lang))}:</b> {value_html}</div>"


def _state_text(record: dict, lang: str, when: dt.datetime) -> str:
    try:
        return present.state_text(record, lang, when)
    except Exception:
        return i18n.t("state.unknown", lang)


def _verified_text(record: dict, lang: str) -> str:
    return _verified_on(str(record.get("last_verified") or ""), lang)


# Cached: thousands of popups share a few dates and numbers, and Babel/phonenumbers are slow.
@functools.lru_cache(maxsize=1024)
def _verified_on(day_text: str, lang: str) -> str:
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        return ""
    return i18n.t("map.verified", lang, date=i18n.format_day(day, lang))


@functools.lru_cache(maxsize=4096)
def _phone_link(phone: str) -> str:
    return _link(present.display_phone(phone), safe.tel_href(phone))


def service_html(record: dict, lang: str, when: dt.datetime, lat: float, lon: float) -> str:
    """One service's block in a popup; every data text escaped, links only from geo.safe."""
    record = _clean(record)
    name = i18n.field(record, "name", lang)
    category = str(record.get("category") or "")
    category_label = i18n.t(f"category.{category}", lang) if category in model.CATEGORIES else category
    parts = [
        f'<div class="koper-service" data-service-id="{safe.html_text(record.get("id"))}">',
        f'<div class="koper-service-head">{_symbol_class_html(category, 16)}'
        f'<b class="koper-service-name">{safe.html_text(name)}</b></div>',
        f'<div class="koper-service-category">{safe.html_text(category_label)}</div>',
        _line("field.provider", safe.html_text(record.get("provider")), lang),
        _line("field.address", safe.html_text(present.address_text(record, lang)), lang),
    ]
    phones = [_phone_link(str(p)) for p in record.get("phones") or []]
    parts.append(_line("field.phones", ", ".join(phones), lang))
    emails = [_link(e, safe.mailto_href(e)) for e in record.get("emails") or []]
    parts.append(_line("field.emails", ", ".join(emails), lang))
    if record.get("website"):
        parts.append(_line("field.website", _link(record["website"], safe.web_href(record["website"]), True), lang))
    if record.get("opening_hours"):
        hours_lines = [i18n.field(record, "hours_note", lang), present.today_text(record, lang, when),
                       _state_text(record, lang, when)]
    else:  # no machine-readable hours: the note as written, or 'unknown'
        hours_lines = [present.hours_text(record, lang)]
    parts.append(_line("field.hours", "<br>".join(safe.html_text(h) for h in hours_lines if h), lang))
    parts.append(_line("field.price", safe.html_text(present.price_text(record, lang)), lang))
    parts.append(_line("field.how_to_apply", safe.html_text(i18n.field(record, "how_to_apply", lang)), lang))
    parts.append(_line("directory.location", safe.html_text(present.location_text(record, lang)), lang))
    directions = " · ".join([
        _link("OpenStreetMap", safe.osm_directions_href(lat, lon), True),
        _link("Google Maps", safe.google_directions_href(str(record.get("address") or "")), True),
    ])
    parts.append(_line("map.directions", directions, lang))
    verified = _verified_text(record, lang)
    if verified:
        parts.append(f'<div class="koper-verified">{safe.html_text(verified)}</div>')
    parts.append("</div>")
    return "".join(p for p in parts if p)


def popup_html(location: Location, lang: str, when: dt.datetime) -> str:
    """The popup of one address: a heading, then every service there.

    The map itself ships ``location_row`` and builds this DOM in the browser; this HTML is the
    reference it must match (tests/test_mapping.py compares the text shown) and the escaping check.
    """
    head = (f'<div class="koper-popup-address">'
            f'{safe.html_text(present.address_text(location.services[0], lang))}</div>')
    if len(location.services) > 1:
        head += (f'<div class="koper-popup-count">'
                 f'{safe.html_text(i18n.t("map.services_here", lang, n=len(location.services)))}</div>')
    body = "".join(service_html(s, lang, when, location.lat, location.lon) for s in location.services)
    return f'<div class="koper-popup" data-location-id="{safe.html_text(location.location_id)}">{head}{body}</div>'


def tooltip_html(location: Location, lang: str) -> str:
    """The hover text of a marker: address and service names, escaped."""
    names = [safe.html_text(i18n.field(s, "name", lang)) for s in location.services]
    return f"<b>{safe.html_text(present.address_text(location.services[0], lang))}</b><br>" + "<br>".join(names)


def legend_html(lang: str) -> str:
    """The legend: one row per category with its colour, shape and symbol, in ``lang``."""
    rows = "".join(
        f'<div class="koper-legend-row" data-category="{safe.html_text(c)}" '
        f'style="display:flex;align-items:center;gap:6px;margin:2px 0;">{_symbol_html(c, 18)}'
        f"<span>{safe.html_text(i18n.t(f'category.{c}', lang))}</span></div>"
        for c in model.CATEGORIES
    )
    return (f'<div class="koper-legend" style="background:rgba(255,255,255,.92);padding:6px 8px;'
            f'border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.3 Arial,sans-serif;">'
            f'<details open><summary style="font-weight:bold;cursor:pointer;margin-bottom:4px;">'
            f'{safe.html_text(i18n.t("map.legend", lang))}</summary>'
            f'{rows}<div style="margin-top:4px;color:#444;">{safe.html_text(i18n.t("map.legend_count", lang))}</div>'
            f"</details></div>")


def map_css() -> str:
    """The map's style sheet: marker, symbol and popup classes written once, not inline per marker.

    Built from the constants of this module only (no data).
    """
    rules = [
        ".koper-marker{position:relative;width:%dpx;height:%dpx;"
        "filter:drop-shadow(0 0 1px #000) drop-shadow(0 1px 2px rgba(0,0,0,.5))}" % (MARKER_SIZE, MARKER_SIZE),
        ".koper-marker.koper-selected{outline:3px solid #000;outline-offset:2px;border-radius:50%}",
        ".koper-count{position:absolute;right:-7px;top:-7px;min-width:16px;height:16px;padding:0 3px;"
        "border-radius:8px;background:#222;color:#fff;font:bold 11px/16px Arial,sans-serif;text-align:center;"
        "box-sizing:border-box}",
        ".koper-symbol{display:inline-block;text-align:center;box-sizing:border-box;background:#777777;"
        "color:%s;border-radius:50%%}" % _text_colour("#777777"),
    ]
    for size in SYMBOL_CLASS_SIZES:
        rules.append(f".koper-s{size}{{width:{size}px;height:{size}px;line-height:{size}px;"
                     f"font:bold {max(9, size // 2)}px/{size}px Arial,sans-serif}}")
        # The triangle's symbol sits lower, inside the shape (as in _symbol_html).
        rules.append(f".koper-s{size}.koper-cat-crisis{{padding-top:{size // 4}px;height:{size - size // 4}px;"
                     f"line-height:normal;font-size:{max(9, size // 2)}px}}")
    for category, colour in CATEGORY_COLOURS.items():
        shape = CATEGORY_SHAPES.get(category)
        clip = f"clip-path:{shape};border-radius:0" if shape else "border-radius:50%"
        rules.append(f".koper-symbol.koper-cat-{category}{{background:{colour};color:{_text_colour(colour)};{clip}}}")
    rules += [
        ".koper-popup{max-height:320px;overflow-y:auto;min-width:220px}",
        ".koper-popup-address{font-weight:bold;margin-bottom:4px}",
        ".koper-popup-count{margin-bottom:6px}",
        ".koper-service{margin:0 0 8px 0;padding:0 0 6px 0;border-bottom:1px solid #ddd}",
        ".koper-service-head{display:flex;gap:6px;align-items:center}",
        ".koper-service-name{font-size:1.05em}",
        ".koper-service-category{color:#555}",
        ".koper-verified{color:#666;font-size:.9em}",
        ".koper-popup a{word-break:break-all}",
    ]
    return "\n".join(rules)


# ---------------------------------------------------------------------------------------------
# Small elements. Content goes through ``tojavascript`` (JSON with <, >, &, ' escaped), never
# into a template literal as folium's Tooltip does.


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
    """A Leaflet control in the bottom right corner holding the legend HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map) {
                var legend = L.control({position: "bottomright"});
                legend.onAdd = function () {
                    var box = L.DomUtil.create("div", "koper-legend-control");
                    box.innerHTML = {{ this.html|tojavascript }};
                    // On a narrow map (a phone) the legend starts folded, so it does not hide the map.
                    var details = box.querySelector("details");
                    if (details && map.getSize().x < {{ this.fold_below_px }}) { details.open = false; }
                    L.DomEvent.disableClickPropagation(box);
                    L.DomEvent.disableScrollPropagation(box);
                    return box;
                };
                legend.addTo(map);
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, fold_below_px: int = 600):
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.fold_below_px = int(fold_below_px)


class MapLook(MacroElement):
    """Plain light background and settlement labels that depend on the zoom (all from DETAIL_ZOOM on)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .koper-map.leaflet-container { background: {{ this.background }}; }
                .koper-marker-icon, .koper-label-icon { background: none; border: none; }
                .koper-label { font: 11px/1.2 Arial, sans-serif; color: #333; white-space: nowrap;
                    transform: translate(-50%, -50%); display: inline-block;
                    text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }
                .koper-label.koper-major { font-weight: bold; font-size: 12px; }
                .koper-map .koper-label.koper-minor { display: none; }
                .koper-map.koper-zoom-detail .koper-label.koper-minor { display: inline-block; }
                {{ this.css }}
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function (map) {
                var box = map.getContainer();
                box.classList.add("koper-map");
                function detail() {
                    box.classList.toggle("koper-zoom-detail", map.getZoom() >= {{ this.detail_zoom|tojson }});
                }
                map.on("zoomend", detail);
                detail();
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, background: str = BACKGROUND, detail_zoom: int = DETAIL_ZOOM):
        super().__init__()
        self._name = "MapLook"
        self.css = map_css()
        self.background = background
        self.detail_zoom = int(detail_zoom)


#: Characters written as \uXXXX in the locations' JSON: "<" and ">" so it can never close the
#: <script> element, "&" for XHTML, braces so it can never form a Jinja delimiter when branca
#: renders the element's output again as a template.
_SCRIPT_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("{", "\\u007b"), ("}", "\\u007d"))


def script_json(rows: list[list]) -> str:
    """Lists of strings and numbers as JSON safe to put in a script and in a Jinja template's output.

    Only lists (no objects), so every brace in the result is inside a string and can be escaped.
    """
    text = json.dumps(rows, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_JSON_ESCAPES:  # str.replace: far faster than translate on megabytes
        text = text.replace(char, escaped)
    return text


#: Popup field labels, shipped once per map (in this order) rather than in every popup.
POPUP_LABEL_KEYS = ("field.provider", "field.address", "field.phones", "field.emails", "field.website",
                    "field.hours", "field.price", "field.how_to_apply", "directory.location", "map.directions")


def popup_labels(lang: str) -> dict:
    """What every popup shares, in ``lang``, escaped: field labels and each category's label and symbol."""
    return {
        "fields": [safe.html_text(i18n.t(key, lang)) for key in POPUP_LABEL_KEYS],
        "categories": [[c, safe.html_text(i18n.t(f"category.{c}", lang)), safe.html_text(CATEGORY_SYMBOLS[c])]
                       for c in model.CATEGORIES],
    }


def _links(pairs: list[tuple[str, str | None]]) -> list[list[str]]:
    """[href or "", escaped label] per link (the href straight from a geo.safe helper, or none)."""
    return [[href or "", safe.html_text(label)] for label, href in pairs]


@functools.lru_cache(maxsize=4096)
def _phone_row(phone: str) -> tuple[str, str]:
    return safe.tel_href(phone) or "", safe.html_text(present.display_phone(phone))


def service_row(record: dict, lang: str, when: dt.datetime) -> list:
    """One service of a popup as a compact row; what ``service_html`` shows, without the markup.

    [id, name, category, provider, address, phones, emails, website, hours lines, price,
    how to apply, location, Google directions href, verified]: texts escaped with
    ``geo.safe.html_text``; links as [href, escaped label] with the href from a geo.safe helper
    ("" when the value is not a safe link: then the label is shown as text).
    """
    record = _clean(record)
    if record.get("opening_hours"):
        hours_lines = [i18n.field(record, "hours_note", lang), present.today_text(record, lang, when),
                       _state_text(record, lang, when)]
    else:  # no machine-readable hours: the note as written, or 'unknown'
        hours_lines = [present.hours_text(record, lang)]
    website = record.get("website")
    return [
        safe.html_text(record.get("id")),
        safe.html_text(i18n.field(record, "name", lang)),
        safe.html_text(record.get("category") or ""),
        safe.html_text(record.get("provider")),
        safe.html_text(present.address_text(record, lang)),
        [list(_phone_row(str(p))) for p in record.get("phones") or []],
        _links([(str(e), safe.mailto_href(str(e))) for e in record.get("emails") or []]),
        _links([(str(website), safe.web_href(str(website)))])[0] if website else [],
        [safe.html_text(h) for h in hours_lines if h],
        safe.html_text(present.price_text(record, lang)),
        safe.html_text(i18n.field(record, "how_to_apply", lang)),
        safe.html_text(present.location_text(record, lang)),
        safe.google_directions_href(str(record.get("address") or "")),
        safe.html_text(_verified_text(record, lang)),
    ]


class LocationLayer(MacroElement):
    """Every service marker as one element: the data as one JSON array, markers and popups made in the browser.

    One folium Marker, DivIcon, popup and tooltip per address made ~5 Jinja renders per address
    (a minute and 40 MB for 10,000 addresses); full popup HTML per address still made ~2.4 KB
    each. Here each address is a compact row of short texts, escaped in Python (see
    ``location_rows``), reaching the template only as ``data_json`` (see ``script_json``); the
    labels every popup shares come once. The script makes the markers, adds them to the parent
    MarkerCluster with ``addLayers`` and builds a popup's DOM only when it opens: elements by
    ``createElement``, text by ``innerHTML`` of the escaped strings only, links by
    ``setAttribute`` after checking the scheme. Clicks reach streamlit-folium through the
    cluster group, a layer of the map it listens to.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function (cluster) {
                // Rows: see mapping.location_rows; every text already HTML-escaped in Python.
                var rows = {{ this.data_json }};
                var labels = {{ this.labels|tojavascript }}, selectedId = {{ this.selected_id|tojavascript }};
                var iconSize = [{{ this.size }}, {{ this.size }}], iconAnchor = [{{ this.anchor }}, {{ this.anchor }}];
                var popupOptions = {{ this.popup_options|tojavascript }};
                var tooltipOptions = {{ this.tooltip_options|tojavascript }};
                var F = labels.fields, categoryLabel = Object.create(null), symbol = Object.create(null);
                labels.categories.forEach(function (c) { categoryLabel[c[0]] = c[1]; symbol[c[0]] = c[2]; });
                var SAFE_HREF = /^(https:[/][/]|http:[/][/]|mailto:|tel:)/;

                function symbolHtml(category, size) {
                    return '<span class="koper-symbol koper-s' + size + ' koper-cat-' + category +
                        '" aria-hidden="true">' + (symbol[category] || "?") + "</span>";
                }
                // ``html`` is always a string escaped in Python (or fixed markup made here from such strings).
                function el(tag, className, html) {
                    var node = document.createElement(tag);
                    if (className) { node.className = className; }
                    if (html) { node.innerHTML = html; }
                    return node;
                }
                function text(html) {
                    var t = document.createElement("template");
                    t.innerHTML = html;
                    return t.content;
                }
                function link(href, labelHtml, newTab) {
                    if (!href || !SAFE_HREF.test(href)) { return text(labelHtml); }
                    var a = el("a", "", labelHtml);
                    a.setAttribute("href", href);
                    if (newTab) { a.setAttribute("target", "_blank"); a.setAttribute("rel", "noopener noreferrer"); }
                    return a;
                }
                // <div><b>Label:</b> part, part</div>, left out when there is nothing to show.
                function line(box, label, parts, separator) {
                    parts = parts.filter(function (p) { return p !== "" && p !== null; });
                    if (!parts.length) { return; }
                    var row = el("div");
                    row.appendChild(el("b", "", label + ":"));
                    row.appendChild(document.createTextNode(" "));
                    parts.forEach(function (p, i) {
                        if (i) { row.appendChild(separator === "<br>" ? el("br") : document.createTextNode(separator)); }
                        row.appendChild(typeof p === "string" ? text(p) : p);
                    });
                    box.appendChild(row);
                }
                function serviceBox(s, osmHref) {
                    var box = el("div", "koper-service");
                    box.setAttribute("data-service-id", text(s[0]).textContent);
                    var head = el("div", "koper-service-head", symbolHtml(s[2], 16));
                    head.appendChild(el("b", "koper-service-name", s[1]));
                    box.appendChild(head);
                    box.appendChild(el("div", "koper-service-category", categoryLabel[s[2]] || s[2]));
                    line(box, F[0], [s[3]]);
                    line(box, F[1], [s[4]]);
                    line(box, F[2], s[5].map(function (l) { return link(l[0], l[1]); }), ", ");
                    line(box, F[3], s[6].map(function (l) { return link(l[0], l[1]); }), ", ");
                    line(box, F[4], s[7].length ? [link(s[7][0], s[7][1], true)] : []);
                    line(box, F[5], s[8], "<br>");
                    line(box, F[6], [s[9]]);
                    line(box, F[7], [s[10]]);
                    line(box, F[8], [s[11]]);
                    line(box, F[9], [link(osmHref, "OpenStreetMap", true), link(s[12], "Google Maps", true)], " \\u00b7 ");
                    if (s[13]) { box.appendChild(el("div", "koper-verified", s[13])); }
                    return box;
                }
                // The popup's DOM is made when it opens, not for every marker at start.
                function popupContent(row) {
                    return function () {
                        var box = el("div", "koper-popup");
                        box.setAttribute("data-location-id", row[2]);
                        box.appendChild(el("div", "koper-popup-address", row[4]));
                        if (row[5]) { box.appendChild(el("div", "koper-popup-count", row[5])); }
                        row[7].forEach(function (s) { box.appendChild(serviceBox(s, row[6])); });
                        return box;
                    };
                }
                function tooltipContent(row) {
                    return function () {
                        return "<b>" + row[4] + "</b><br>" + row[7].map(function (s) { return s[1]; }).join("<br>");
                    };
                }
                function iconHtml(row) {
                    var n = row[7].length;
                    return '<div class="koper-marker' + (row[2] === selectedId ? " koper-selected" : "") +
                        '" data-location-id="' + row[2] + '" role="img" aria-label="' + row[4] + '">' +
                        symbolHtml(row[3], iconSize[0]) + (n > 1 ? '<span class="koper-count">' + n + "</span>" : "") + "</div>";
                }
                var markers = new Array(rows.length), byId = Object.create(null);
                for (var i = 0; i < rows.length; i++) {
                    var row = rows[i];
                    var marker = L.marker([row[0], row[1]], {
                        icon: L.divIcon({html: iconHtml(row), className: "koper-marker-icon",
                                         iconSize: iconSize, iconAnchor: iconAnchor})
                    });
                    marker.bindPopup(popupContent(row), popupOptions);
                    marker.bindTooltip(tooltipContent(row), tooltipOptions);
                    markers[i] = byId[row[2]] = marker;
                }
                cluster.addLayers(markers);
                return {cluster: cluster, markers: byId};
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list] | str, lang: str, selected_id: str | None = None,
                 size: int = MARKER_SIZE, max_width: int = 360):
        super().__init__()
        self._name = "LocationLayer"
        self.data_json = rows if isinstance(rows, str) else script_json(rows)
        self.labels = popup_labels(lang)
        self.selected_id = safe.html_text(selected_id) if selected_id else None
        self.size, self.anchor = int(size), int(size) // 2
        self.popup_options = {"max_width": int(max_width), "min_width": 220}
        self.tooltip_options = {"direction": "top", "offset": [0, -(int(size) // 2)]}


def location_row(location: Location, lang: str, when: dt.datetime) -> list:
    """One address for ``LocationLayer``: [lat, lon, id, marker category, address, "n services here"
    (only for several), OpenStreetMap directions href, service rows (see ``service_row``)]."""
    count = len(location.services)
    return [
        location.lat, location.lon, safe.html_text(location.location_id), safe.html_text(location.category),
        safe.html_text(present.address_text(location.services[0], lang)),
        safe.html_text(i18n.t("map.services_here", lang, n=count)) if count > 1 else "",
        safe.osm_directions_href(location.lat, location.lon),
        [service_row(s, lang, when) for s in location.services],
    ]


def location_rows(located: list[Location], lang: str, when: dt.datetime) -> list[list]:
    """One row per address for ``LocationLayer`` (the same for every selection and view of the map)."""
    return [location_row(loc, lang, when) for loc in located]


def location_json(located: list[Location], lang: str, when: dt.datetime) -> str:
    """``location_rows`` as the script-safe JSON the layer embeds (what ``ui.cache`` keeps per view)."""
    return script_json(location_rows(located, lang, when))


class OpenSelected(MacroElement):
    """Open the popup of one marker of a LocationLayer (inside its cluster) once the map is ready."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            // Wait until the frame has its final size, or the popup's auto-pan works on the wrong box.
            setTimeout(function () {
                var layer = {{ this.layer.get_name() }}, marker = layer.markers[{{ this.location_id|tojavascript }}];
                var tries = 0;
                (function show() {
                    if (!marker) { return; }
                    // chunked loading may not have reached this marker yet
                    if (!marker.__parent && tries++ < 100) { setTimeout(show, 100); return; }
                    layer.cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
                })();
            }, 300);
        {% endmacro %}
        """
    )

    def __init__(self, layer: LocationLayer, location_id: str):
        super().__init__()
        self._name = "OpenSelected"
        self.layer = layer
        self.location_id = str(location_id)


# ---------------------------------------------------------------------------------------------
# Layers


def _feature_collection(collection: dict, label_of) -> dict:
    """A copy of a FeatureCollection keeping only geometry and an escaped label (no other properties)."""
    features = []
    for feature in (collection or {}).get("features") or []:
        props = feature.get("properties") or {}
        kept = {"label": safe.html_text(label_of(props))}
        if props.get("area_id"):
            kept["area_id"] = safe.html_text(props["area_id"])
        features.append({"type": "Feature", "geometry": feature.get("geometry"), "properties": kept})
    return {"type": "FeatureCollection", "features": features}


def _add_outline(m: folium.Map, outline: dict) -> None:
    if not outline or not outline.get("features"):
        return
    folium.GeoJson(
        _feature_collection(outline, lambda p: i18n.name_in(p, "sl")),
        name="outline",
        control=False,
        style_function=lambda _f: {"color": "#222222", "weight": 2.5, "fill": False},
        attribution=AREAS_ATTRIBUTION,
        interactive=False,
    ).add_to(m)


def _add_areas(m: folium.Map, boundaries: dict, lang: str, show: bool) -> None:
    if not boundaries or not boundaries.get("features"):
        return
    folium.GeoJson(
        _feature_collection(boundaries, lambda p: i18n.name_in(p, lang)),
        name=i18n.t("map.layer_areas", lang),
        show=show,
        style_function=lambda _f: {"color": "#5b6b7a", "weight": 1, "dashArray": "4 3",
                                   "fillColor": "#8fa3b5", "fillOpacity": 0.06},
        highlight_function=lambda _f: {"weight": 2, "fillOpacity": 0.15},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True),
        attribution=AREAS_ATTRIBUTION,
    ).add_to(m)


def _settlement_rows(settlements: pd.DataFrame, boundaries: dict, lang: str) -> list[tuple[str, float, float, bool]]:
    """(label, lat, lon, major) for each settlement with finite coordinates."""
    area_names = {str((f.get("properties") or {}).get("name_sl") or "") for f in (boundaries or {}).get("features") or []}
    has_population = "population" in settlements.columns
    rows = []
    for record in settlements.to_dict("records"):
        lat, lon = _number(record.get("lat")), _number(record.get("lon"))
        if lat is None or lon is None:
            continue
        name_sl = str(record.get("name_sl") or "")
        label = i18n.name_in(record, lang)
        if has_population:
            major = (_number(record.get("population")) or 0) >= MAJOR_SETTLEMENT_POPULATION
        else:  # most local communities are named after their main settlement
            major = name_sl in area_names
        rows.append((label, lat, lon, major))
    return rows


def _add_settlements(m: folium.Map, settlements: pd.DataFrame | None, boundaries: dict, lang: str) -> None:
    if settlements is None or settlements.empty:
        return
    group = folium.FeatureGroup(name=i18n.t("map.layer_settlements", lang), show=True)
    for label, lat, lon, major in _settlement_rows(settlements, boundaries, lang):
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


# ---------------------------------------------------------------------------------------------


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
) -> folium.Map:
    """The service map in ``lang``, offline-ready (local code, no tiles until the user asks).

    ``selected`` is a location id (``loc-…``) or a service id; that marker is ringed, the map
    centres on it (unless ``center`` is given) and its popup opens. ``fit`` is a list of
    (lat, lon) points the map opens to show, all of them (it wins over ``center``/``zoom``).
    ``located`` and ``rows_json`` are ``map_locations(services)`` and ``location_json(located,
    lang, when)`` when the caller has them already (``ui.cache`` keeps them per view).
    """
    lang = i18n.language(lang)
    if located is None:
        located = map_locations(services)
    chosen = next((loc for loc in located if selected and (
        loc.location_id == selected or any(s.get("id") == selected for s in loc.services))), None)
    if center is None:
        center = (chosen.lat, chosen.lon) if chosen else settings.MAP_CENTER
    if zoom is None:
        zoom = SELECTED_ZOOM if chosen else settings.MAP_ZOOM

    m = folium.Map(location=list(center), zoom_start=int(zoom), tiles=None, control_scale=True)
    # Without a tile layer Leaflet's max zoom is Infinity, on which markercluster never finishes.
    m.options["min_zoom"], m.options["max_zoom"] = MIN_ZOOM, MAX_ZOOM
    m.add_child(MapLook())

    folium.TileLayer(
        tiles=OSM_TILES, attr=OSM_ATTRIBUTION, name=i18n.t("map.layer_osm", lang),
        overlay=True, show=False, control=True, max_zoom=19, max_native_zoom=19,
    ).add_to(m)
    _add_outline(m, outline)
    _add_areas(m, boundaries, lang, show_areas)
    _add_settlements(m, settlements, boundaries, lang)

    cluster = MarkerCluster(
        name=i18n.t("map.layer_services", lang),
        max_cluster_radius=40, show_coverage_on_hover=False, spiderfy_on_max_zoom=True,
        chunked_loading=True,  # thousands of markers are clustered in slices; the page stays responsive
    )
    cluster.add_to(m)
    if rows_json is None:
        rows_json = location_json(located, lang, when)
    layer = LocationLayer(rows_json, lang, chosen.location_id if chosen else None)
    cluster.add_child(layer)

    m.add_child(Legend(legend_html(lang)))
    # Collapsed: open, it would cover popups on a small map; the layers icon is a local image.
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    if chosen is not None:
        m.add_child(OpenSelected(layer, chosen.location_id))
    if fit:
        lats, lons = [p[0] for p in fit], [p[1] for p in fit]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30), max_zoom=SELECTED_ZOOM)
    assets.use_local_resources(m)
    return m


def map_html_size(m: folium.Map) -> int:
    """Bytes of the map's rendered HTML (for benchmarks)."""
    return len(m.get_root().render().encode("utf-8"))


def add_start_point(m: folium.Map, lat: float, lon: float, label: str) -> None:
    """Mark the user's starting point (a ringed dot, unlike any service symbol) with a tooltip."""
    folium.CircleMarker(
        [lat, lon], radius=9, color="#000000", weight=3, fill=True, fill_color="#ffffff", fill_opacity=1,
    ).add_child(SafeTooltip(safe.html_text(label), direction="top")).add_to(m)

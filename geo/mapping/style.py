"""The service map's look: category colours, shapes and symbols, zoom levels, credits, the legend.

Everything here is a constant of the design or built from those constants only (no data but the
translated category names of the legend, escaped). The fixed style rules are in
``static/map.css``; :func:`map_css` writes the rules that follow from the constants below.
"""
from __future__ import annotations

from geo import i18n, model, safe, settings

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
#: The colour of a symbol whose category is unknown.
UNKNOWN_COLOUR = "#777777"

OSM_TILES = settings.OSM_TILES_URL
OSM_ATTRIBUTION = '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>'
#: The licence (CC BY 4.0) asks for this exact credit on the area boundaries.
AREAS_ATTRIBUTION = "Vir: GURS, Register prostorskih enot"
BACKGROUND = "#f3f2ee"
MIN_ZOOM, MAX_ZOOM = 9, 18
#: Zoom levels the map may rest at between whole ones (fitting a view to the frame).
ZOOM_SNAP = 0.25
#: Zoom from which every settlement is labelled (before it: only the larger ones).
DETAIL_ZOOM = 13
#: A settlement with at least this many residents is labelled at every zoom.
MAJOR_SETTLEMENT_POPULATION = 500
SELECTED_ZOOM = 16
#: Marker symbol size in CSS pixels.
MARKER_SIZE = 26
#: Symbol sizes (px) that have a CSS class in ``map_css``: markers, and the symbol beside a service in a popup.
SYMBOL_CLASS_SIZES = (MARKER_SIZE, 16)


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with a ``#rrggbb`` colour (WCAG luminance)."""
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(background[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def symbol_html(category: str, size: int = MARKER_SIZE) -> str:
    """A category symbol with its look inline (for the legend: shown once, readable without ``map_css``)."""
    colour = CATEGORY_COLOURS.get(category, UNKNOWN_COLOUR)
    shape = CATEGORY_SHAPES.get(category)
    clip = f"clip-path:{shape};" if shape else "border-radius:50%;"
    pad = f"padding-top:{size // 4}px;height:{size - size // 4}px;" if category == "crisis" else \
        f"line-height:{size}px;height:{size}px;"
    style = (f"width:{size}px;background:{colour};color:{text_colour(colour)};{clip}"
             f"font:bold {max(9, size // 2)}px Arial,sans-serif;text-align:center;box-sizing:border-box;{pad}")
    return (f'<span class="koper-symbol koper-cat-{safe.html_text(category)}" aria-hidden="true" '
            f'style="display:inline-block;{style}">{safe.html_text(CATEGORY_SYMBOLS.get(category, "?"))}</span>')


def legend_html(lang: str) -> str:
    """The legend: one row per category with its colour, shape and symbol, in ``lang``."""
    rows = "".join(
        f'<div class="koper-legend-row" data-category="{safe.html_text(c)}" '
        f'style="display:flex;align-items:center;gap:6px;margin:2px 0;">{symbol_html(c, 18)}'
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
    """The style rules that follow from this module's constants: marker and symbol sizes, category looks.

    Written once per map (not inline per marker); the fixed rules are in ``static/map.css``.
    """
    rules = [
        f".koper-marker{{position:relative;width:{MARKER_SIZE}px;height:{MARKER_SIZE}px;"
        "filter:drop-shadow(0 0 1px #000) drop-shadow(0 1px 2px rgba(0,0,0,.5))}",
        f".koper-symbol{{display:inline-block;text-align:center;box-sizing:border-box;background:{UNKNOWN_COLOUR};"
        f"color:{text_colour(UNKNOWN_COLOUR)};border-radius:50%}}",
    ]
    for size in SYMBOL_CLASS_SIZES:
        rules.append(f".koper-s{size}{{width:{size}px;height:{size}px;line-height:{size}px;"
                     f"font:bold {max(9, size // 2)}px/{size}px Arial,sans-serif}}")
        # The triangle's symbol sits lower, inside the shape (as in symbol_html).
        rules.append(f".koper-s{size}.koper-cat-crisis{{padding-top:{size // 4}px;height:{size - size // 4}px;"
                     f"line-height:normal;font-size:{max(9, size // 2)}px}}")
    for category, colour in CATEGORY_COLOURS.items():
        shape = CATEGORY_SHAPES.get(category)
        clip = f"clip-path:{shape};border-radius:0" if shape else "border-radius:50%"
        rules.append(f".koper-symbol.koper-cat-{category}{{background:{colour};color:{text_colour(colour)};{clip}}}")
    return "\n".join(rules)

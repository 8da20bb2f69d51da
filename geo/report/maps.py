"""Static choropleth maps of the areas (matplotlib, Agg): for the council screens (PNG) and the PDF.

Thread-safe: drawn with matplotlib's object API only (``new_figure``, no pyplot), every drawing under
the process-wide ``DRAWING`` lock (see there why).

Names that do not fit in their area without touching another name (the small town areas of
Koper) are written beside the map, in a column over the sea to the west, each with a thin line to
its area, so every name stays at the size asked for (the council screens ask ≥ 18 px).
"""
from __future__ import annotations

import io
import math
import textwrap
import threading

import matplotlib
import pandas as pd
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from shapely.geometry import shape

from geo import choropleth, i18n

#: One lock for every report drawing in this process (maps here, the council PDF in geo.report.pdf).
#: Streamlit runs each session's script in its own thread and matplotlib is not thread-safe: the
#: drawings are built with Figure + FigureCanvasAgg (no pyplot: its figure numbers and "current
#: figure" are shared, so two sessions could draw on one figure while the other saved it as PDF, whose
#: canvas has no get_renderer), but style() is applied with rc_context, which changes the process-wide
#: rcParams and restores them afterwards, and the font cache and text layout caches are shared too.
#: Re-entrant: build_pdf holds it and may call helpers that take it.
DRAWING = threading.RLock()

FONT = "DejaVu Sans"
#: Points per inch (matplotlib sizes text in points; a CSS pixel is 1/96 in at 100 % zoom, the figure's dpi here).
POINTS_PER_INCH = 72
#: Degrees of longitude are shorter than degrees of latitude at Koper's latitude.
ASPECT = 1 / math.cos(math.radians(45.5))
#: Room beside the map for names that do not fit, as a share of the map's width.
CALLOUT_ROOM = 0.38
#: A name whose box covers more than this share of its area's surface is written beside the map.
LABEL_SHARE = 1.0
#: Legend lines are wrapped at this many characters (it sits in the corner under the names beside the map).
LEGEND_WRAP = 22


def style() -> dict:
    """matplotlib settings for every report drawing.

    TrueType embedding (42) keeps the text selectable and searchable in the PDF. Names come from the
    data: "$…$" in one must be shown as written, never parsed as mathtext (an invalid formula would
    fail the whole PDF), and never handed to LaTeX.
    """
    return {"font.family": FONT, "pdf.fonttype": 42, "font.size": 11, "text.parse_math": False, "text.usetex": False}


def new_figure(figsize: tuple[float, float], dpi: float | None = None) -> Figure:
    """A Figure of ``figsize`` inches with its own Agg canvas attached (no pyplot, nothing global:
    only this thread sees it; draw and save it while holding ``DRAWING``)."""
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _halo():
    return [patheffects.withStroke(linewidth=3, foreground="white")]


def draw_map(ax, table: pd.DataFrame, boundaries: dict, key: str, lang: str, *, labels: bool = True,
             highlight: str | list[str] | tuple[str, ...] | None = None, legend_title: str | None = None,
             label_size: float = 6.5, legend_size: float = 8.0, legend_loc: str = "lower left") -> None:
    """The areas of ``table`` on ``ax``, coloured as in the web map, with names and a legend in real units.

    ``highlight``: one area id or several, drawn with a thick outline (and bold names).
    ``label_size`` / ``legend_size`` are in points; names that do not fit their area go beside the map.
    """
    chosen = {highlight} if isinstance(highlight, str) else set(highlight or ())
    m_scale = choropleth.scale(table, key)
    m = choropleth.measure(key)
    rows = {str(r["area_id"]): r for r in table.to_dict("records")}
    places = []  # (polygon, name, highlighted)
    for feature in (boundaries or {}).get("features") or []:
        area_id = str((feature.get("properties") or {}).get("area_id") or "")
        row = rows.get(area_id)
        if row is None:
            continue
        geom = shape(feature["geometry"])
        colour = choropleth.fill_colour(m_scale, row, m.key)
        for polygon in getattr(geom, "geoms", [geom]):
            xs, ys = polygon.exterior.xy
            ax.fill(xs, ys, facecolor=colour, edgecolor="#08306b" if area_id in chosen else "#333333",
                    linewidth=3.5 if area_id in chosen else 0.6, zorder=3 if area_id in chosen else 2)
        places.append((geom, i18n.name_in(row, lang), area_id in chosen))
    ax.set_axis_off()
    if not places:
        ax.set_aspect(ASPECT)
    else:
        _fit(ax, [p[0] for p in places], CALLOUT_ROOM if labels else 0.0)
    handles = [Patch(facecolor=c, edgecolor="#333333", label=textwrap.fill(text, LEGEND_WRAP))
               for c, text in choropleth.legend_rows(m_scale, table, lang)]
    title = textwrap.fill(legend_title or i18n.t(f"measure.{key}", lang), LEGEND_WRAP)
    legend = ax.legend(handles=handles, title=title, loc=legend_loc, fontsize=legend_size, title_fontsize=legend_size,
                       frameon=True, framealpha=0.9)
    if labels and places:
        # names beside the map stay above a legend in the lower left (its height depends on the language)
        floor = legend.get_window_extent(_renderer(ax)).y1 if legend_loc == "lower left" else None
        _label(ax, places, label_size, floor)


def _fit(ax, shapes: list, room: float) -> None:
    """Limits that show every area (plus ``room`` × its width to the west for names) at the true
    aspect, filling the axes: the shorter side is widened around the middle."""
    x0 = min(s.bounds[0] for s in shapes)
    y0 = min(s.bounds[1] for s in shapes)
    x1 = max(s.bounds[2] for s in shapes)
    y1 = max(s.bounds[3] for s in shapes)
    pad = 0.02 * (x1 - x0)
    x0, x1, y0, y1 = x0 - pad - room * (x1 - x0), x1 + pad, y0 - pad, y1 + pad
    box = ax.get_window_extent()
    width_px, height_px = max(box.width, 1.0), max(box.height, 1.0)
    # one y unit is ASPECT times as long as one x unit on the screen
    dx, dy = x1 - x0, y1 - y0
    wanted_dy = height_px * dx / (ASPECT * width_px)
    if wanted_dy >= dy:
        mid = (y0 + y1) / 2
        y0, y1 = mid - wanted_dy / 2, mid + wanted_dy / 2
    else:
        wanted_dx = dy * ASPECT * width_px / height_px
        mid = (x0 + x1) / 2
        x0, x1 = mid - wanted_dx / 2, mid + wanted_dx / 2
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(ASPECT, adjustable="box")


def _label(ax, places: list, size: float, floor: float | None = None) -> None:
    """Names at their areas, largest areas first. A name bigger than its area, or one that would
    overlap a name already placed, goes into a column west of the map with a line to its area."""
    renderer = _renderer(ax)
    to_data = ax.transData.inverted()
    placed, aside = [], []
    for geom, name, bold in sorted(places, key=lambda p: -p[0].area):
        point = geom.representative_point()
        text = ax.annotate(name, (point.x, point.y), ha="center", va="center", fontsize=size, zorder=5,
                           parse_math=False, weight="bold" if bold else "normal", path_effects=_halo())
        box = text.get_window_extent(renderer).expanded(1.04, 1.15)
        (bx0, by0), (bx1, by1) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
        too_big = abs((bx1 - bx0) * (by1 - by0)) > LABEL_SHARE * geom.area
        if too_big or any(box.overlaps(other) for other in placed):
            text.remove()
            aside.append((name, point.x, point.y, bold))
        else:
            placed.append(box)
    if not aside:
        return
    # The column: right-aligned just west of the westernmost area, the names from north to south,
    # each at its area's height unless that would overlap the name above it.
    column_x = min(p[0].bounds[0] for p in places) - 0.01 * (ax.get_xlim()[1] - ax.get_xlim()[0])
    to_pixels = ax.transData
    previous = None
    column = []  # (name, its pixel height in the column, half its height)
    for name, x, y, bold in sorted(aside, key=lambda p: -p[2]):
        text = ax.annotate(name, (x, y), xytext=(column_x, y), ha="right", va="center", fontsize=size, zorder=5,
                           parse_math=False, weight="bold" if bold else "normal", path_effects=_halo(),
                           arrowprops={"arrowstyle": "-", "color": "#222222", "linewidth": 1.2, "shrinkA": 4,
                                       "shrinkB": 0})
        step = text_box(text, renderer).height * 1.15
        pixel_y = to_pixels.transform((column_x, y))[1]
        if previous is not None and pixel_y > previous - step:
            pixel_y = previous - step
            text.set_position((column_x, to_pixels.inverted().transform((0, pixel_y))[1]))
        previous = pixel_y
        column.append((text, pixel_y, step / 2))
    # the whole column moves up when its lowest name would sit on the legend (``floor``, pixels)
    lowest = min(pixel_y - half for _text, pixel_y, half in column)
    if floor is not None and lowest < floor:
        for text, pixel_y, _half in column:
            text.set_position((column_x, to_pixels.inverted().transform((0, pixel_y + floor - lowest))[1]))


def _renderer(ax):
    """The Agg renderer of ``ax``'s figure, for measuring text (a figure made without one gets an Agg canvas)."""
    fig = ax.get_figure(root=True)
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def text_box(text, renderer):
    """The pixel box of a name's words (an annotation's own box also holds its line to the area)."""
    if hasattr(text, "update_positions"):
        text.update_positions(renderer)
    return Text.get_window_extent(text, renderer)


def map_png(table: pd.DataFrame, boundaries: dict, key: str, lang: str, *,
            highlight: str | list[str] | tuple[str, ...] | None = None,
            width_px: int = 1100, height_px: int = 700, label_px: float = 20.0, scale: int = 2) -> bytes:
    """The static choropleth as PNG bytes, for a screen.

    Drawn for ``width_px`` × ``height_px`` CSS pixels (the image is ``scale`` times that, for sharp
    text on a projector): shown ``width_px`` wide, its names and legend are ``label_px`` pixels tall.
    """
    dpi = 96 * scale
    points = label_px * POINTS_PER_INCH / 96
    buffer = io.BytesIO()
    with DRAWING, matplotlib.rc_context(style()):
        fig = new_figure((width_px / 96, height_px / 96), dpi=dpi)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        draw_map(ax, table, boundaries, key, lang, highlight=highlight, label_size=points, legend_size=points)
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()

"""Area measures as colours: the measures a planner can map, their classes, and the folium choropleth.

One colour scale serves the interactive map (folium, here) and the static maps of the PDF
(geo.report, matplotlib), so the two always agree. Darker always means worse served, whichever
way the measure runs (a long distance is worse, a low share is worse). No Streamlit here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd

from geo import assets, i18n, safe, settings
from geo.mapping import elements, layers, style

#: Five classes, light (well served) to dark (badly served): ColorBrewer YlOrRd, readable in greyscale.
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
#: An area whose value is unknown (no matching service anywhere, so no distance).
NO_VALUE = "#bdbdbd"
#: An area served by a service that comes to the residents when the choice has no place to measure
#: (e.g. home care): served is the best state, so the palette's lightest colour, outlined apart in the legend.
SERVED = PALETTE[0]
#: ... and one that no such service reaches: the worst state.
NOT_SERVED = PALETTE[-1]
#: The coverage ``basis`` of a choice that only comes to the residents (geo.coverage.DELIVERED; not
#: imported: geo.coverage uses this module for its words).
_DELIVERED = "delivered"
SELECTED_OUTLINE = "#08306b"


@dataclass(frozen=True)
class Measure:
    """A column of geo.coverage's table as it is shown: unit, scale and which way is worse."""

    key: str
    #: "km", "pct" (a share 0–1 shown as %), "per1000", "count".
    unit: str
    #: True when a larger value means worse service (distances).
    higher_is_worse: bool
    decimals: int = 1

    def display(self, value: float) -> float:
        """The value in the unit shown (shares as percentages)."""
        return value * 100 if self.unit == "pct" else value

    def format(self, value: float, lang: str) -> str:
        """The value with its unit in ``lang`` ("4,2 km", "67 %", "0,46 / 1.000"); "–" when unknown."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        number = i18n.format_number(self.display(float(value)), lang, self.decimals)
        return i18n.t(f"unit.{self.unit}", lang, value=number)


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("mean_distance_km", "km", True),
    Measure("max_distance_km", "km", True),
    Measure("mean_road_distance_km", "km", True),
    Measure("share_within_1km", "pct", False, 0),
    Measure("share_within_5km", "pct", False, 0),
    Measure("share_within_10km", "pct", False, 0),
    Measure("services_per_1000", "per1000", False, 2),
    Measure("access_2sfca", "per1000", False, 2),
    Measure("services_in_area", "count", False, 0),
)}
DEFAULT_MEASURE = "mean_distance_km"


def measure(key: str | None) -> Measure:
    """The measure named ``key``; the default one for anything else (e.g. a mistyped link)."""
    return MEASURES.get(key or "", MEASURES[DEFAULT_MEASURE])


def _delivered(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(delivered only, served) per row: the basis is "delivered" / at least one such service reaches it."""
    if "basis" not in table.columns:
        return np.zeros(len(table), dtype=bool), np.zeros(len(table), dtype=bool)
    delivered = (table["basis"] == _DELIVERED).to_numpy(dtype=bool)
    reaching = table["reaching_services"] if "reaching_services" in table.columns else table["area_wide_services"]
    return delivered, delivered & (reaching.fillna(0).to_numpy() > 0)


def ranked(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """The areas worst first for the measure (unknown values first: nothing to reach), ties by name.

    Areas whose choice only comes to the residents (basis "delivered") have no value: those not
    served lead (the worst), those served come last (the best).
    """
    m = measure(key)
    values = table[m.key].astype(float)
    # Unknown (NaN) distances mean no service at all: the worst case, so they lead.
    badness = (values if m.higher_is_worse else -values).fillna(np.inf)
    _delivered_only, served = _delivered(table)
    badness = badness.where(~served, -np.inf)
    out = table.assign(_bad=badness).sort_values(["_bad", "name_sl"], ascending=[False, True], kind="stable")
    out = out.drop(columns="_bad")
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Scale:
    """Class breaks (in the table's units) and the colour of each class, for one measure."""

    measure: Measure
    breaks: tuple[float, ...]  # len(PALETTE) + 1 edges, ascending

    def colour(self, value: float) -> str:
        """The fill colour of a value (NO_VALUE when unknown)."""
        if value is None or not math.isfinite(float(value)):
            return NO_VALUE
        position = int(np.searchsorted(self.breaks[1:-1], float(value), side="right"))
        return PALETTE[-1 - position] if not self.measure.higher_is_worse else PALETTE[position]

    def legend(self, lang: str) -> list[tuple[str, str]]:
        """(colour, "from – to unit") per class, best class first, then the unknown entry."""
        rows = []
        for low, high in zip(self.breaks[:-1], self.breaks[1:]):
            label = f"{self.measure.format(low, lang)} – {self.measure.format(high, lang)}"
            rows.append((self.colour((low + high) / 2), label))
        if not self.measure.higher_is_worse:
            rows.reverse()
        return rows + [(NO_VALUE, i18n.t("coverage.no_value", lang))]


def fill_colour(m_scale: Scale, row: dict | pd.Series, key: str) -> str:
    """The fill of one area (a row of geo.coverage's table): SERVED / NOT_SERVED when its choice only
    comes to the residents (basis "delivered"), else the scale's colour of its value."""
    if row.get("basis") == _DELIVERED:
        reaching = row.get("reaching_services", row.get("area_wide_services")) or 0
        return SERVED if reaching > 0 else NOT_SERVED
    return m_scale.colour(row[key])


def legend_rows(m_scale: Scale, table: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """(colour, label) legend entries: the value classes, or served / not served when the choice only
    comes to the residents (basis "delivered" in every row), plus "no value"."""
    delivered, _served = _delivered(table)
    if len(table) and delivered.all():
        return [(SERVED, i18n.t("coverage.legend_reached", lang)), (NOT_SERVED, i18n.t("coverage.legend_not_reached", lang))]
    rows = m_scale.legend(lang)
    if "basis" in table.columns and len(table):
        unknown = table[m_scale.measure.key].isna() & table["basis"].isin(("places", "mixed"))
        if unknown.any():  # places match, but none these residents may use (service_area): say so
            rows[-1] = (NO_VALUE, i18n.t("coverage.no_usable_place", lang))
    return rows


def scale(table: pd.DataFrame, key: str) -> Scale:
    """Equal-interval classes over the values shown (shares over 0–100 %, so maps compare)."""
    m = measure(key)
    values = table[m.key].astype(float).to_numpy()
    finite = values[np.isfinite(values)]
    if m.unit == "pct":
        low, high = 0.0, 1.0
    else:
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        low = min(low, 0.0) if m.unit in ("count", "per1000") else low
    if high <= low:
        high = low + 1.0
    return Scale(m, tuple(float(x) for x in np.linspace(low, high, len(PALETTE) + 1)))


def _legend_html(title: str, entries: list[tuple[str, str]], note: str) -> str:
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0;">'
        f'<span style="display:inline-block;width:18px;height:12px;background:{colour};border:1px solid #666;"></span>'
        f"<span>{safe.html_text(label)}</span></div>"
        for colour, label in entries
    )
    return (f'<div class="koper-legend" style="background:rgba(255,255,255,.94);padding:6px 8px;'
            f'border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.3 Arial,sans-serif;max-width:240px;">'
            f'<details open><summary style="font-weight:bold;cursor:pointer;margin-bottom:4px;">{safe.html_text(title)}</summary>'
            f'{rows}<div style="margin-top:4px;color:#444;">{safe.html_text(note)}</div></details></div>')


def build_choropleth(
    table: pd.DataFrame,
    boundaries: dict,
    key: str,
    lang: str,
    *,
    title: str,
    outline: dict | None = None,
    selected: str | None = None,
) -> folium.Map:
    """The areas of ``table`` coloured by measure ``key``, each with a tooltip naming area and value.

    Areas not in ``table`` (e.g. Ankaran when only the 22 KS are chosen) are left out. Offline
    like the service map: local code, no tiles unless the user switches them on.
    """
    lang = i18n.language(lang)
    m_scale = scale(table, key)
    m = measure(key)
    rows = {str(r["area_id"]): r for r in table.to_dict("records")}
    features = []
    for feature in (boundaries or {}).get("features") or []:
        area_id = str((feature.get("properties") or {}).get("area_id") or "")
        row = rows.get(area_id)
        if row is None:
            continue
        label = f"{i18n.name_in(row, lang)}: {_cell(row, m, lang)}"
        features.append({"type": "Feature", "geometry": feature.get("geometry"), "properties": {
            "area_id": safe.html_text(area_id),
            "label": safe.html_text(label),
            "fill": fill_colour(m_scale, row, m.key),
            "selected": area_id == selected,
        }})
    fmap = layers.base_map(settings.MAP_CENTER, settings.MAP_ZOOM)  # the service map's background and look
    layers.add_osm_tiles(fmap, lang)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=title,
        style_function=lambda f: {
            "color": SELECTED_OUTLINE if f["properties"]["selected"] else "#555555",
            "weight": 4 if f["properties"]["selected"] else 1,
            "fillColor": f["properties"]["fill"], "fillOpacity": 0.8,
        },
        highlight_function=lambda _f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True),
        attribution=style.AREAS_ATTRIBUTION,
    ).add_to(fmap)
    layers.add_outline(fmap, outline)  # the same outline as the service map
    fmap.add_child(elements.Legend(_legend_html(title, legend_rows(m_scale, table, lang), i18n.t("coverage.map_note", lang))))
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    if features:
        bounds = _bounds(features)
        # framed in the browser at the frame's real size, the legend's corner left free (geo.mapping.layers.frame)
        layers.frame(fmap, [tuple(corner) for corner in bounds])
    assets.use_local_resources(fmap)
    return fmap


def _cell(row: dict, m: Measure, lang: str) -> str:
    """The tooltip's value: the measure, or served / not served for a choice that only comes to the residents."""
    if row.get("basis") == _DELIVERED:
        reaching = int(row.get("reaching_services", row.get("area_wide_services")) or 0)
        return (i18n.plural("coverage.value_reached", lang, reaching) if reaching
                else i18n.t("coverage.value_not_reached", lang))
    return m.format(row[m.key], lang)


def _bounds(features: list[dict]) -> list[list[float]]:
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for f in features:
        walk((f.get("geometry") or {}).get("coordinates") or [])
    return [[min(ys), min(xs)], [max(ys), max(xs)]]

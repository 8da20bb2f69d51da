"""Coverage figures for people: translated tables, CSV/Excel files, static maps and the council PDF.

Input is geo.coverage's table (one row per area, or the long area × category table); output is
plain DataFrames and bytes. No Streamlit and no network: the PDF's maps are drawn from the area
polygons with matplotlib (Agg), its text in DejaVu Sans (ships with matplotlib; has č, š, ž, à, è).

Over 400 lines on purpose: the tables, files and PDF pages share one set of translated column
headers and formats; splitting them would spread one report's layout over several modules.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display on a server; must come before pyplot

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from shapely.geometry import shape  # noqa: E402

from geo import choropleth, coverage, i18n, model, nearest, safe, settings  # noqa: E402

FONT = "DejaVu Sans"
A4_LANDSCAPE = (11.69, 8.27)
#: Columns of the download table, in order; each header is ``report.col.<name>``.
FIGURE_COLUMNS = (
    "area", "area_id", "population", "population_date", "services_in_area", "services_per_1000",
    "mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km",
    "share_within_1km", "share_within_5km", "share_within_10km", "access_2sfca",
    "area_wide_services", "gap", "gap_text",
)
#: Columns kept as shares 0–1 in the table and shown as % in downloads.
SHARE_COLUMNS = tuple(f"share_within_{r}km" for r in coverage.SHARE_RADII_KM)


# --- words ------------------------------------------------------------------------------------

def gap_text(row: dict | pd.Series, thresholds: coverage.GapThresholds, lang: str) -> str:
    """The raised gap flags of one area, each with its number and threshold, in ``lang``."""
    parts = []
    mean = row.get("mean_distance_km")
    if row.get("gap_far"):
        if mean is None or (isinstance(mean, float) and math.isnan(mean)):
            parts.append(i18n.t("gap.far_none", lang))
        else:
            parts.append(i18n.t("gap.far", lang, km=i18n.format_number(mean, lang, 1),
                                limit=i18n.format_number(thresholds.max_mean_distance_km, lang, 1)))
    if row.get("gap_low_share"):
        radius = thresholds.share_radius_km
        share = _share_at(row, radius)
        parts.append(i18n.t("gap.low_share", lang, share=_pct(share, lang), radius=i18n.format_number(radius, lang, 0),
                            limit=_pct(thresholds.min_share, lang)))
    if row.get("gap_none"):
        parts.append(i18n.t("gap.none", lang, n=int(row.get("services_in_area") or 0)))
    return "; ".join(parts)


def _share_at(row, radius: float) -> float:
    value = row.get(f"share_within_{radius:g}km")
    return float(value) if value is not None else float("nan")


def _pct(share: float, lang: str) -> str:
    if share is None or not math.isfinite(share):
        return "–"
    return i18n.t("unit.pct", lang, value=i18n.format_number(share * 100, lang, 0))


def approximation_notes(lang: str) -> list[str]:
    """What every area figure rests on, said where users see the figures."""
    return [
        i18n.t("note.boundary", lang),
        i18n.t("note.population", lang),
        i18n.t("note.road", lang, factor=i18n.format_number(settings.DETOUR_FACTOR, lang, 1)),
        i18n.t("note.area_wide", lang),
        i18n.t("note.confidential", lang),
    ]


def selection_text(lang: str, category: str | None, target_group: str | None, at: dt.datetime | None,
                   include_unknown_hours: bool = True) -> str:
    """One line naming what the figures are about: category, target group and time."""
    cat = i18n.t(f"category.{category}", lang) if category and category != coverage.ALL else i18n.t("coverage.all_categories", lang)
    group = i18n.t(f"group.{target_group}", lang) if target_group and target_group != coverage.ALL else i18n.t("coverage.all_groups", lang)
    if at is None:
        when = i18n.t("coverage.any_time", lang)
    else:
        when = i18n.t("coverage.open_at_text", lang, day=i18n.format_weekday_date(at.date(), lang), time=f"{at:%H:%M}")
        if not include_unknown_hours:
            when += " " + i18n.t("coverage.unknown_left_out", lang)
    return f"{cat} · {group} · {when}"


# --- tables -----------------------------------------------------------------------------------

def figures(table: pd.DataFrame, lang: str, thresholds: coverage.GapThresholds) -> pd.DataFrame:
    """One row per area with every measure, headers in ``lang``; shares as % (0–100), for downloads."""
    out = pd.DataFrame({
        "area": [i18n.name_in(r, lang) for r in table.to_dict("records")],
        "area_id": table["area_id"].astype(str),
        "population": table["population"],
        "population_date": table["population_date"].astype(str),
        "services_in_area": table["services_in_area"],
        "services_per_1000": table["services_per_1000"].round(3),
        **{c: table[c].round(2) for c in ("mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km")},
        **{c: (table[c] * 100).round(1) for c in SHARE_COLUMNS},
        "access_2sfca": table["access_2sfca"].round(3),
        "area_wide_services": table["area_wide_services"],
        "gap": table["gap"].map(lambda g: i18n.t("report.yes" if g else "report.no", lang)),
        "gap_text": [gap_text(r, thresholds, lang) for r in table.to_dict("records")],
    }).reset_index(drop=True)
    return out[list(FIGURE_COLUMNS)].rename(columns={c: i18n.t(f"report.col.{c}", lang) for c in FIGURE_COLUMNS})


def notes_table(lang: str, selection: str) -> pd.DataFrame:
    """The selection and the approximations as a one-column table (the notes sheet of the Excel file)."""
    lines = [selection, *approximation_notes(lang), i18n.t("attribution", lang)]
    return pd.DataFrame({i18n.t("report.notes", lang): lines})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so spreadsheet programs read č, š, ž correctly.

    Text cells that a spreadsheet would run as a formula are quoted (safe.spreadsheet_frame)."""
    return safe.spreadsheet_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per entry (names made valid for Excel, see safe.excel_sheet_name).

    Text starting with a formula character is stored as text, never as a formula (safe.spreadsheet_sheet)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            title = safe.excel_sheet_name(name)
            frame.to_excel(writer, sheet_name=title, index=False)
            sheet = writer.sheets[title]
            safe.spreadsheet_sheet(sheet)
            for column, header in zip(sheet.columns, frame.columns):
                width = max([len(str(header)), *(len(str(v)) for v in frame[header].head(200))])
                sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    return buffer.getvalue()


def area_by_category(long: pd.DataFrame, area_id: str, lang: str, thresholds: coverage.GapThresholds,
                     nearest_rows: dict[str, tuple[str, float]] | None = None) -> pd.DataFrame:
    """One row per category for one area (from coverage_by_category): counts, distances, nearest, gaps."""
    rows = long[(long["area_id"] == area_id) & (long["category"] != coverage.ALL)]
    nearest_rows = nearest_rows or {}
    out = pd.DataFrame({
        "category": [i18n.t(f"category.{c}", lang) for c in rows["category"]],
        "services_in_area": rows["services_in_area"].to_numpy(),
        "area_wide_services": rows["area_wide_services"].to_numpy(),
        "nearest": [nearest_rows.get(c, ("", float("nan")))[0] for c in rows["category"]],
        "nearest_km": [round(nearest_rows.get(c, ("", float("nan")))[1], 2) for c in rows["category"]],
        "mean_distance_km": rows["mean_distance_km"].round(2).to_numpy(),
        "max_distance_km": rows["max_distance_km"].round(2).to_numpy(),
        "mean_road_distance_km": rows["mean_road_distance_km"].round(2).to_numpy(),
        "share_within_5km": (rows["share_within_5km"] * 100).round(0).to_numpy(),
        "gap_text": [gap_text(r, thresholds, lang) for r in rows.to_dict("records")],
    })
    return out


def nearest_by_category(index: nearest.LocationIndex, lat: float, lon: float, lang: str,
                        available: pd.Series | None = None) -> dict[str, tuple[str, float]]:
    """category → (name, straight-line km) of the nearest located service from a point.

    ``available`` (boolean Series over the indexed services' labels) limits the choice, e.g. to the
    services open at a time. The index holds site/office services only: never confidential ones.
    """
    found = {}
    services = index.services
    for category in model.CATEGORIES:
        mask = services["category"] == category
        if available is not None:
            mask &= available.reindex(services.index).fillna(False).astype(bool)
        if not mask.any():
            continue
        hit = nearest.nearest(index, lat, lon, k=1, mask=mask)
        if len(hit):
            first = hit.iloc[0].to_dict()
            found[category] = (i18n.field(first, "name", lang), float(first["distance_m"]) / 1000)
    return found


def nearest_for_areas(index: nearest.LocationIndex, areas_table: pd.DataFrame, lang: str,
                      available: pd.Series | None = None) -> dict[str, dict[str, tuple[str, float]]]:
    """area_id → nearest_by_category from the area's centre point (centroid_lat/lon of areas.csv)."""
    return {
        str(r["area_id"]): nearest_by_category(index, float(r["centroid_lat"]), float(r["centroid_lon"]), lang, available)
        for r in areas_table.to_dict("records")
    }


# --- static maps ------------------------------------------------------------------------------

def _style() -> dict:
    # TrueType embedding (42) keeps the text selectable and searchable in the PDF.
    # Names come from the data: "$…$" in one must be shown as written, never parsed as mathtext
    # (an invalid formula would fail the whole PDF), and never handed to LaTeX.
    return {"font.family": FONT, "pdf.fonttype": 42, "font.size": 11, "text.parse_math": False, "text.usetex": False}


def draw_map(ax, table: pd.DataFrame, boundaries: dict, key: str, lang: str, *, labels: bool = True,
             highlight: str | None = None, legend_title: str | None = None) -> None:
    """The areas of ``table`` on ``ax``, coloured as in the web map, with names and a legend in real units."""
    m_scale = choropleth.scale(table, key)
    m = choropleth.measure(key)
    rows = {str(r["area_id"]): r for r in table.to_dict("records")}
    for feature in (boundaries or {}).get("features") or []:
        area_id = str((feature.get("properties") or {}).get("area_id") or "")
        row = rows.get(area_id)
        if row is None:
            continue
        geom = shape(feature["geometry"])
        colour = m_scale.colour(row[m.key])
        polygons = getattr(geom, "geoms", [geom])
        for polygon in polygons:
            xs, ys = polygon.exterior.xy
            ax.fill(xs, ys, facecolor=colour, edgecolor="#333333",
                    linewidth=2.5 if area_id == highlight else 0.6)
        if labels:
            point = geom.representative_point()
            ax.annotate(i18n.name_in(row, lang), (point.x, point.y), ha="center", va="center", fontsize=6.5,
                        path_effects=_halo(), parse_math=False)  # literal even outside _style()
    ax.set_aspect(1 / math.cos(math.radians(45.5)))  # degrees of longitude are shorter here
    ax.set_axis_off()
    handles = [Patch(facecolor=c, edgecolor="#333333", label=text) for c, text in m_scale.legend(lang)]
    ax.legend(handles=handles, title=legend_title or i18n.t(f"measure.{key}", lang), loc="lower left",
              fontsize=8, title_fontsize=9, frameon=True)


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2, foreground="white")]


def map_png(table: pd.DataFrame, boundaries: dict, key: str, lang: str, *, highlight: str | None = None,
            size: tuple[float, float] = (10, 6.5), dpi: int = 110) -> bytes:
    """The static choropleth as PNG bytes (for the council screen)."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=size)
        draw_map(ax, table, boundaries, key, lang, highlight=highlight)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        plt.close(fig)
    return buffer.getvalue()


# --- the PDF ----------------------------------------------------------------------------------

def _wrapped(fig, x: float, y: float, text: str, **kwargs):
    """``fig.text(..., wrap=True)`` that shows every "$" as written.

    matplotlib measures a wrapped line with mathtext whenever it holds two "$", whatever
    parse_math says (Text._get_rendered_text_width), so "$x^{$" in a name would fail the PDF.
    Escaped dollars ("\\$") are plain text both when measured and when drawn (shown as "$").
    """
    return fig.text(x, y, str(text).replace("$", r"\$"), wrap=True, parse_math=True, **kwargs)


def _text_page(pdf: PdfPages, title: str, lines: list[str], *, title_size: int = 22) -> None:
    fig = plt.figure(figsize=A4_LANDSCAPE)
    _wrapped(fig, 0.06, 0.9, title, fontsize=title_size, weight="bold", va="top")
    y = 0.78
    for line in lines:
        text = _wrapped(fig, 0.06, y, line, fontsize=11, va="top")
        text._get_wrap_line_width = lambda: fig.bbox.width * 0.86  # noqa: SLF001 - wrap inside the margins
        y -= 0.045 * (1 + len(line) // 150)
    pdf.savefig(fig)
    plt.close(fig)


def _table_page(pdf: PdfPages, title: str, frame: pd.DataFrame, note: str) -> None:
    fig = plt.figure(figsize=A4_LANDSCAPE)
    fig.text(0.04, 0.95, title, fontsize=16, weight="bold", va="top")
    ax = fig.add_axes([0.03, 0.06, 0.94, 0.82])
    ax.set_axis_off()
    cells = frame.astype(str).replace({"nan": "–"}).to_numpy().tolist()
    headers = [textwrap.fill(str(c), 14) for c in frame.columns]
    table = ax.table(cellText=cells, colLabels=headers, loc="upper center", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(7.5 if len(frame) > 12 else 9)
    table.scale(1, 1.25)
    for (r, _c), cell in table.get_celld().items():
        if r == 0:
            cell.set_text_props(weight="bold")
            cell.set_height(cell.get_height() * (1 + max(h.count("\n") for h in headers)))
            cell.set_facecolor("#e8e8e8")
    table.auto_set_column_width(list(range(len(frame.columns))))
    _wrapped(fig, 0.04, 0.03, note, fontsize=8, color="#444444")
    pdf.savefig(fig)
    plt.close(fig)


def summary_frame(table: pd.DataFrame, key: str, lang: str) -> pd.DataFrame:
    """The areas worst first with the main measures formatted in ``lang`` (the PDF summary)."""
    km, pct, per = choropleth.MEASURES["mean_distance_km"], choropleth.MEASURES["share_within_5km"], choropleth.MEASURES["services_per_1000"]
    rows = choropleth.ranked(table, key)
    return pd.DataFrame({
        i18n.t("report.col.rank", lang): range(1, len(rows) + 1),
        i18n.t("report.col.area", lang): [i18n.name_in(r, lang) for r in rows.to_dict("records")],
        i18n.t("report.col.population", lang): [i18n.format_number(p, lang) for p in rows["population"]],
        i18n.t("report.col.services_in_area", lang): rows["services_in_area"].astype(int).to_numpy(),
        i18n.t("report.col.area_wide_services", lang): rows["area_wide_services"].astype(int).to_numpy(),
        i18n.t("report.col.mean_distance_km", lang): [km.format(v, lang) for v in rows["mean_distance_km"]],
        i18n.t("report.col.max_distance_km", lang): [km.format(v, lang) for v in rows["max_distance_km"]],
        i18n.t("report.col.share_within_5km", lang): [pct.format(v, lang) for v in rows["share_within_5km"]],
        i18n.t("report.col.services_per_1000", lang): [per.format(v, lang) for v in rows["services_per_1000"]],
        i18n.t("report.col.gap", lang): rows["gap"].map(lambda g: i18n.t("report.yes" if g else "report.no", lang)).to_numpy(),
    })


def _area_page(pdf: PdfPages, row: dict, table: pd.DataFrame, boundaries: dict, key: str, lang: str,
               thresholds: coverage.GapThresholds, by_category: pd.DataFrame | None) -> None:
    fig = plt.figure(figsize=A4_LANDSCAPE)
    name = i18n.name_in(row, lang)
    fig.text(0.04, 0.95, name, fontsize=22, weight="bold", va="top")
    fig.text(0.04, 0.885, i18n.t("report.area_population", lang, n=i18n.format_number(row["population"], lang),
                                 date=row["population_date"]), fontsize=12, va="top")
    lines = []
    for column in ("mean_distance_km", "max_distance_km", "mean_road_distance_km", "share_within_1km",
                   "share_within_5km", "share_within_10km", "services_in_area", "services_per_1000", "access_2sfca"):
        lines.append(f"{i18n.t(f'measure.{column}', lang)}: {choropleth.MEASURES[column].format(row[column], lang)}")
    lines.append(f"{i18n.t('report.col.area_wide_services', lang)}: {int(row['area_wide_services'])}")
    gaps = gap_text(row, thresholds, lang)
    lines.append(f"{i18n.t('report.col.gap_text', lang)}:")
    for reason in (gaps.split("; ") if gaps else [i18n.t("report.no_gap", lang)]):
        lines.append(textwrap.fill(f"• {reason}", 62, subsequent_indent="   "))
    fig.text(0.04, 0.83, "\n".join(lines), fontsize=11, va="top", linespacing=1.6)
    ax = fig.add_axes([0.55, 0.38, 0.42, 0.55])
    draw_map(ax, table, boundaries, key, lang, labels=False, highlight=str(row["area_id"]))
    ax.get_legend().remove()
    if by_category is not None and len(by_category):
        tab_ax = fig.add_axes([0.04, 0.04, 0.92, 0.26])
        tab_ax.set_axis_off()
        frame = by_category[["category", "services_in_area", "area_wide_services", "nearest_km", "mean_distance_km", "share_within_5km"]]
        km, pct = choropleth.MEASURES["mean_distance_km"], choropleth.MEASURES["share_within_5km"]
        cells = [[r["category"], str(int(r["services_in_area"])), str(int(r["area_wide_services"])),
                  km.format(r["nearest_km"], lang), km.format(r["mean_distance_km"], lang),
                  pct.format(r["share_within_5km"] / 100, lang)] for r in frame.to_dict("records")]
        headers = [textwrap.fill(i18n.t(f"report.col.{c}", lang), 28) for c in frame.columns]
        t = tab_ax.table(cellText=cells, colLabels=headers, loc="upper left", cellLoc="left")
        t.auto_set_font_size(False)
        t.set_fontsize(8.5)
        for (r, _c), cell in t.get_celld().items():
            if r == 0:
                cell.set_facecolor("#e8e8e8")
                cell.set_text_props(weight="bold")
                cell.set_height(cell.get_height() * 2)
        t.auto_set_column_width(list(range(len(headers))))
    pdf.savefig(fig)
    plt.close(fig)


def build_pdf(
    table: pd.DataFrame,
    boundaries: dict,
    lang: str,
    when: dt.datetime,
    *,
    key: str = choropleth.DEFAULT_MEASURE,
    selection: str = "",
    thresholds: coverage.GapThresholds | None = None,
    area_ids: list[str] | None = None,
    by_category: pd.DataFrame | None = None,
    nearest_rows: dict[str, dict[str, tuple[str, float]]] | None = None,
) -> bytes:
    """The council report as PDF bytes: cover, summary table, map, then one page per area.

    ``table`` is one row per area (geo.coverage.area_coverage); ``area_ids`` picks the area pages
    (default all, worst first); ``by_category`` (coverage_by_category) adds a per-category table to
    each area page, with the nearest service per category from ``nearest_rows[area_id]``
    (nearest_by_category). Pages: 3 + number of area pages.
    """
    lang = i18n.language(lang)
    thresholds = thresholds or coverage.GapThresholds()
    ordered = choropleth.ranked(table, key)
    wanted = [a for a in ordered["area_id"] if area_ids is None or a in set(area_ids)]
    buffer = io.BytesIO()
    with plt.rc_context(_style()), PdfPages(buffer, metadata={
        "Title": i18n.t("report.title", lang), "Creator": "Koper social services map",
        "CreationDate": None, "ModDate": None,  # same input, same bytes
    }) as pdf:
        total = int(table["population"].sum())
        gaps = int(table["gap"].sum())
        _text_page(pdf, i18n.t("report.title", lang), [
            i18n.t("report.date", lang, date=i18n.format_day(when.date(), lang)),
            selection,
            i18n.t("report.measure", lang, measure=i18n.t(f"measure.{key}", lang)),
            i18n.t("report.overview", lang, n=len(table), people=i18n.format_number(total, lang), gaps=gaps),
            "",
            i18n.t("report.sources", lang),
            i18n.t("attribution", lang),
            *approximation_notes(lang),
        ], title_size=26)
        _table_page(pdf, i18n.t("report.summary", lang), summary_frame(table, key, lang),
                    selection + " · " + i18n.t("note.boundary", lang))
        fig, ax = plt.subplots(figsize=A4_LANDSCAPE)
        draw_map(ax, table, boundaries, key, lang)
        ax.set_title(f"{i18n.t(f'measure.{key}', lang)} — {selection}", fontsize=13)
        fig.text(0.02, 0.02, i18n.t("note.boundary", lang) + " " + i18n.t("attribution", lang), fontsize=7, color="#444444")
        pdf.savefig(fig)
        plt.close(fig)
        for area_id in wanted:
            row = ordered[ordered["area_id"] == area_id].iloc[0].to_dict()
            per_category = None
            if by_category is not None:
                per_category = area_by_category(by_category, area_id, lang, thresholds, (nearest_rows or {}).get(area_id))
            _area_page(pdf, row, table, boundaries, key, lang, thresholds, per_category)
    return buffer.getvalue()


def page_count(n_areas: int) -> int:
    """Pages build_pdf writes for ``n_areas`` area pages."""
    return 3 + n_areas

"""The council report as a PDF (matplotlib, offline): cover, summary table, map, one page per area.

Text in DejaVu Sans (ships with matplotlib; has č, š, ž, à, è), numbers in the report's language.
Thread-safe like geo.report.maps: Figure objects only (maps.new_figure, no pyplot), the whole build
under maps.DRAWING (matplotlib's settings, fonts and caches are shared by every session's thread).
"""
from __future__ import annotations

import datetime as dt
import io
import textwrap

import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages

from geo import choropleth, coverage, i18n
from geo.report import maps, tables, words

A4_LANDSCAPE = (11.69, 8.27)
#: Characters per line in each column of an area page's category table (also the columns' widths).
_CATEGORY_CHARS = (28, 12, 12, 34, 34, 34)
#: The widest a summary-table column gets, in characters, before its text wraps.
_TABLE_CHARS = 24


def _wrapped(fig, x: float, y: float, text: str, **kwargs):
    """``fig.text(..., wrap=True)`` that shows every "$" as written.

    matplotlib measures a wrapped line with mathtext whenever it holds two "$", whatever
    parse_math says (Text._get_rendered_text_width), so "$x^{$" in a name would fail the PDF.
    Escaped dollars ("\\$") are plain text both when measured and when drawn (shown as "$").
    """
    return fig.text(x, y, str(text).replace("$", r"\$"), wrap=True, parse_math=True, **kwargs)


class _ScenarioPages:
    """A what-if report must never pass for the real one: every page gets the scenario mark as its header."""

    def __init__(self, pdf: PdfPages, mark: str) -> None:
        self._pdf, self._mark = pdf, mark

    def savefig(self, fig, **kwargs) -> None:
        _wrapped(fig, 0.5, 0.99, self._mark, ha="center", va="top", fontsize=10, weight="bold", color="#b00020")
        self._pdf.savefig(fig, **kwargs)


#: The cover's body text: size (points), characters per line (DejaVu Sans at that size in the page's
#: margins), one line's height and the gap between paragraphs, as shares of the page's height.
_BODY_SIZE, _BODY_CHARS, _LINE, _PARAGRAPH = 10, 135, 0.0235, 0.012


def _text_page(pdf: PdfPages, title: str, lines: list[str], *, title_size: int = 22) -> None:
    """A page of paragraphs under a title; each paragraph wrapped here (so the next one starts below
    it, however long), text literal ("$" from the data stays "$")."""
    fig = maps.new_figure(A4_LANDSCAPE)
    _wrapped(fig, 0.06, 0.9, title, fontsize=title_size, weight="bold", va="top")
    y = 0.78
    for line in lines:
        wrapped = textwrap.wrap(plain(line), _BODY_CHARS) or [""]
        fig.text(0.06, y, "\n".join(wrapped), fontsize=_BODY_SIZE, va="top", linespacing=1.35, parse_math=False)
        y -= _LINE * len(wrapped) + _PARAGRAPH
    pdf.savefig(fig)


def plain(text: str) -> str:
    """Text from the tables without Markdown's bold marks (a PDF shows them as written)."""
    return str(text).replace("**", "")


def _table_page(pdf: PdfPages, title: str, frame: pd.DataFrame, note: str) -> None:
    """A table that fits the page: each column as wide as its longest text up to _TABLE_CHARS characters
    (longer text wraps), every row as tall as its most lines, all rows inside the table's box."""
    fig = maps.new_figure(A4_LANDSCAPE)
    fig.text(0.04, 0.95, title, fontsize=16, weight="bold", va="top", parse_math=False)
    ax = fig.add_axes([0.03, 0.06, 0.94, 0.82])
    ax.set_axis_off()
    raw = frame.astype(str).to_numpy().tolist()
    chars = [max(6, min(_TABLE_CHARS, max([len(w) for w in str(h).split()] + [len(r[i]) for r in raw])))
             for i, h in enumerate(frame.columns)]
    headers = [textwrap.fill(str(h), width) for h, width in zip(frame.columns, chars)]
    cells = [[textwrap.fill(text, width) for text, width in zip(row, chars)] for row in raw]
    table = ax.table(cellText=cells, colLabels=headers, loc="upper center", cellLoc="left",
                     colWidths=[width / sum(chars) for width in chars])
    table.auto_set_font_size(False)
    table.set_fontsize(7 if len(frame) > 12 else 9)
    row_lines = [max(1 + text.count("\n") for text in row) for row in [headers, *cells]]
    line = min(0.05, 0.98 / sum(row_lines))
    for (r, _c), cell in table.get_celld().items():
        cell.set_height(line * row_lines[r])
        if r == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#e8e8e8")
    _wrapped(fig, 0.04, 0.03, note, fontsize=8, color="#444444")
    pdf.savefig(fig)


def _area_page(pdf: PdfPages, row: dict, table: pd.DataFrame, boundaries: dict, key: str, lang: str,
               thresholds: coverage.GapThresholds, by_category: pd.DataFrame | None) -> None:
    fig = maps.new_figure(A4_LANDSCAPE)
    name = i18n.name_in(row, lang)
    fig.text(0.04, 0.95, name, fontsize=22, weight="bold", va="top")
    fig.text(0.04, 0.885, i18n.t("report.area_population", lang, n=words.number_text(row["population"], lang),
                                 as_of=words.population_as_of(row["population_date"], lang)), fontsize=12, va="top")
    lines = []
    for column in ("mean_distance_km", "max_distance_km", "mean_road_distance_km", "share_within_1km",
                   "share_within_5km", "share_within_10km", "services_in_area", "services_per_1000", "access_2sfca"):
        lines.append(textwrap.fill(f"{i18n.t(f'measure.{column}', lang)}: {words.value_text(row, column, lang)}", 66,
                                   subsequent_indent="   "))
    lines.append(f"{i18n.t('report.col.area_wide_services', lang)}: {words.number_text(row['area_wide_services'], lang)}")
    gaps = words.gap_text(row, thresholds, lang)
    lines.append(f"{i18n.t('report.col.gap_text', lang)}:")
    for reason in (gaps.split("; ") if gaps else [i18n.t("report.no_gap", lang)]):
        lines.append(textwrap.fill(f"• {reason}", 66, subsequent_indent="   "))
    fig.text(0.04, 0.83, "\n".join(lines), fontsize=10, va="top", linespacing=1.45)
    ax = fig.add_axes([0.55, 0.38, 0.42, 0.55])
    maps.draw_map(ax, table, boundaries, key, lang, labels=False, highlight=str(row["area_id"]))
    ax.get_legend().remove()
    if by_category is not None and len(by_category):
        tab_ax = fig.add_axes([0.04, 0.03, 0.92, 0.31])
        tab_ax.set_axis_off()
        frame = by_category[["category", "services_in_area", "area_wide_services", "nearest_km", "mean_distance_km", "share_within_5km"]]
        cells = []
        for r in by_category.to_dict("records"):
            # the words of geo.coverage: a category that comes to the residents reads served / not served
            said = {"basis": r.get("basis"), "reaching_services": r.get("reaching_services"),
                    "mean_distance_km": r["mean_distance_km"],
                    "share_within_5km": None if words.missing(r["share_within_5km"]) else r["share_within_5km"] / 100}
            cells.append([textwrap.fill(text, chars) for text, chars in zip(
                [r["category"], words.number_text(r["services_in_area"], lang), words.number_text(r["area_wide_services"], lang),
                 words.value_text({**said, "mean_distance_km": r["nearest_km"]}, "mean_distance_km", lang),
                 words.value_text(said, "mean_distance_km", lang), words.value_text(said, "share_within_5km", lang)],
                _CATEGORY_CHARS)])
        headers = [textwrap.fill(i18n.t(f"report.col.{c}", lang), chars) for c, chars in zip(frame.columns, _CATEGORY_CHARS)]
        t = tab_ax.table(cellText=cells, colLabels=headers, loc="upper left", cellLoc="left",
                         colWidths=[chars / sum(_CATEGORY_CHARS) for chars in _CATEGORY_CHARS])
        t.auto_set_font_size(False)
        t.set_fontsize(7.5)
        rows = [headers, *cells]
        row_lines = [max(1 + text.count("\n") for text in row) for row in rows]
        line = min(0.085, 0.98 / sum(row_lines))  # every row inside the table's box, however many lines
        for (r, _c), cell in t.get_celld().items():
            cell.set_height(line * row_lines[r])
            if r == 0:
                cell.set_facecolor("#e8e8e8")
                cell.set_text_props(weight="bold")
    pdf.savefig(fig)


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
    scenario_lines: list[str] | None = None,
) -> bytes:
    """The council report as PDF bytes: cover, summary table, map, then one page per area.

    ``table`` is one row per area (geo.coverage.area_coverage); ``area_ids`` picks the area pages
    (default all, worst first); ``by_category`` (coverage_by_category) adds a per-category table to
    each area page, with the nearest service per category from ``nearest_rows[area_id]``
    (nearest_by_category). Pages: 3 + number of area pages. Same input, same bytes (no time stamp
    inside), so a download link stays valid while the council moves between screens.
    ``scenario_lines`` (geo.scenario.describe: a mark, then one line per hypothetical place) marks a
    what-if report: printed on the title page and the mark as every page's header.
    """
    lang = i18n.language(lang)
    thresholds = thresholds or coverage.GapThresholds()
    ordered = choropleth.ranked(table, key)
    wanted = [a for a in ordered["area_id"] if area_ids is None or a in set(area_ids)]
    buffer = io.BytesIO()
    with maps.DRAWING, matplotlib.rc_context(maps.style()), PdfPages(buffer, metadata={
        "Title": i18n.t("report.title", lang), "Creator": "Koper social services map",
        "CreationDate": None, "ModDate": None,  # same input, same bytes
    }) as pdf:
        marked = []
        if scenario_lines:
            pdf = _ScenarioPages(pdf, scenario_lines[0])
            marked = [scenario_lines[0], " · ".join(scenario_lines[1:]), ""]
        total = int(table["population"].sum())
        gaps = int(table["gap"].sum())
        _text_page(pdf, i18n.t("report.title", lang), [
            *marked,
            i18n.t("report.date", lang, date=i18n.format_day(when.date(), lang)),
            selection,
            i18n.t("report.measure", lang, measure=i18n.t(f"measure.{key}", lang)),
            i18n.plural("report.overview", lang, len(table), people=i18n.plural("report.people", lang, total),
                        gaps=i18n.plural("report.gap_areas", lang, gaps)),
            coverage.words.gap_summary(table, lang),
            coverage.words.gap_rule(thresholds, lang),
            *([note] if (note := coverage.words.basis_note(table, lang)) else []),
            "",
            i18n.t("report.sources", lang),
            i18n.t("attribution", lang),
            *words.approximation_notes(lang),
        ], title_size=26)
        _table_page(pdf, i18n.t("report.summary", lang), tables.summary_frame(table, key, lang),
                    selection + " · " + i18n.t("note.boundary", lang))
        fig = maps.new_figure(A4_LANDSCAPE)
        ax = fig.add_subplot()
        maps.draw_map(ax, table, boundaries, key, lang, label_size=9, legend_size=9)
        ax.set_title(f"{i18n.t(f'measure.{key}', lang)} — {selection}", fontsize=13)
        fig.text(0.02, 0.02, i18n.t("note.boundary", lang) + " " + i18n.t("attribution", lang), fontsize=7, color="#444444")
        pdf.savefig(fig)
        for area_id in wanted:
            row = ordered[ordered["area_id"] == area_id].iloc[0].to_dict()
            per_category = None
            if by_category is not None:
                per_category = tables.area_by_category(by_category, area_id, lang, thresholds, (nearest_rows or {}).get(area_id))
            _area_page(pdf, row, table, boundaries, key, lang, thresholds, per_category)
    return buffer.getvalue()


def page_count(n_areas: int) -> int:
    """Pages build_pdf writes for ``n_areas`` area pages."""
    return 3 + n_areas

"""The report's tables and files: figures per area in the user's language, the machine-readable CSV,
the Excel workbook, and per-category rows of one area.

Two CSV files, on purpose:
- the *language* file (``csv_bytes(frame, lang)``): headers and numbers as the language writes them
  (sl/it ``19,3 km``, ``1.262``; en ``19.3 km``, ``1,262``), separated by ``;`` in sl/it — where the
  comma is the decimal mark and a spreadsheet set to that language expects ``;`` — and by ``,`` in
  en; UTF-8 with a byte-order mark so spreadsheet programs read č, š, ž;
- the *machine-readable* file (``data_csv_bytes``): RFC 4180, comma-separated, dot as decimal mark,
  no thousands separator, shares as fractions 0–1, English column ids, empty cell = no value,
  UTF-8 without a byte-order mark: what pandas, R, QGIS and every CSV reader expect by default.
"""
from __future__ import annotations

import io

import pandas as pd

from geo import choropleth, coverage, i18n, model, nearest, safe
from geo.report import words

#: Columns of the download table, in order; each header is ``report.col.<name>``.
FIGURE_COLUMNS = (
    "area", "area_id", "population", "population_date", "services_in_area", "services_per_1000",
    "mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km",
    "share_within_1km", "share_within_5km", "share_within_10km", "access_2sfca",
    "area_wide_services", "gap", "gap_text",
)
#: Columns kept as shares 0–1 in the table.
SHARE_COLUMNS = tuple(f"share_within_{r}km" for r in coverage.SHARE_RADII_KM)
#: Measures shown with their unit (choropleth.MEASURES formats) in the language tables.
_MEASURE_COLUMNS = ("services_per_1000", "mean_distance_km", "max_distance_km", "mean_road_distance_km",
                    "max_road_distance_km", *SHARE_COLUMNS, "access_2sfca")
#: Columns of the machine-readable CSV (values as computed; see the module docstring).
DATA_COLUMNS = (
    "area_id", "name_sl", "name_it", "population", "population_date", "basis", "services_in_area",
    "services_per_1000", "mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km",
    *SHARE_COLUMNS, "access_2sfca", "area_wide_services", "home_services", "reaching_services",
    "gap", "gap_far", "gap_low_share", "gap_not_reached", "phone_only",
)
_FLAG_COLUMNS = ("gap", "gap_far", "gap_low_share", "gap_not_reached", "phone_only")
#: The separator of the language CSV (see the module docstring).
CSV_SEPARATORS = {"sl": ";", "it": ";", "en": ","}


def _measure_text(row: dict, column: str, lang: str) -> str:
    # max_road_distance_km has no map measure of its own: it is shown as a distance like the others.
    if column not in choropleth.MEASURES and not words.missing(row.get(column)) and row.get("basis") != coverage.DELIVERED:
        return choropleth.MEASURES["mean_distance_km"].format(float(row[column]), lang)
    return words.value_text(row, column, lang)


def _count_text(value: object, lang: str) -> str:
    return words.number_text(value, lang, 0)


def figures(table: pd.DataFrame, lang: str, thresholds: coverage.GapThresholds) -> pd.DataFrame:
    """One row per area with every measure as text in ``lang`` (headers, numbers, units, dates, yes/no).

    Numbers follow the language (sl/it ``19,3 km``, ``1.262``; en ``19.3 km``, ``1,262``); a missing
    value is the translated "unknown". For numbers to compute with, use ``data_frame``.
    """
    records = table.to_dict("records")
    out = pd.DataFrame({
        "area": [i18n.name_in(r, lang) for r in records],
        "area_id": table["area_id"].astype(str).to_numpy(),
        "population": [_count_text(r.get("population"), lang) for r in records],
        "population_date": [words.population_date(r.get("population_date"), lang) for r in records],
        "services_in_area": [_count_text(r.get("services_in_area"), lang) for r in records],
        **{c: [_measure_text(r, c, lang) for r in records] for c in _MEASURE_COLUMNS},
        "area_wide_services": [_count_text(r.get("area_wide_services"), lang) for r in records],
        "gap": [i18n.t("report.yes" if r.get("gap") else "report.no", lang) for r in records],
        "gap_text": [words.gap_text(r, thresholds, lang) for r in records],
    })
    return out[list(FIGURE_COLUMNS)].rename(columns={c: i18n.t(f"report.col.{c}", lang) for c in FIGURE_COLUMNS})


def data_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The machine-readable figures: one row per area, English column ids (DATA_COLUMNS), numbers as computed."""
    out = pd.DataFrame({c: table[c] if c in table else pd.NA for c in DATA_COLUMNS})
    for column in _FLAG_COLUMNS:
        out[column] = out[column].map(lambda v: "" if words.missing(v) else str(bool(v)).lower())
    return out.reset_index(drop=True)


def notes_table(lang: str, selection: str) -> pd.DataFrame:
    """The selection and the approximations as a one-column table (the notes sheet of the Excel file)."""
    lines = [selection, *words.approximation_notes(lang), i18n.t("report.csv_note", lang), i18n.t("attribution", lang)]
    return pd.DataFrame({i18n.t("report.notes", lang): lines})


def csv_bytes(frame: pd.DataFrame, lang: str | None = None) -> bytes:
    """The language CSV: UTF-8 with a byte-order mark, ``;`` in sl/it and ``,`` in en (or without ``lang``).

    Text cells that a spreadsheet would run as a formula are quoted (safe.spreadsheet_frame)."""
    separator = CSV_SEPARATORS.get(lang or "en", ",")
    return safe.spreadsheet_frame(frame).to_csv(index=False, sep=separator, lineterminator="\n").encode("utf-8-sig")


def data_csv_bytes(table: pd.DataFrame) -> bytes:
    """The machine-readable CSV (RFC 4180: comma, dot decimal, UTF-8 without BOM; see the module docstring).

    Text cells that a spreadsheet would run as a formula are still quoted (safe.spreadsheet_frame)."""
    frame = safe.spreadsheet_frame(data_frame(table))
    return frame.to_csv(index=False, sep=",", decimal=".", lineterminator="\n", na_rep="").encode("utf-8")


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


def workbook(table: pd.DataFrame, lang: str, thresholds: coverage.GapThresholds, selection: str,
             title: str) -> bytes:
    """The Excel download: the figures in ``lang`` (sheet ``title``), the notes, and the same figures as
    numbers (sheet "data" in ``lang``) for anyone who computes with them."""
    return excel_bytes({title: figures(table, lang, thresholds),
                        i18n.t("report.notes", lang): notes_table(lang, selection),
                        i18n.t("report.data_sheet", lang): data_frame(table)})


def area_by_category(long: pd.DataFrame, area_id: str, lang: str, thresholds: coverage.GapThresholds,
                     nearest_rows: dict[str, tuple[str, float]] | None = None) -> pd.DataFrame:
    """One row per category for one area (from coverage_by_category): counts, distances (numbers, shares
    in %), nearest, gaps, and the ``basis`` / ``reaching_services`` that say how to read them."""
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
        "gap_text": [words.gap_text(r, thresholds, lang) for r in rows.to_dict("records")],
        "basis": rows["basis"].to_numpy() if "basis" in rows else coverage.PLACES,
        "reaching_services": rows["reaching_services"].to_numpy() if "reaching_services" in rows else 0,
        "phone_only": rows["phone_only"].to_numpy() if "phone_only" in rows else False,  # geo.coverage.phone
    })
    return out


#: area_by_category's distance columns (km) and its share column (per cent), for category_figures.
_CATEGORY_KM = ("nearest_km", "mean_distance_km", "max_distance_km", "mean_road_distance_km")
_CATEGORY_COUNTS = ("services_in_area", "area_wide_services")


def category_figures(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """area_by_category's rows (any of its columns) as text in ``lang``, for the CSV and Excel downloads:
    counts "1.262", distances "4,2 km", the share "67 %"; a category that only comes to the residents
    reads served / not served instead of a distance (geo.coverage.words); text columns as they are,
    a missing one empty. The column names stay (the page gives the headers)."""
    out = pd.DataFrame(index=frame.index)
    records = frame.to_dict("records")
    for column in frame.columns:
        if column in _CATEGORY_COUNTS:
            out[column] = [_count_text(r[column], lang) for r in records]
        elif column in _CATEGORY_KM:
            out[column] = [words.value_text({"basis": r.get("basis"), "reaching_services": r.get("reaching_services"),
                                             "phone_only": r.get("phone_only"),
                                             "mean_distance_km": r[column]}, "mean_distance_km", lang) for r in records]
        elif column == "share_within_5km":
            out[column] = [words.value_text({"basis": r.get("basis"), "reaching_services": r.get("reaching_services"),
                                             "phone_only": r.get("phone_only"),
                                             column: None if words.missing(r[column]) else r[column] / 100}, column, lang)
                           for r in records]
        else:
            out[column] = ["" if words.missing(r[column]) else str(r[column]) for r in records]
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


def summary_frame(table: pd.DataFrame, key: str, lang: str) -> pd.DataFrame:
    """The areas worst first with the main measures formatted in ``lang`` (the PDF summary)."""
    rows = choropleth.ranked(table, key)
    records = rows.to_dict("records")
    return pd.DataFrame({
        i18n.t("report.col.rank", lang): [i18n.format_number(n, lang) for n in range(1, len(rows) + 1)],
        i18n.t("report.col.area", lang): [i18n.name_in(r, lang) for r in records],
        i18n.t("report.col.population", lang): [_count_text(r["population"], lang) for r in records],
        i18n.t("report.col.services_in_area", lang): [_count_text(r["services_in_area"], lang) for r in records],
        i18n.t("report.col.area_wide_services", lang): [_count_text(r["area_wide_services"], lang) for r in records],
        **{i18n.t(f"report.col.{c}", lang): [words.value_text(r, c, lang) for r in records]
           for c in ("mean_distance_km", "max_distance_km", "share_within_5km", "services_per_1000")},
        i18n.t("report.col.gap", lang): [i18n.t("report.yes" if r["gap"] else "report.no", lang) for r in records],
    })

"""Every spreadsheet the project writes, from a directory with a formula in every text field.

The directory (tests/hostile.py, ``at_start``) has a formula at the start of every text field of
every service and of every area and settlement name. Each file is read back cell by cell: no cell
may start with a formula character (CSV), no cell may be a formula (XLSX), and the text itself is
still there.
"""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

import hostile
from geo import areas, cli, coverage, directory, export, hsds, report, safe


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return hostile.build(tmp_path_factory.mktemp("formulas") / "data", hostile.FORMULAS,
                         area_payloads=hostile.FORMULAS, at_start=True)


@pytest.fixture(scope="module")
def services(data):
    table = directory.directory_table(data)
    # the fixture really is hostile: every payload starts some text field
    texts = [str(v) for column in hostile.TEXT_FIELDS if column in table for v in table[column]]
    assert all(any(t.startswith(f.strip()) for t in texts) for f in hostile.FORMULAS)
    return table


@pytest.fixture(scope="module")
def coverage_tables(data, services):
    areas_table, demand = areas.load_areas(data), areas.load_demand_points(data)
    long = coverage.coverage_by_category(services, areas_table, demand)
    table = coverage.area_coverage(services, areas_table, demand)
    assert table["name_sl"].str.startswith(("=", "+", "-", "@")).sum() >= 10
    return table, long


def _csv_rows(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) > 1
    return rows


def _assert_csv_safe(text: str, expect: int) -> list[list[str]]:
    rows = _csv_rows(text)
    assert hostile.formula_cells(rows) == []
    quoted = [cell for row in rows for cell in row if cell.startswith("'") and safe.from_spreadsheet_cell(cell) != cell]
    assert len(quoted) >= expect, "the hostile cells are still there, quoted"
    assert any(cell.startswith("'=HYPERLINK(") for cell in quoted)
    return rows


@pytest.mark.parametrize("lang", [None, "en"])
def test_export_csv_has_no_formula_cell(services, lang):
    text = export.records_csv(export.export_records(services, lang=lang), lang=lang)
    rows = _assert_csv_safe(text, expect=36)
    # reading back gives the data exactly (the quote is the only change)
    column = rows[0].index("name_sl" if lang is None else "name")
    names = {row[rows[0].index("id")]: safe.from_spreadsheet_cell(row[column]) for row in rows[1:]}
    records = {r["id"]: r for r in export.export_records(services, lang=lang)}
    assert names == {key: r["name_sl" if lang is None else "name"] for key, r in records.items()}


def test_export_csv_command_line_has_no_formula_cell(services, tmp_path):
    out = tmp_path / "directory.csv"
    assert cli.main(["export", "--format", "csv", "--output", str(out)], table=services) == 0
    _assert_csv_safe(out.read_text(encoding="utf-8"), expect=36)


def test_hsds_tables_have_no_formula_cell(services, tmp_path):
    written = hsds.write_hsds(hsds.hsds_tables(services, "sl"), tmp_path / "hsds")
    files = [p for p in written if p.suffix == ".csv"]
    assert len(files) >= 5
    rows = [row for path in files for row in _csv_rows(path.read_text(encoding="utf-8"))]
    assert hostile.formula_cells(rows) == []
    assert any(cell.startswith("'=HYPERLINK(") for row in rows for cell in row)
    assert any(cell.startswith("'+386") for row in rows for cell in row), "phones stay text, with their +"


def test_coverage_command_line_csv_has_no_formula_cell(coverage_tables):
    table, _long = coverage_tables
    _assert_csv_safe(cli.render_coverage(table, "csv", "sl"), expect=10)


def _figures(coverage_tables, lang="sl"):
    table, _long = coverage_tables
    return report.figures(table, lang, coverage.GapThresholds())


def test_coverage_download_csv_has_no_formula_cell(coverage_tables):
    body = report.csv_bytes(_figures(coverage_tables))
    assert body.startswith(b"\xef\xbb\xbf")
    _assert_csv_safe(body.decode("utf-8-sig"), expect=10)


def _workbook_cells(body: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_xlsx_safe(body: bytes, expect: int) -> None:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    cells = _workbook_cells(body)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(safe.FORMULA_START)]
    assert len(risky) >= expect, "the text is kept as it is"
    assert all(c.data_type == "s" and c.quotePrefix for c in risky), [c.coordinate for c in risky if not c.quotePrefix]
    assert any(c.value.startswith("=HYPERLINK(") for c in risky)


def test_coverage_download_xlsx_has_no_formula_cell(coverage_tables):
    notes = report.notes_table("sl", '=HYPERLINK("http://evil.example","x")')
    body = report.excel_bytes({"Pokritost": _figures(coverage_tables), "Opombe": notes})
    _assert_xlsx_safe(body, expect=11)


def test_area_profile_downloads_have_no_formula_cell_and_any_name_is_a_valid_sheet(coverage_tables, services):
    table, long = coverage_tables
    hostile_names = services["name_sl"].tolist()
    nearest_rows = {c: (hostile_names[i], 1.5) for i, c in enumerate(sorted(set(long["category"])))}
    area_id = table["area_id"].iloc[0]
    frame = report.area_by_category(long, area_id, "sl", coverage.GapThresholds(), nearest_rows)
    _assert_csv_safe(report.csv_bytes(frame).decode("utf-8-sig"), expect=3)
    # the sheet is named after the area: formulas, brackets, slashes, a backslash and 40 characters
    name = table["name_sl"].iloc[0] + r" [a]/b\c*?:" + "x" * 40
    body = report.excel_bytes({name: frame})
    assert openpyxl.load_workbook(io.BytesIO(body)).sheetnames == [safe.excel_sheet_name(name)]
    _assert_xlsx_safe(body, expect=3)


def test_staff_download_of_the_directory_has_no_formula_cell_and_reads_back_exactly(data):
    from geo.upkeep import downloads, reading

    body = downloads.directory_csv(data)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=downloads.DELIMITER))
    assert len(rows) == 37 and hostile.formula_cells(rows) == []
    assert any(cell.startswith("'=HYPERLINK(") for row in rows for cell in row)
    assert any(cell.startswith("'+386") for row in rows for cell in row), "phones stay text, with their +"
    # what staff download and upload again is the directory as it was
    with (data / "services.csv").open(encoding="utf-8", newline="") as handle:
        stored = list(csv.reader(handle))
    assert [[safe.from_spreadsheet_cell(cell) for cell in row] for row in rows] == stored
    assert hasattr(reading, "read_upload")


def test_staff_change_log_download_has_no_formula_cell():
    import pandas as pd

    from geo.upkeep import downloads

    log = pd.DataFrame({"who": ["=cmd|' /C calc'!A0"], "field": ["phones"], "old": ["+38656634550"], "new": ["@SUM(1)"]})
    rows = list(csv.reader(io.StringIO(downloads.excel_csv(log).decode("utf-8-sig")), delimiter=downloads.DELIMITER))
    assert hostile.formula_cells(rows) == [] and rows[1] == ["'=cmd|' /C calc'!A0", "phones", "'+38656634550", "'@SUM(1)"]

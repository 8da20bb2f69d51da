"""Tests for geo.upkeep: reading uploads, validation, diff, locating, saving safely, status lists.

Every test works on a copy of data/ (the ``data_dir`` fixture); no test reaches the network.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from geopy import exc as geopy_exc
from geopy.location import Location

from geo import atomic, directory, geocode, load, model, settings, upkeep
from geo.errors import DataFileError, DataValidationError, KoperMapError

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 12, 1, 9, 30, 0)
#: The signed-in staff identity every write records.
ACTOR = "ana.novak@koper.si"
SHIPPED = (settings.PROJECT_DIR / "data" / settings.SERVICES_FILE).read_bytes()


# Fail loudly if anything here tries to open a connection or resolve a name (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(autouse=True)
def upkeep_on(monkeypatch):
    monkeypatch.delenv(settings.UPKEEP_ENV, raising=False)


def current(data_dir: Path) -> pd.DataFrame:
    return load.read_csv_text(data_dir / settings.SERVICES_FILE)


def as_csv(frame: pd.DataFrame, sep: str = ",", encoding: str = "utf-8", errors: str = "strict") -> bytes:
    return frame.to_csv(index=False, sep=sep, lineterminator="\r\n").encode(encoding, errors=errors)


def as_xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(atomic.TEMP_SUFFIX)]


# ------------------------------------------------------------------------------------------------
# read_upload: encodings, separators, workbooks


def test_the_shipped_file_reads_as_utf8_and_is_valid():
    upload = upkeep.read_upload("services.csv", SHIPPED)
    assert (upload.encoding, upload.delimiter) == ("utf-8", ",")
    assert upload.frame.shape == (36, len(model.FIELD_NAMES))
    assert upkeep.validate_upload(upload) == []
    assert upkeep.diff(load.read_csv_text(settings.PROJECT_DIR / "data" / "services.csv"), upload.frame).is_empty


def test_utf8_with_bom_and_semicolons(data_dir):
    table = current(data_dir)
    upload = upkeep.read_upload("Imenik.CSV", b"\xef\xbb\xbf" + as_csv(table, sep=";"))
    assert (upload.encoding, upload.delimiter) == ("utf-8-sig", ";")
    assert "byte-order mark" in upload.encoding_label
    assert list(upload.frame.columns) == list(model.FIELD_NAMES)  # no BOM glued to 'id'
    assert upkeep.validate_upload(upload) == []
    assert upkeep.diff(table, upload.frame).is_empty


def test_windows_1250_slovene_text_is_decoded(data_dir):
    table = current(data_dir)
    # Slovene-only table: Windows-1250 holds č, š, ž but not the Italian texts' grave accents.
    for column in [c for c in table.columns if c.endswith("_it")]:
        table[column] = ""
    upload = upkeep.read_upload("services.csv", as_csv(table, sep=";", encoding="cp1250"))
    assert (upload.encoding, upload.delimiter) == ("cp1250", ";")
    assert "Windows-1250" in upload.encoding_label
    assert "Gažon 39, 6274 Šmarje" in set(upload.frame["address"])
    assert upkeep.validate_upload(upload) == []


def test_windows_1250_loses_italian_accents_and_says_so(data_dir):
    table = current(data_dir)
    upload = upkeep.read_upload("services.csv", as_csv(table, sep=";", encoding="cp1250", errors="replace"))
    problems = upkeep.validate_upload(upload)
    assert problems
    assert {p.field for p in problems} <= {c for c in model.FIELD_NAMES if c.endswith("_it")}
    first = problems[0]
    assert (first.row, first.field) == (2, "description_it")  # birth-grant: "Comune città"
    assert "citt?" in str(first.value) and "CSV UTF-8" in first.message


def test_sep_hint_line_is_honoured_and_not_counted_as_a_row(data_dir):
    table = current(data_dir).head(3)
    table.loc[1, "category"] = "money"
    upload = upkeep.read_upload("s.csv", b"sep=;\r\n" + as_csv(table, sep=";"))
    assert upload.delimiter == ";"
    [problem] = upkeep.validate_upload(upload)
    assert (problem.row, problem.field) == (3, "category")


def test_xlsx_is_read_with_dates_booleans_and_numbers_as_text(data_dir):
    table = current(data_dir)
    rows: list[list[object]] = [list(table.columns)]
    for record in table.to_dict("records"):
        cells: list[object] = list(record.values())
        cells[table.columns.get_loc("last_verified")] = dt.datetime.fromisoformat(record["last_verified"])
        cells[table.columns.get_loc("exemption_possible")] = record["exemption_possible"] == "true"
        rows.append(cells + [None, None])  # Excel keeps formatted empty columns on the right
    upload = upkeep.read_upload("imenik.xlsx", as_xlsx(rows))
    assert (upload.encoding, upload.delimiter) == ("xlsx", "")
    assert list(upload.frame.columns) == list(model.FIELD_NAMES)
    assert set(upload.frame["last_verified"]) == {"2026-11-23"}
    assert upkeep.validate_upload(upload) == []
    assert upkeep.diff(table, upload.frame).is_empty


def test_xlsx_whole_numbers_and_short_rows():
    header = list(model.FIELD_NAMES)
    # Row 3 is empty in the middle: reported, not silently skipped (it would shift row numbers).
    with pytest.raises(DataValidationError) as caught:
        upkeep.read_upload("t.xlsx", as_xlsx([header, ["x"], [None], ["y"]]))
    assert [(p.row, p.message) for p in caught.value.problems] == [(3, "is an empty row; delete it")]
    upload = upkeep.read_upload("t.xlsx", as_xlsx([header, ["x", "Ime"], ["y", 38656634550.0]]))
    assert list(upload.frame["name_sl"]) == ["Ime", "38656634550"]
    assert upload.frame.loc[0, "last_verified"] == ""  # padded


# ------------------------------------------------------------------------------------------------
# read_upload: limits and unreadable files


@pytest.mark.parametrize("name", ["services.xls", "services.txt", "services", "services.csv.exe", "../../etc/passwd"])
def test_other_file_types_are_refused(name):
    with pytest.raises(DataFileError) as caught:
        upkeep.read_upload(name, SHIPPED)
    message = str(caught.value)
    assert ".csv, .xlsx" in message
    assert "/" not in message.split(":")[0]  # only the file's own name is shown


def test_size_limit_names_the_limit(monkeypatch):
    with pytest.raises(DataFileError, match=rf"^services.csv: {len(SHIPPED) / 1000:.0f} kB is more than the limit of 10 kB"):
        upkeep.read_upload("services.csv", SHIPPED, max_bytes=10_000)
    monkeypatch.setattr(settings, "UPKEEP_MAX_UPLOAD_BYTES", 40_000)
    with pytest.raises(DataFileError, match="UPKEEP_MAX_UPLOAD_BYTES"):
        upkeep.read_upload("services.csv", SHIPPED)


def test_row_limit_names_the_limit(monkeypatch):
    with pytest.raises(DataFileError, match="more than 35 data rows"):
        upkeep.read_upload("services.csv", SHIPPED, max_rows=35)
    assert len(upkeep.read_upload("services.csv", SHIPPED, max_rows=36).frame) == 36
    monkeypatch.setattr(settings, "UPKEEP_MAX_ROWS", 10)
    with pytest.raises(DataFileError, match="UPKEEP_MAX_ROWS"):
        upkeep.read_upload("services.csv", SHIPPED)
    header = list(model.FIELD_NAMES)
    with pytest.raises(DataFileError, match="more than 10 data rows"):
        upkeep.read_upload("s.xlsx", as_xlsx([header] + [["x"]] * 11))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("s.csv", b"", "empty"),
        ("s.csv", b"  \r\n\r\n", "empty"),
        ("s.csv", b"PK\x03\x04rest of a zip", "Excel workbook"),
        ("s.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls", ".xls"),
        ("s.csv", "id,name_sl\nx,y\n".encode("utf-16"), "NUL bytes"),
        ("s.csv", b"id,name\nx,\x81\x83\x88\x90\x98\n", "neither UTF-8 nor Windows-1250"),
        ("s.xlsx", b"not a zip at all", "cannot be opened as an Excel workbook"),
        ("s.xlsx", b"PK\x03\x04 truncated", "cannot be opened as an Excel workbook"),
    ],
)
def test_unreadable_files_are_explained(name, content, expected):
    with pytest.raises(DataFileError, match=expected):
        upkeep.read_upload(name, content)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(DataFileError, match="cannot be opened as an Excel workbook"):
        upkeep.read_upload("s.xlsx", buffer.getvalue())


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch):
    content = as_xlsx([list(model.FIELD_NAMES)])
    monkeypatch.setattr(settings, "UPKEEP_MAX_UNZIPPED_BYTES", 1_000)
    with pytest.raises(DataFileError, match="UPKEEP_MAX_UNZIPPED_BYTES"):
        upkeep.read_upload("s.xlsx", content)


# ------------------------------------------------------------------------------------------------
# read_upload: structure, with spreadsheet row numbers


def test_structural_problems_name_their_rows():
    text = (
        "id,name_sl,name_sl,\n"  # row 1: duplicate column, unnamed column holding data
        "a,b,c,d\n"  # row 2
        "a,b\n"  # row 3: too few cells
        "a,b,c,d,e\n"  # row 4: too many
        ",,,\n"  # row 5: empty row in the middle
        "a,b,c,d\n"  # row 6
        ",,,\n\n"  # trailing blank rows: ignored
    )
    with pytest.raises(DataValidationError) as caught:
        upkeep.read_upload("s.csv", text.encode())
    found = [(p.row, p.field, p.message.split(";")[0]) for p in caught.value.problems]
    assert found == [
        (1, "name_sl", "column appears twice (columns 2 and 3)"),
        (1, None, "column 4 has no name"),
        (3, None, "has 2 cells but the header has 4"),
        (4, None, "has 5 cells but the header has 4"),
        (5, None, "is an empty row"),
    ]


def test_broken_quotes_are_reported_with_the_row():
    with pytest.raises(DataValidationError) as caught:
        upkeep.read_upload("s.csv", b'id,name_sl\na,b\n"c"x,d\n')
    [problem] = caught.value.problems
    assert problem.row == 3 and "double quotes" in problem.message


def test_no_header_is_reported():
    with pytest.raises(DataValidationError, match="has no header"):
        upkeep.read_upload("s.csv", b",,,\nx,y,z,w\n")


def test_missing_and_unknown_columns_are_named(data_dir):
    table = current(data_dir).drop(columns=["phones", "last_verified"]).rename(columns={"website": "web"})
    problems = upkeep.validate_upload(upkeep.read_upload("s.csv", as_csv(table)))
    assert {(p.row, p.field, p.message) for p in problems} == {
        (1, "phones", "column is missing from the header"),
        (1, "last_verified", "column is missing from the header"),
        (1, "website", "column is missing from the header"),
    }
    table = current(data_dir)
    table["comment"] = ""
    problems = upkeep.validate_upload(upkeep.read_upload("s.csv", as_csv(table)))
    assert [(p.row, p.field) for p in problems] == [(1, "comment")]
    assert "unknown column" in problems[0].message


def test_problem_rows_are_spreadsheet_rows_even_after_multi_line_cells(data_dir):
    table = current(data_dir)
    table.loc[0, "description_sl"] = "first line\nsecond line\nthird line"
    table.loc[2, "phones"] = "05 663 45 50"
    table.loc[2, "last_verified"] = "23.11.2026"  # what Excel makes of an ISO date
    table.loc[3, "id"] = table.loc[1, "id"]
    problems = upkeep.validate_upload(upkeep.read_upload("s.csv", as_csv(table)))
    assert [(p.row, p.field) for p in problems] == [(4, "last_verified"), (4, "phones"), (5, "id")]
    assert "also in row 3" in problems[2].message
    rows = upkeep.records_with_problems(upkeep.read_upload("s.csv", as_csv(table)).frame)
    assert list(rows["id"]) == [table.loc[2, "id"], table.loc[2, "id"], table.loc[1, "id"]]


def test_cell_limits_and_control_characters(data_dir, monkeypatch):
    monkeypatch.setattr(settings, "UPKEEP_MAX_CELL_CHARS", 1_000)  # above the longest shipped note (issue 13)
    table = current(data_dir)
    table.loc[0, "note_en"] = "x" * 1_001
    table.loc[1, "note_sl"] = "bell\x07 here"
    problems = upkeep.validate_upload(upkeep.read_upload("s.csv", as_csv(table)))
    assert [(p.row, p.field) for p in problems] == [(2, "note_en"), (3, "note_sl")]
    assert "1001 characters long; the limit is 1000" in problems[0].message
    assert "U+0007" in problems[1].message


def test_hostile_text_is_kept_as_text_not_interpreted(data_dir):
    table = current(data_dir)
    table.loc[0, "note_sl"] = '<script>alert("x")</script> =HYPERLINK("http://evil")'
    upload = upkeep.read_upload("s.csv", as_csv(table))
    assert upkeep.validate_upload(upload) == []
    assert upload.frame.loc[0, "note_sl"] == table.loc[0, "note_sl"]


# ------------------------------------------------------------------------------------------------
# diff


def test_formatting_only_changes_are_not_changes(data_dir):
    old = current(data_dir)
    new = old.iloc[::-1].copy()  # reordered rows
    for column in new.columns:
        new[column] = "  " + new[column] + " "
    index = old.index[old["id"] == "remote-alarm"][0]
    new.loc[index, "target_groups"] = " ; ".join(model.split_list(old.loc[index, "target_groups"]))
    phones = model.split_list(old.loc[index, "phones"])
    new.loc[index, "phones"] = "; ".join(model.display_phone(p) for p in phones)  # "05 ..." as staff type it
    new.loc[index, "exemption_possible"] = old.loc[index, "exemption_possible"].upper()
    new.loc[index, "description_sl"] = old.loc[index, "description_sl"].replace(" ", "   ")
    new.loc[index, "source_lines"] = old.loc[index, "source_lines"].replace(",", ", ")
    result = upkeep.diff(old, new)
    assert result.is_empty and result.unchanged == 36


def test_added_removed_and_changed_field_by_field(data_dir):
    old = current(data_dir)
    new = old[old["id"] != "birth-grant"].copy()
    extra = old[old["id"] == "rent-subsidy"].copy()
    extra["id"] = "rent-subsidy-2"
    new = pd.concat([new, extra], ignore_index=True)
    alarm = new.index[new["id"] == "remote-alarm"][0]
    new.loc[alarm, "opening_hours"] = "Mo-Fr 08:00-12:00"
    new.loc[alarm, "phones"] = "+38656634550"
    result = upkeep.diff(old, new)
    assert result.added == ("rent-subsidy-2",)
    assert result.removed == ("birth-grant",)
    [change] = result.changed
    assert change.id == "remote-alarm"
    assert change.fields == ("phones", "opening_hours")
    hours = change.changes[1]
    assert (hours.old, hours.new) == ("24/7", "Mo-Fr 08:00-12:00")
    assert result.unchanged == 34
    assert not result.is_empty


def test_diff_refuses_ambiguous_ids(data_dir):
    old = current(data_dir)
    new = pd.concat([old, old.head(1)], ignore_index=True)
    with pytest.raises(DataValidationError) as caught:
        upkeep.diff(old, new)
    [problem] = caught.value.problems
    assert (problem.row, problem.field) == (38, "id") and "duplicate" in problem.message


def test_diff_of_typed_tables(data_dir):
    typed = load.load_services(data_dir)
    assert upkeep.diff(typed, current(data_dir)).is_empty


# ------------------------------------------------------------------------------------------------
# Addresses to locate


def test_addresses_to_geocode_are_new_or_changed_placed_addresses(data_dir):
    old = current(data_dir)
    new = old.copy()

    def set_(record_id, **values):
        for key, value in values.items():
            new.loc[new["id"] == record_id, key] = value

    set_("birth-grant", address="Verdijeva ulica 10,  6000 Koper ")  # whitespace only: not new
    set_("care-home-odu", address="Krožna cesta 7, 6000 Koper")  # changed
    set_("day-care-oljka", address="Krožna cesta 7, 6000 Koper")  # same new address: listed once
    added = old[old["id"] == "rent-subsidy"].assign(id="new-office", address="Pobeška cesta 2, 6000 Koper")
    area = old[old["location_type"] == "area"].head(1).assign(id="new-area", address="Sončna pot 1, 6276 Pobegi")
    new = pd.concat([new, added, area], ignore_index=True)
    assert upkeep.addresses_to_geocode(old, new) == ["Krožna cesta 7, 6000 Koper", "Pobeška cesta 2, 6000 Koper"]
    assert upkeep.addresses_to_geocode(old, old) == []
    assert len(upkeep.addresses_to_geocode(old.iloc[0:0], old)) == len(load.provider_addresses(data_dir))


class FakeGeocoder:
    def __init__(self, answer=None, error=None):
        self.answer, self.error, self.calls = answer, error, []

    def geocode(self, query, **kwargs):
        self.calls.append(str(query))
        if self.error is not None:
            raise self.error
        return self.answer


def test_geocode_addresses_offline_uses_manual_points_then_the_register(data_dir):
    hand, village, nowhere = upkeep.geocode_addresses(
        ["Krožna cesta 5, 6000 Koper", "Gažon 40, 6274 Šmarje", "Neznana 1, 9999 Nikjer"], online=False, data_dir=data_dir
    )
    assert (hand.precision, hand.source, hand.accuracy_m, hand.area_id) == ("manual", "manual", 500, "ks-50620")
    assert hand.approximate  # a 500 m radius is not at the building
    assert (village.precision, village.source) == ("settlement", "gurs-rpe")
    assert village.approximate and village.area_id
    assert not nowhere.found and nowhere.approximate
    assert "place it by hand" in nowhere.note


def test_geocode_addresses_online_failure_is_a_note_not_an_error(data_dir):
    failing = FakeGeocoder(error=geopy_exc.GeocoderRateLimited("Non-successful status code 429"))
    [result] = upkeep.geocode_addresses(["Pobeška cesta 2, 6000 Koper"], online=True, geocoder=failing, data_dir=data_dir)
    assert failing.calls == ["Pobeška cesta 2, 6000 Koper"]
    assert result.precision == "settlement"
    assert "Online geocoder failed (rate limited, HTTP 429)" in result.note
    assert not (data_dir / settings.GEOCODE_CACHE_FILE).exists()


def test_geocode_addresses_online_success_is_stored_in_the_cache(data_dir):
    raw = {"lat": "45.5401", "lon": "13.7551", "display_name": "2, Pobeška cesta", "addresstype": "building"}
    online = FakeGeocoder(answer=Location("2, Pobeška cesta", (45.5401, 13.7551), raw))
    [result] = upkeep.geocode_addresses(["Pobeška cesta 2, 6000 Koper"], online=True, geocoder=online,
                                        data_dir=data_dir, today=dt.date(2026, 12, 1))
    assert (result.precision, result.source, result.approximate) == ("address", "nominatim", False)
    assert result.area_id
    cache = geocode.load_geocode_cache(data_dir)
    assert list(cache["query"]) == ["Pobeška cesta 2, 6000 Koper"]


def test_geocode_addresses_flags_points_outside_the_municipality(data_dir, monkeypatch):
    # The geocoder itself now rejects online answers outside Koper and Ankaran (issue 10), so a
    # point outside can only come from elsewhere (a hand-placed point, a stale cache line): upkeep
    # still flags it.
    outside = geocode.GeocodeResult(45.60, 13.99, "address", "nominatim", "x", None)  # inside the bbox, outside Koper
    with monkeypatch.context() as patched:
        patched.setattr(geocode, "geocode", lambda *args, **kwargs: outside)
        [result] = upkeep.geocode_addresses(["Pobeška cesta 2, 6000 Koper"], online=True, store=False,
                                            geocoder=FakeGeocoder(), data_dir=data_dir)
    assert result.area_id == "" and "outside Koper and Ankaran" in result.note
    raw = {"lat": "45.60", "lon": "13.99", "addresstype": "building"}
    online = FakeGeocoder(answer=Location("x", (45.60, 13.99), raw))
    [result] = upkeep.geocode_addresses(["Pobeška cesta 2, 6000 Koper"], online=True, store=False,
                                        geocoder=online, data_dir=data_dir)
    assert result.area_id  # the online answer outside was refused; the register placed it inside


# ------------------------------------------------------------------------------------------------
# preview_import


def test_preview_import_of_an_edited_file(data_dir):
    table = current(data_dir)
    table.loc[table["id"] == "care-home-odu", "address"] = "Krožna cesta 7, 6000 Koper"
    preview = upkeep.preview_import("services.csv", as_csv(table, sep=";"), data_dir)
    assert preview.ok and preview.current_error is None
    assert [c.id for c in preview.diff.changed] == ["care-home-odu"]
    assert preview.addresses == ("Krožna cesta 7, 6000 Koper",)
    assert files_under(data_dir)["services.csv"] == SHIPPED  # nothing written


def test_preview_import_when_the_current_file_is_broken(data_dir):
    (data_dir / settings.SERVICES_FILE).write_bytes(b'id,name\n"broken\n')
    preview = upkeep.preview_import("services.csv", SHIPPED, data_dir)
    assert preview.ok
    assert isinstance(preview.current_error, KoperMapError)
    assert len(preview.diff.added) == 36


def test_preview_import_with_problems_still_reads(data_dir):
    table = pd.concat([current(data_dir), current(data_dir).head(1)], ignore_index=True)
    preview = upkeep.preview_import("services.csv", as_csv(table), data_dir)
    assert not preview.ok and preview.diff is None
    assert [(p.row, p.field) for p in preview.problems] == [(38, "id")]


# ------------------------------------------------------------------------------------------------
# save_directory


def test_saving_the_same_table_changes_nothing(data_dir):
    before = files_under(data_dir)
    result = upkeep.save_directory(current(data_dir), data_dir, actor=ACTOR, now=NOW)
    assert (result.changed, result.backup) == (False, None)
    assert files_under(data_dir) == before


def test_save_replaces_the_file_and_keeps_a_dated_backup(data_dir):
    table = current(data_dir)
    table.loc[0, "note_en"] = "Updated."
    result = upkeep.save_directory(table, data_dir, actor=ACTOR, now=NOW)
    assert result.changed and result.path == data_dir / "services.csv"
    assert result.backup == data_dir / "backups" / "services-2026-12-01-093000.csv"
    assert result.backup.read_bytes() == SHIPPED
    assert load.load_services(data_dir).loc[0, "note_en"] == "Updated."
    table.loc[0, "note_en"] = "Updated again."
    second = upkeep.save_directory(table, data_dir, actor=ACTOR, now=NOW)  # same second: a second name
    assert second.backup.name == "services-2026-12-01-093000-2.csv"
    assert b"Updated." in second.backup.read_bytes()
    assert temp_files(data_dir) == []


def test_save_writes_the_project_format(data_dir):
    upload = upkeep.read_upload("s.xlsx", as_xlsx([list(current(data_dir).columns)] + current(data_dir).values.tolist()))
    upkeep.save_directory(upload.frame, data_dir, actor=ACTOR, now=NOW)
    assert (data_dir / "services.csv").read_bytes() == SHIPPED  # UTF-8, ',', '\n', same quoting


def test_an_invalid_table_is_never_written(data_dir):
    table = current(data_dir)
    table.loc[4, "category"] = "money"
    before = files_under(data_dir)
    with pytest.raises(DataValidationError, match="row 6, field 'category'"):
        upkeep.save_directory(table, data_dir, actor=ACTOR, now=NOW)
    assert files_under(data_dir) == before


def test_a_crash_while_writing_leaves_the_old_file_whole(data_dir, monkeypatch):
    table = current(data_dir)
    table.loc[0, "note_en"] = "Updated."

    def crash_halfway(handle, data):
        handle.write(data[: len(data) // 2])
        handle.flush()
        raise OSError("disk full")

    monkeypatch.setattr(atomic, "_write_payload", crash_halfway)
    with pytest.raises(upkeep.StorageError, match="disk full"):
        upkeep.save_directory(table, data_dir, actor=ACTOR, now=NOW)
    assert (data_dir / "services.csv").read_bytes() == SHIPPED
    assert temp_files(data_dir) == []
    assert len(load.load_services(data_dir)) == 36
    # The failed attempt leaves no backup (not even the folder it made) and no change-log line behind.
    assert not (data_dir / "backups").exists()
    assert not (data_dir / settings.CHANGE_LOG_FILE).exists()


def test_a_failing_rename_leaves_the_old_file_whole(data_dir, monkeypatch):
    table = current(data_dir)
    table.loc[0, "note_en"] = "Updated."
    real_replace = os.replace

    def refuse_services(source, target):
        if Path(target).name == "services.csv":
            raise PermissionError("simulated: the file is locked by another program")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", refuse_services)
    with pytest.raises(upkeep.StorageError) as caught:
        upkeep.save_directory(table, data_dir, actor=ACTOR, now=NOW)
    assert caught.value.reason == "read_only" and "locked by another program" in str(caught.value)
    assert (data_dir / "services.csv").read_bytes() == SHIPPED
    assert temp_files(data_dir) == []
    # The backup made before the failing rename was a whole copy; the failed attempt removes it (issue 10).
    assert not (data_dir / "backups" / "services-2026-12-01-093000.csv").exists()


_KILLED_SAVE = """
import sys, time
import pandas as pd
from pathlib import Path
from geo import atomic, load, upkeep

def stall_in_services(handle, data):
    if ".services.csv." not in handle.name:
        handle.write(data)
        return
    handle.write(data[: len(data) // 2])
    handle.flush()
    print("half written", flush=True)
    time.sleep(120)
    handle.write(data[len(data) // 2:])

atomic._write_payload = stall_in_services
data_dir = Path(sys.argv[1])
table = load.read_csv_text(data_dir / "services.csv")
big = pd.concat([table.assign(id=table["id"] + f"-{i}") for i in range(10)], ignore_index=True)
big["description_en"] = "x" * 20_000
upkeep.save_directory(big, data_dir, actor="killed@koper.si")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_a_save_killed_mid_write_leaves_the_old_file_whole(data_dir):
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_SAVE, str(data_dir)],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = child.stdout.readline().strip()
        assert line == "half written", child.stderr.read()
        [partial] = atomic.leftover_temp_files(data_dir / "services.csv")
        assert partial.stat().st_size > 3_000_000  # the kill really lands inside a large write
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert (data_dir / "services.csv").read_bytes() == SHIPPED
    assert len(load.load_services(data_dir)) == 36


def test_upkeep_switched_off_refuses_every_write(data_dir, monkeypatch):
    monkeypatch.setenv(settings.UPKEEP_ENV, "0")
    before = files_under(data_dir)
    table = current(data_dir)
    with pytest.raises(upkeep.UpkeepDisabled, match="KOPER_MAP_UPKEEP"):
        upkeep.save_directory(table, data_dir, actor=ACTOR)
    with pytest.raises(upkeep.UpkeepDisabled):
        upkeep.mark_verified("birth-grant", data_dir=data_dir, actor=ACTOR)
    with pytest.raises(upkeep.UpkeepDisabled):
        upkeep.record_manual_location("Krožna cesta 5, 6000 Koper", 45.54, 13.73, actor="AB", data_dir=data_dir)
    assert files_under(data_dir) == before


@pytest.mark.parametrize(
    ("value", "enabled"),
    [(None, True), ("", True), ("1", True), ("yes", True), (" ON ", True), ("true", True),
     ("0", False), ("false", False), ("off", False), ("no", False), ("2", False), ("disabled", False)],
)
def test_upkeep_switch(value, enabled, monkeypatch):
    if value is None:
        monkeypatch.delenv(settings.UPKEEP_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.UPKEEP_ENV, value)
    assert settings.upkeep_enabled() is enabled


# ------------------------------------------------------------------------------------------------
# mark_verified


def test_mark_verified_updates_only_the_given_records(data_dir):
    result = upkeep.mark_verified(["birth-grant", "remote-alarm"], data_dir=data_dir, actor=ACTOR, now=NOW)
    services = load.load_services(data_dir).set_index("id")
    assert services.loc["birth-grant", "last_verified"] == "2026-12-01"
    assert services.loc["remote-alarm", "last_verified"] == "2026-12-01"
    assert set(services.drop(index=["birth-grant", "remote-alarm"])["last_verified"]) == {"2026-11-23"}
    assert result.backup.read_bytes() == SHIPPED
    diff = upkeep.diff(load.read_csv_text(result.backup), current(data_dir))
    assert {c.id: c.fields for c in diff.changed} == {"birth-grant": ("last_verified",), "remote-alarm": ("last_verified",)}


def test_mark_verified_unknown_id(data_dir):
    with pytest.raises(DataValidationError, match="no record has this id"):
        upkeep.mark_verified("no-such-service", data_dir=data_dir, actor=ACTOR, today=dt.date(2026, 12, 1))
    assert (data_dir / "services.csv").read_bytes() == SHIPPED


# ------------------------------------------------------------------------------------------------
# record_manual_location


def test_a_new_hand_placed_point_is_recorded_and_used(data_dir):
    line = upkeep.record_manual_location(
        "Pobeška cesta 2, 6000 Koper", 45.540112, 13.755187, actor="M. Novak", note="Entrance from the car park.",
        data_dir=data_dir, now=NOW,
    )
    assert line["placed_on"] == "2026-12-01" and line["area_id"]
    assert "M. Novak" in line["method"]
    manual = geocode.load_manual_coordinates(data_dir)
    assert len(manual) == 16
    result = geocode.geocode("Pobeška cesta 2, 6000 Koper", data_dir=data_dir)
    assert (result.lat, result.lon, result.precision) == (45.540112, 13.755187, "manual")
    assert result.accuracy_m == settings.MANUAL_CORRECTION_ACCURACY_M
    assert not upkeep.is_approximate(result.precision, result.accuracy_m)
    assert list((data_dir / "backups").iterdir())[0].name == "manual_coordinates-2026-12-01-093000.csv"


def test_a_correction_replaces_the_line_of_the_same_address(data_dir):
    path = data_dir / settings.MANUAL_COORDINATES_FILE
    before = path.read_text(encoding="utf-8").splitlines()
    upkeep.record_manual_location("krožna cesta 5, 6000 Koper – Capodistria", 45.5411, 13.7401, actor="AB",
                                  accuracy_m=10, data_dir=data_dir, today=dt.date(2026, 12, 1))
    after = path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    changed = [(b, a) for b, a in zip(before, after) if a != b]
    assert len(changed) == 1
    assert changed[0][1].startswith('"krožna cesta 5, 6000 Koper – Capodistria",45.5411,13.7401,')
    assert ",10,placed by hand on the upkeep page by AB,2026-12-01," in changed[0][1]
    result = geocode.geocode("Krožna cesta 5, 6000 Koper", data_dir=data_dir)
    assert (result.lat, result.accuracy_m) == (45.5411, 10)


@pytest.mark.parametrize(
    ("lat", "lon", "field", "message"),
    [
        (46.0569, 14.5058, "lat", "outside the Municipality of Koper"),  # Ljubljana
        (13.73, 45.54, "lat", "not swapped"),  # swapped
        (45.60, 13.99, "lat", "outside the Municipality"),  # inside the bbox, outside the boundary
        (float("nan"), 13.73, "lat", "is not a number"),
        ("45,54", 13.73, "lat", "decimal point"),
        (45.54, None, "lon", "is not a number"),
    ],
)
def test_points_outside_the_municipality_are_refused(data_dir, lat, lon, field, message):
    before = files_under(data_dir)
    with pytest.raises(DataValidationError) as caught:
        upkeep.record_manual_location("Krožna cesta 5, 6000 Koper", lat, lon, actor="AB", data_dir=data_dir)
    [problem] = caught.value.problems
    assert problem.field == field and message in problem.message
    assert files_under(data_dir) == before


def test_a_correction_needs_an_address_and_who(data_dir):
    with pytest.raises(DataValidationError) as caught:
        upkeep.record_manual_location("  ", 45.54, 13.73, actor=" ", accuracy_m=0, data_dir=data_dir)
    assert {p.field for p in caught.value.problems} == {"address", "method", "accuracy_m"}


def test_a_correction_without_a_manual_file_creates_it(data_dir):
    (data_dir / settings.MANUAL_COORDINATES_FILE).unlink()
    upkeep.record_manual_location("Krožna cesta 5, 6000 Koper", 45.5411, 13.7401, actor="AB", data_dir=data_dir)
    text = (data_dir / settings.MANUAL_COORDINATES_FILE).read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(geocode.MANUAL_COLUMNS)
    assert not (data_dir / "backups").exists()


def test_a_crash_while_recording_leaves_the_manual_file_whole(data_dir, monkeypatch):
    path = data_dir / settings.MANUAL_COORDINATES_FILE
    old = path.read_bytes()
    real = atomic._write_payload

    def crash_on_manual(handle, data):
        if ".manual_coordinates.csv." in handle.name:
            handle.write(data[:100])
            raise OSError("simulated crash")
        real(handle, data)

    monkeypatch.setattr(atomic, "_write_payload", crash_on_manual)
    with pytest.raises(upkeep.StorageError):
        upkeep.record_manual_location("Pobeška cesta 2, 6000 Koper", 45.5401, 13.7551, actor="AB", data_dir=data_dir)
    assert path.read_bytes() == old
    assert temp_files(data_dir) == []


# ------------------------------------------------------------------------------------------------
# Status lists for the staff page


def test_records_with_problems(data_dir):
    table = current(data_dir)
    table.loc[2, "website"] = "not a url"
    table.loc[5, "last_verified"] = ""
    rows = upkeep.records_with_problems(table)
    assert list(rows.columns) == ["row", "id", "field", "value", "message"]
    assert [(r.row, r.id, r.field) for r in rows.itertuples()] == [
        (4, table.loc[2, "id"], "website"),
        (7, table.loc[5, "id"], "last_verified"),
    ]
    assert upkeep.records_with_problems(current(data_dir)).empty


def test_approximate_locations_of_the_shipped_directory(data_dir):
    located = directory.directory_table(data_dir)
    listed = upkeep.approximate_locations(located).set_index("id")
    placed = located[located["location_type"].isin(["site", "office"])]
    # Every shipped point is hand-placed from memory (250-700 m) or a settlement centroid.
    assert set(listed.index) == set(placed["id"])
    assert listed.loc["care-home-danica", "reason"] == "placed by hand, error radius 800 m"  # Gažon 39: village radius
    assert listed.loc["birth-grant", "reason"] == "placed by hand, error radius 250 m"


def test_approximate_locations_keeps_precise_points_out():
    located = pd.DataFrame([
        {"id": "a", "location_type": "site", "lat": 45.5, "location_precision": "address", "location_accuracy_m": None},
        {"id": "b", "location_type": "site", "lat": 45.5, "location_precision": "manual", "location_accuracy_m": 10},
        {"id": "c", "location_type": "office", "lat": None, "location_precision": "", "location_accuracy_m": None},
        {"id": "d", "location_type": "area", "lat": None, "location_precision": "", "location_accuracy_m": None},
        {"id": "e", "location_type": "site", "lat": 45.5, "location_precision": "street", "location_accuracy_m": None},
    ])
    listed = upkeep.approximate_locations(located)
    assert dict(zip(listed["id"], listed["reason"])) == {"c": "no location found", "e": "placed at the street only"}


def test_stale_records():
    services = pd.DataFrame({
        "id": ["a", "b", "c", "d"],
        "name_sl": ["A", "B", "C", "D"],
        "last_verified": ["2025-11-23", "2025-11-22", "2024-01-01", "not a date"],
    })
    today = dt.date(2026, 11, 23)
    stale = upkeep.stale_records(services, today)
    assert list(stale["id"]) == ["d", "c", "b"]  # unreadable first, then oldest; "a" is exactly 365 days
    assert stale.loc[2, "age_days"] == 366
    assert upkeep.stale_records(services, today, max_age_days=10_000)["id"].tolist() == ["d"]


def test_the_shipped_directory_is_not_stale_within_a_year(data_dir):
    services = load.load_services(data_dir)
    assert upkeep.stale_records(services, dt.date(2027, 11, 23)).empty
    assert len(upkeep.stale_records(services, dt.date(2027, 11, 24))) == 36


def test_concurrent_marks_do_not_lose_each_other(data_dir):
    import threading

    ids = list(current(data_dir)["id"][:8])
    days = {record_id: dt.date(2026, 12, 1 + i) for i, record_id in enumerate(ids)}
    threads = [
        threading.Thread(target=upkeep.mark_verified, args=(record_id,), kwargs={"data_dir": data_dir, "actor": ACTOR, "today": day})
        for record_id, day in days.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    services = load.load_services(data_dir).set_index("id")
    assert {i: services.loc[i, "last_verified"] for i in ids} == {i: d.isoformat() for i, d in days.items()}
    assert len(list((data_dir / "backups").iterdir())) == 8

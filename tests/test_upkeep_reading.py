"""geo.upkeep reading and checking: bounded uploads, wrong-encoding round trips, the staff download for Excel."""
from __future__ import annotations

import io
import time
import zipfile

import pandas as pd
import pytest

from geo import i18n, load, model, settings, upkeep
from geo.errors import UploadRefused
from geo.upkeep import checking

SHIPPED = (settings.PROJECT_DIR / "data" / settings.SERVICES_FILE).read_bytes()
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

pytestmark = pytest.mark.usefixtures("no_network")


def current(data_dir) -> pd.DataFrame:
    return load.read_csv_text(data_dir / settings.SERVICES_FILE)


def as_csv(frame: pd.DataFrame, sep: str = ",") -> bytes:
    return frame.to_csv(index=False, sep=sep, lineterminator="\r\n").encode("utf-8")


def bare_xlsx(columns: int, rows: int) -> bytes:
    """A minimal workbook written by hand (openpyxl would take a minute): ``rows`` × ``columns`` cells of 1."""
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData>' + row * rows + "</sheetData></worksheet>")
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------
# Bounded early


def test_a_1500_by_2000_workbook_is_refused_fast_with_a_translated_reason():
    content = bare_xlsx(1500, 2000)
    assert len(content) < 200_000  # the 100 kB spreadsheet of the issue: inside the size limits
    started = time.perf_counter()
    with pytest.raises(UploadRefused) as caught:
        upkeep.read_upload("imenik.xlsx", content)
    assert time.perf_counter() - started < 5  # was 87 s of CPU
    error = caught.value
    assert error.key == "upkeep.refused.workbook_cells"  # counted in the XML before openpyxl reads a row
    assert (error.params["n"], error.params["limit"]) == (3_000_000, settings.UPKEEP_MAX_CELLS)
    for lang in i18n.LANGUAGES:
        said = i18n.t(error.key, lang, **error.params)
        assert "3000000" in said and str(settings.UPKEEP_MAX_CELLS) in said
    assert "celic" in i18n.t(error.key, "sl", **error.params)
    # Fewer rows, inside the cell limit: refused at the header for its width.
    started = time.perf_counter()
    with pytest.raises(UploadRefused) as caught:
        upkeep.read_upload("imenik.xlsx", bare_xlsx(1500, 60))
    assert time.perf_counter() - started < 5
    error = caught.value
    assert error.key == "upkeep.refused.too_many_columns"
    assert (error.params["row"], error.params["n"], error.params["limit"]) == (1, 1500, settings.UPKEEP_MAX_COLUMNS)
    for lang in i18n.LANGUAGES:
        said = i18n.t(error.key, lang, **error.params)
        assert "1500" in said and str(settings.UPKEEP_MAX_COLUMNS) in said
    assert "stolpcev" in i18n.t(error.key, "sl", **error.params)
    assert "colonne" in i18n.t(error.key, "it", **error.params)


def test_a_wide_csv_is_refused_at_its_header():
    header = ",".join(f"c{i}" for i in range(1500))
    content = (header + "\n" + "\n".join(",".join("1" * 1 for _ in range(1500)) for _ in range(600))).encode()
    started = time.perf_counter()
    with pytest.raises(UploadRefused, match="row 1 has 1500 columns"):
        upkeep.read_upload("s.csv", content)
    assert time.perf_counter() - started < 2


def test_the_number_of_cells_is_bounded(monkeypatch):
    monkeypatch.setattr(settings, "UPKEEP_MAX_CELLS", len(model.FIELD_NAMES) * 20)
    with pytest.raises(UploadRefused) as caught:
        upkeep.read_upload("services.csv", SHIPPED)
    # the header's cells count too: rows 1-20 hold exactly the limit, row 21 goes over
    assert caught.value.key == "upkeep.refused.too_many_cells" and caught.value.params["row"] == 21
    content = bare_xlsx(60, 100)  # 6,000 cells
    with pytest.raises(UploadRefused, match=f"6000 cells, more than the limit of {len(model.FIELD_NAMES) * 20}"):
        upkeep.read_upload("s.xlsx", content)


def test_the_seconds_of_work_are_bounded(monkeypatch):
    monkeypatch.setattr(settings, "UPKEEP_MAX_PARSE_SECONDS", 0.0)
    with pytest.raises(UploadRefused) as caught:
        upkeep.preview_import("services.csv", SHIPPED, settings.PROJECT_DIR / "data")
    assert caught.value.key == "upkeep.refused.too_slow"
    assert "UPKEEP_MAX_PARSE_SECONDS" in str(caught.value)


def test_the_shipped_directory_is_well_within_every_bound():
    started = time.perf_counter()
    preview = upkeep.preview_import("services.csv", SHIPPED, settings.PROJECT_DIR / "data")
    assert preview.ok and preview.diff.is_empty and preview.advice == ()
    assert time.perf_counter() - started < settings.UPKEEP_MAX_PARSE_SECONDS / 4


@pytest.mark.parametrize("key", [
    "extension", "empty", "too_big", "is_xlsx", "is_xls", "binary", "encoding", "too_many_rows", "not_workbook",
    "unzipped", "no_sheet", "sheet_unreadable", "too_many_columns", "too_many_cells", "too_slow", "workbook_cells"])
def test_every_refusal_is_said_in_every_language(key):
    params = {"file": "f.csv", "allowed": ".csv, .xlsx", "size": "3 MB", "limit": "2 MB", "row": 1, "n": 2, "seconds": "20"}
    texts = {lang: i18n.t(f"upkeep.refused.{key}", lang, **params) for lang in i18n.LANGUAGES}
    assert len(set(texts.values())) == 3 and all(t.startswith("f.csv") for t in texts.values())


# ------------------------------------------------------------------------------------------------
# Wrong-encoding round trip (UTF-8 read as Windows-1250 and saved again)


def garbled(text: str) -> str:
    return text.encode("utf-8").decode("cp1250", errors="replace")


@pytest.mark.parametrize(("word", "found", "meant"), [
    ("pomoč", "ÄŤ", "č"), ("Krožna", "Ĺľ", "ž"), ("Šmarje", "Ĺ\xa0", "Š"), ("città", "Ă\xa0", "à"), ("Koper – Capodistria", "â€“", "–")])
def test_round_trip_damage_is_found_and_explained(word, found, meant):
    assert round_trip_damage_of(garbled(word)) == (found, meant)


def round_trip_damage_of(text: str):
    return upkeep.round_trip_damage(text)


@pytest.mark.parametrize("text", ["Pomoč na domu", "Krožna cesta 5, 6000 Koper – Capodistria", "città di Capodistria",
                                  "ČŠŽ čšž ĆĐ ćđ àèìòù ÀÈ «»", "Šmarje pri Kopru", "Gažon 39, 6274 Šmarje"])
def test_genuine_slovene_and_italian_text_is_not_taken_for_damage(text):
    assert upkeep.round_trip_damage(text) is None


def test_a_round_tripped_file_is_refused_with_rows_fields_and_advice(data_dir):
    table = current(data_dir)
    table.loc[0, "name_sl"] = garbled(table.loc[0, "name_sl"] + " pomoč")
    table.loc[3, "address"] = "KroĹľna cesta 5, 6000 Koper"
    preview = upkeep.preview_import("services.csv", as_csv(table, sep=";"), data_dir)
    damaged = [(p.row, p.field) for p in preview.problems if "round trip" in p.message]
    assert damaged == [(2, "name_sl"), (5, "address")]
    assert "'Ĺľ' should read 'ž'" in next(p.message for p in preview.problems if p.field == "address")
    assert preview.advice == (checking.ADVICE_ROUND_TRIP,)
    for lang in i18n.LANGUAGES:
        assert "65001" in i18n.t("upkeep.advice.round_trip", lang)


def test_the_whole_shipped_file_round_tripped_is_refused_everywhere_it_has_letters(data_dir):
    content = SHIPPED.decode("utf-8").encode("utf-8").decode("cp1250", errors="replace").encode("utf-8")
    preview = upkeep.preview_import("services.csv", content, data_dir)
    assert not preview.ok and checking.ADVICE_ROUND_TRIP in preview.advice
    assert len({p.row for p in preview.problems if "round trip" in p.message}) >= 30


def test_lost_italian_letters_get_their_advice_too(data_dir):
    table = current(data_dir)
    content = table.to_csv(index=False, sep=";").encode("cp1250", errors="replace")
    preview = upkeep.preview_import("services.csv", content, data_dir)
    assert preview.advice == (checking.ADVICE_LOST_LETTERS,)


# ------------------------------------------------------------------------------------------------
# The staff download: Excel on a Slovene Windows, formulas neutralised, reads back exactly


def test_the_download_opens_in_slovene_excel_and_reads_back_unchanged(data_dir):
    content = upkeep.directory_csv(data_dir)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel does not guess Windows-1250
    header = content.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.split(";")[:3] == ["id", "name_sl", "name_it"]  # Slovene Excel's list separator
    assert "Šmarje" in content.decode("utf-8-sig") and "città" in content.decode("utf-8-sig")
    text = content.decode("utf-8-sig")
    assert "'+386" in text  # phones are text, not formulas or numbers
    back = upkeep.preview_import("services.csv", content, data_dir)
    assert back.ok and back.diff.is_empty, back.problems


def test_hostile_values_in_every_text_field_download_inert_and_read_back(data_dir):
    table = current(data_dir)
    payloads = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1", "\r=1"]
    text_fields = [f.name for f in upkeep.checking.model.FIELDS if f.kind == "text" and f.name not in ("address",)]
    for i, field in enumerate(text_fields):
        table[field] = payloads[i % len(payloads)] + " " + field
    (data_dir / settings.SERVICES_FILE).write_bytes(as_csv(table))
    content = upkeep.directory_csv(data_dir)
    cells = pd.read_csv(io.BytesIO(content), sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert not [v for v in cells.to_numpy().ravel() if v[:1] in FORMULA_START]
    upload = upkeep.read_upload("services.csv", content)
    for field in text_fields:
        assert list(upload.frame[field]) == list(table[field]), field

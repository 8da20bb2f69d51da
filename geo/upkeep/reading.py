"""Reading an uploaded directory: .csv (UTF-8 or Windows-1250, ``,`` or ``;``) or .xlsx, bounded early.

The work one upload may cost is bounded before it is spent: bytes, rows, columns, cells and
seconds (``settings.UPKEEP_MAX_*``), so a hostile spreadsheet (1,500 columns × 2,000 rows, 100 kB
zipped) is refused at its first row instead of costing a minute of CPU every page shares.
Refusals are :class:`geo.errors.UploadRefused` with a text key for the staff member's language.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo import safe, settings
from geo.errors import DataValidationError, KoperMapError, Problem, UploadRefused

#: Encodings an uploaded CSV may be in, tried in this order, with the name shown to staff.
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark (Excel's \"CSV UTF-8\")",
    "cp1250": "Windows-1250 (Excel's plain \"CSV\" on a Slovene Windows)",
}
#: Encoding recorded for an Excel workbook, which has no text encoding of its own.
XLSX = "xlsx"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
_SEP_LINE = re.compile(r"^sep=([,;])\r?\n", re.IGNORECASE)
_UNREADABLE_XLSX = "cannot be opened as an Excel workbook (.xlsx); save it again from Excel"


@dataclass
class WorkBudget:
    """Seconds of work one upload may cost (``settings.UPKEEP_MAX_PARSE_SECONDS``); ``check`` refuses once spent."""

    file: str
    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def check(self) -> None:
        """Raise UploadRefused (key ``upkeep.refused.too_slow``) when the budget is spent."""
        if self.clock() - self.started > self.seconds:
            raise UploadRefused(
                f"{self.file}: reading and checking this file takes more than {self.seconds:g} s, the limit for one "
                "upload (settings.UPKEEP_MAX_PARSE_SECONDS); check that this is the services table",
                "upkeep.refused.too_slow", file=self.file, seconds=f"{self.seconds:g}",
            )


@dataclass(frozen=True)
class Upload:
    """A table read from an uploaded file: every cell a string, one record per spreadsheet row.

    Record ``i`` of ``frame`` is spreadsheet row ``i + 2`` (the header is row 1), the numbering
    ``model.validate_services`` uses. Cells are as the file holds them, except that a spreadsheet
    guard apostrophe (``'+386…``, written by the staff download) is removed.
    """

    file: str
    frame: pd.DataFrame
    #: "utf-8", "utf-8-sig", "cp1250" or "xlsx".
    encoding: str
    #: "," or ";" for a CSV, "" for a workbook.
    delimiter: str
    #: What is left of the upload's work budget, for the checks that follow.
    budget: WorkBudget | None = field(default=None, compare=False, repr=False)

    @property
    def encoding_label(self) -> str:
        """The encoding as staff would name it."""
        return ENCODINGS.get(self.encoding, "Excel workbook (.xlsx)")


def display_name(name: str) -> str:
    """The file's own name without folders, shortened; it is only shown, never used as a path."""
    base = re.split(r"[\\/]", str(name or ""))[-1].strip() or "upload"
    return base if len(base) <= 80 else base[:77] + "..."


def megabytes(size: int) -> str:
    """A size for people: MB from one million bytes, kB below."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} kB" if size >= 1000 else f"{size} bytes"


def read_upload(
    name: str,
    content: bytes,
    *,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> Upload:
    """Read an uploaded .csv or .xlsx into a table of strings.

    Raises UploadRefused (a DataFileError) when the file breaks a limit (type, size, rows, columns,
    cells, seconds) or cannot be read at all, and DataValidationError naming rows when its
    structure is broken (field counts, header). Column names and cell values are checked later,
    by ``checking.validate_upload``.
    """
    file = display_name(name)
    max_bytes = settings.UPKEEP_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_rows = settings.UPKEEP_MAX_ROWS if max_rows is None else max_rows
    budget = WorkBudget(file, settings.UPKEEP_MAX_PARSE_SECONDS)
    extension = Path(file).suffix.lower()
    allowed = ", ".join(settings.UPKEEP_ALLOWED_EXTENSIONS)
    if extension not in settings.UPKEEP_ALLOWED_EXTENSIONS:
        shown = f"'{extension}'" if extension else "no extension"
        raise UploadRefused(
            f"{file}: files with {shown} are not accepted; upload one of {allowed} "
            "(in Excel: File → Save As → \"CSV UTF-8\" or \"Excel Workbook\")",
            "upkeep.refused.extension", file=file, allowed=allowed,
        )
    if not isinstance(content, (bytes, bytearray)):
        raise UploadRefused(f"{file}: the upload has no content", "upkeep.refused.empty", file=file)
    content = bytes(content)
    if len(content) > max_bytes:
        raise UploadRefused(
            f"{file}: {megabytes(len(content))} is more than the limit of {megabytes(max_bytes)} "
            "for one upload (settings.UPKEEP_MAX_UPLOAD_BYTES); the directory itself is far smaller, "
            "so check that this is the right file",
            "upkeep.refused.too_big", file=file, size=megabytes(len(content)), limit=megabytes(max_bytes),
        )
    if not content.strip():
        raise UploadRefused(f"{file}: the file is empty", "upkeep.refused.empty", file=file)
    limits = _Limits(file, max_rows, budget)
    if extension == ".xlsx":
        records, encoding, delimiter = _xlsx_records(file, content, limits), XLSX, ""
    else:
        records, encoding, delimiter = _csv_records(file, content, limits)
    frame = _table(file, records, pad_short_rows=extension == ".xlsx")
    return Upload(file, frame, encoding, delimiter, budget)


@dataclass
class _Limits:
    """Rows, columns, cells and seconds, checked as records stream in."""

    file: str
    max_rows: int
    budget: WorkBudget
    cells: int = 0

    def record(self, row: int, fields: list[str], *, trim: bool = False) -> list[str]:
        """Check one record; trailing empty cells do not count. Returns it, without them if ``trim``.

        A workbook may pad every row to the sheet's width (``trim``); in a CSV an empty cell at the
        end of a row still counts for the row's field count, so it stays.
        """
        width = len(fields)
        while width and not str(fields[width - 1]).strip():
            width -= 1
        if row - 1 > self.max_rows:
            raise UploadRefused(
                f"{self.file}: more than {self.max_rows} data rows, the limit for one upload (settings.UPKEEP_MAX_ROWS); "
                "check that this is the services table",
                "upkeep.refused.too_many_rows", file=self.file, limit=self.max_rows,
            )
        if width > settings.UPKEEP_MAX_COLUMNS:
            raise UploadRefused(
                f"{self.file}: row {row} has {width} columns, more than the limit of {settings.UPKEEP_MAX_COLUMNS} "
                "(settings.UPKEEP_MAX_COLUMNS); the directory has 39 columns, so check that this is the services table",
                "upkeep.refused.too_many_columns", file=self.file, row=row, n=width, limit=settings.UPKEEP_MAX_COLUMNS,
            )
        self.cells += width
        if self.cells > settings.UPKEEP_MAX_CELLS:
            raise UploadRefused(
                f"{self.file}: more than {settings.UPKEEP_MAX_CELLS} cells by row {row}, the limit for one upload "
                "(settings.UPKEEP_MAX_CELLS); check that this is the services table",
                "upkeep.refused.too_many_cells", file=self.file, row=row, limit=settings.UPKEEP_MAX_CELLS,
            )
        if row % 100 == 0:
            self.budget.check()
        return list(fields[:width]) if trim else fields


def _decode(file: str, content: bytes) -> tuple[str, str]:
    """Text and encoding: strict UTF-8 (with or without BOM) first, then Windows-1250."""
    if content.startswith(_ZIP_MAGIC):
        raise UploadRefused(f"{file}: this is an Excel workbook, not a CSV file; give it the extension .xlsx",
                            "upkeep.refused.is_xlsx", file=file)
    if content.startswith(_OLE_MAGIC):
        raise UploadRefused(
            f"{file}: this is an old binary Excel file (.xls); save it as \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\"",
            "upkeep.refused.is_xls", file=file,
        )
    if b"\x00" in content:
        raise UploadRefused(
            f"{file}: the file contains NUL bytes, so it is not a text CSV file (UTF-16 or a binary file?); "
            "save it from Excel as \"CSV UTF-8\"",
            "upkeep.refused.binary", file=file,
        )
    encoding = "utf-8-sig" if content.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return content.decode(encoding), encoding
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1250 leaves five byte values undefined; anything else decodes, so no guessing beyond this.
        return content.decode("cp1250"), "cp1250"
    except UnicodeDecodeError as exc:
        raise UploadRefused(
            f"{file}: the text is neither UTF-8 nor Windows-1250 (byte {exc.start}); save it from Excel as \"CSV UTF-8\"",
            "upkeep.refused.encoding", file=file,
        ) from None


def _delimiter(text: str) -> tuple[str, str]:
    """The separator and the text to parse.

    A first line ``sep=;`` (which Excel reads and does not show) decides; otherwise ``;`` when the
    header has more semicolons than commas (Slovene Excel), else ``,``.
    """
    hint = _SEP_LINE.match(text)
    if hint:
        return hint.group(1), text[hint.end():]
    header = text.split("\n", 1)[0]
    return (";" if header.count(";") > header.count(",") else ","), text


def _csv_records(file: str, content: bytes, limits: _Limits) -> tuple[Iterator[tuple[int, list[str]]], str, str]:
    text, encoding = _decode(file, content)
    delimiter, text = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def records() -> Iterator[tuple[int, list[str]]]:
        row = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # One spreadsheet row per record: a quoted cell may span several lines of the file.
                raise DataValidationError(
                    [Problem.said(file, row + 1, None, None, "problem.csv_quotes", detail=str(exc))]
                ) from None
            row += 1
            yield row, limits.record(row, fields)

    return records(), encoding, delimiter


def _xlsx_records(file: str, content: bytes, limits: _Limits) -> Iterator[tuple[int, list[str]]]:
    """Rows of the first worksheet as strings, streamed and bounded."""
    import openpyxl  # only the upkeep page needs it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise UploadRefused(f"{file}: {_UNREADABLE_XLSX}", "upkeep.refused.not_workbook", file=file) from None
    if unzipped > settings.UPKEEP_MAX_UNZIPPED_BYTES:
        raise UploadRefused(
            f"{file}: the workbook unpacks to {megabytes(unzipped)}, more than the limit of "
            f"{megabytes(settings.UPKEEP_MAX_UNZIPPED_BYTES)} (settings.UPKEEP_MAX_UNZIPPED_BYTES)",
            "upkeep.refused.unzipped", file=file, size=megabytes(unzipped),
            limit=megabytes(settings.UPKEEP_MAX_UNZIPPED_BYTES),
        )
    # openpyxl reads a whole sheet without a <dimension> before the first row (87 s for 3 million
    # cells): count the cells in the XML first, at C speed, and refuse a sheet that holds too many.
    cells = _sheet_cells(content)
    if cells > settings.UPKEEP_MAX_CELLS:
        raise UploadRefused(
            f"{file}: the worksheet has {cells} cells, more than the limit of {settings.UPKEEP_MAX_CELLS} for one "
            "upload (settings.UPKEEP_MAX_CELLS); check that this is the services table",
            "upkeep.refused.workbook_cells", file=file, n=cells, limit=settings.UPKEEP_MAX_CELLS,
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types on a broken file; all mean "unreadable"
        raise UploadRefused(f"{file}: {_UNREADABLE_XLSX}", "upkeep.refused.not_workbook", file=file) from None
    rows: list[tuple[int, list[str]]] = []
    try:
        if not workbook.worksheets:
            raise UploadRefused(f"{file}: the workbook has no worksheet", "upkeep.refused.no_sheet", file=file)
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            rows.append((number, limits.record(number, [_xlsx_text(v) for v in values], trim=True)))
    except KoperMapError:
        raise
    except Exception:  # noqa: BLE001 - a malformed sheet fails while streaming rows
        raise UploadRefused(f"{file}: the first worksheet cannot be read; save the workbook again from Excel",
                            "upkeep.refused.sheet_unreadable", file=file) from None
    finally:
        workbook.close()
    return iter(rows)


_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _sheet_cells(content: bytes) -> int:
    """Cell elements in the largest worksheet of an .xlsx (its XML streamed in 1 MB pieces; 0 if unreadable)."""
    most = 0
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                count, rest = 0, b""
                with archive.open(info) as stream:
                    while chunk := stream.read(1_000_000):
                        rest += chunk
                        cut = rest.rfind(b"<")  # no tag spans a cut just before a '<'
                        if cut > 0:
                            count += len(_CELL_TAG.findall(rest, 0, cut))
                            rest = rest[cut:]
                count += len(_CELL_TAG.findall(rest))
                most = max(most, count)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError):
        return 0  # openpyxl then says the workbook is unreadable
    return most


def _xlsx_text(value: object) -> str:
    """A cell as the text the CSV would hold: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(file: str, records: Iterable[tuple[int, list[str]]], *, pad_short_rows: bool = False) -> pd.DataFrame:
    """Header and rows to a DataFrame; structural problems (field counts, header) raise together.

    ``pad_short_rows`` fills missing cells at the end of a row with "" (a workbook may store rows
    without their empty tail; in a CSV a short row means a misplaced separator or line break).
    """
    records = iter(records)
    header: list[str] | None = None
    for _row, fields in records:
        header = [str(f).replace("\ufeff", "").strip() for f in fields]
        break
    if not header or not any(header):
        raise DataValidationError([Problem.said(file, 1, None, None, "problem.no_header")])
    body = list(records)
    # Excel keeps formatted but empty columns to the right: drop them when they hold nothing.
    width = len(header)
    while width and not header[width - 1] and all(len(f) < width or not f[width - 1].strip() for _r, f in body):
        width -= 1
    header = header[:width]
    problems: list[Problem] = []
    first_column: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(Problem.said(file, 1, None, None, "problem.column_unnamed", position=position))
        elif name in first_column:
            problems.append(
                Problem.said(file, 1, name, None, "problem.column_twice", first=first_column[name], position=position)
            )
        else:
            first_column[name] = position
    # Blank rows at the end are harmless; in the middle they would shift every row number after them.
    while body and not any(f.strip() for f in body[-1][1]):
        body.pop()
    rows = []
    for row, fields in body:
        fields = [str(f) for f in fields]
        if not any(f.strip() for f in fields):
            problems.append(Problem(file, row, None, None, "is an empty row; delete it"))
            continue
        if len(fields) > width and not any(f.strip() for f in fields[width:]):
            fields = fields[:width]
        if pad_short_rows and len(fields) < width:
            fields = fields + [""] * (width - len(fields))
        if len(fields) != width:
            problems.append(
                Problem(
                    file, row, None, None,
                    f"has {len(fields)} cells but the header has {width}; a cell holding the separator "
                    "must be in double quotes",
                )
            )
            continue
        # The staff download guards cells such as '+386… with an apostrophe; a round trip removes it.
        rows.append([safe.from_spreadsheet_cell(f) for f in fields])
    if problems:
        raise DataValidationError(problems)
    return pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)

"""Upkeep of the directory by staff: read an updated table, check it, compare, locate, save safely.

The staff page calls these functions; nothing here imports Streamlit. The usual sequence is
``read_upload`` → ``validate_upload`` → ``diff`` and ``addresses_to_geocode`` → ``geocode_addresses``
→ ``save_directory`` (``preview_import`` does the first four in one call). Every file is replaced
atomically (``geo.atomic``) and the version it replaces is kept as a dated copy in
``<data dir>/backups/``. Problems use the spreadsheet's row numbers (the header is row 1), as
``geo.model`` does.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import os
import re
import threading
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import areas, atomic, geocode, load, model, settings
from geo.errors import DataFileError, DataValidationError, KoperMapError, Problem

#: Encodings an uploaded CSV may be in, tried in this order, with the name shown to staff.
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark (Excel's \"CSV UTF-8\")",
    "cp1250": "Windows-1250 (Excel's plain \"CSV\" on a Slovene Windows)",
}
#: Encoding recorded for an Excel workbook, which has no text encoding of its own.
XLSX = "xlsx"
#: Location types drawn as points; they are the ones whose addresses need coordinates.
PLACED_TYPES = model.PLACED_TYPES

_FIELDS = {f.name: f for f in model.FIELDS}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Windows-1250 has no à, è, ì, ò, ù: Excel writes '?' for them ("citt? di", "caf?bar"). A '?' inside
# a word, or before a lower-case word (a real question mark ends a sentence), is taken as one.
_LOST_LETTER = re.compile(r"[^\W\d_]\?(?:[^\W\d_]| [^\W\d_A-ZČŠŽĆĐ])")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
# One read-modify-write at a time within the process: two staff saving at once must neither
# interleave a backup nor lose one another's change (re-entrant: mark_verified calls save_directory).
_save_lock = threading.RLock()


class UpkeepDisabled(KoperMapError):
    """Upkeep is switched off for this deployment (``KOPER_MAP_UPKEEP``)."""


def require_enabled() -> None:
    """Raise UpkeepDisabled unless upkeep is switched on; every writer here calls it."""
    if not settings.upkeep_enabled():
        raise UpkeepDisabled(
            f"Editing the directory is switched off on this server ({settings.UPKEEP_ENV}="
            f"{os.environ.get(settings.UPKEEP_ENV, '')!r}); unset it or set it to 1 to switch it on."
        )


# ---------------------------------------------------------------------------------------------
# Reading an upload


@dataclass(frozen=True)
class Upload:
    """A table read from an uploaded file: every cell a string, one record per spreadsheet row.

    Record ``i`` of ``frame`` is spreadsheet row ``i + 2`` (the header is row 1), the numbering
    ``model.validate_services`` uses.
    """

    file: str
    frame: pd.DataFrame
    #: "utf-8", "utf-8-sig", "cp1250" or "xlsx".
    encoding: str
    #: "," or ";" for a CSV, "" for a workbook.
    delimiter: str

    @property
    def encoding_label(self) -> str:
        """The encoding as staff would name it."""
        return ENCODINGS.get(self.encoding, "Excel workbook (.xlsx)")


def _display_name(name: str) -> str:
    """The file's own name without folders, shortened; it is only shown, never used as a path."""
    base = re.split(r"[\\/]", str(name or ""))[-1].strip() or "upload"
    return base if len(base) <= 80 else base[:77] + "..."


def _megabytes(size: int) -> str:
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
    """Read an uploaded .csv (UTF-8 or Windows-1250, ``,`` or ``;``) or .xlsx into a table of strings.

    Raises DataFileError when the file breaks a limit (type, size, rows) or cannot be read at all,
    and DataValidationError naming rows when its structure is broken (field counts, header).
    Column names and cell values are checked later, by ``validate_upload``.
    """
    file = _display_name(name)
    max_bytes = settings.UPKEEP_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_rows = settings.UPKEEP_MAX_ROWS if max_rows is None else max_rows
    extension = Path(file).suffix.lower()
    allowed = settings.UPKEEP_ALLOWED_EXTENSIONS
    if extension not in allowed:
        shown = f"'{extension}'" if extension else "no extension"
        raise DataFileError(
            f"{file}: files with {shown} are not accepted; upload one of {', '.join(allowed)} "
            "(in Excel: File → Save As → \"CSV UTF-8\" or \"Excel Workbook\")"
        )
    if not isinstance(content, (bytes, bytearray)):
        raise DataFileError(f"{file}: the upload has no content")
    content = bytes(content)
    if len(content) > max_bytes:
        raise DataFileError(
            f"{file}: {_megabytes(len(content))} is more than the limit of {_megabytes(max_bytes)} "
            "for one upload (settings.UPKEEP_MAX_UPLOAD_BYTES); the directory itself is far smaller, "
            "so check that this is the right file"
        )
    if not content.strip():
        raise DataFileError(f"{file}: the file is empty")
    if extension == ".xlsx":
        records, encoding, delimiter = _xlsx_records(file, content, max_rows), XLSX, ""
    else:
        records, encoding, delimiter = _csv_records(file, content, max_rows)
    return Upload(file, _table(file, records, pad_short_rows=extension == ".xlsx"), encoding, delimiter)


def _decode(file: str, content: bytes) -> tuple[str, str]:
    """Text and encoding: strict UTF-8 (with or without BOM) first, then Windows-1250."""
    if content.startswith(_ZIP_MAGIC):
        raise DataFileError(f"{file}: this is an Excel workbook, not a CSV file; give it the extension .xlsx")
    if content.startswith(_OLE_MAGIC):
        raise DataFileError(
            f"{file}: this is an old binary Excel file (.xls); save it as \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\""
        )
    if b"\x00" in content:
        raise DataFileError(
            f"{file}: the file contains NUL bytes, so it is not a text CSV file (UTF-16 or a binary file?); "
            "save it from Excel as \"CSV UTF-8\""
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
        raise DataFileError(
            f"{file}: the text is neither UTF-8 nor Windows-1250 (byte {exc.start}); save it from Excel as \"CSV UTF-8\""
        ) from None


_SEP_LINE = re.compile(r"^sep=([,;])\r?\n", re.IGNORECASE)


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


def _csv_records(file: str, content: bytes, max_rows: int) -> tuple[Iterator[tuple[int, list[str]]], str, str]:
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
                    [Problem(file, row + 1, None, None, f"cannot be read as CSV ({exc}); check the double quotes")]
                ) from None
            row += 1
            _check_row_limit(file, row, max_rows)
            yield row, fields

    return records(), encoding, delimiter


def _check_row_limit(file: str, row: int, max_rows: int) -> None:
    if row - 1 > max_rows:
        raise DataFileError(
            f"{file}: more than {max_rows} data rows, the limit for one upload (settings.UPKEEP_MAX_ROWS); "
            "check that this is the services table"
        )


def _xlsx_records(file: str, content: bytes, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    """Rows of the first worksheet as strings."""
    import openpyxl  # only the upkeep page needs it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise DataFileError(f"{file}: cannot be opened as an Excel workbook (.xlsx); save it again from Excel") from None
    if unzipped > settings.UPKEEP_MAX_UNZIPPED_BYTES:
        raise DataFileError(
            f"{file}: the workbook unpacks to {_megabytes(unzipped)}, more than the limit of "
            f"{_megabytes(settings.UPKEEP_MAX_UNZIPPED_BYTES)} (settings.UPKEEP_MAX_UNZIPPED_BYTES)"
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types on a broken file; all mean "unreadable"
        raise DataFileError(f"{file}: cannot be opened as an Excel workbook (.xlsx); save it again from Excel") from None
    rows: list[tuple[int, list[str]]] = []
    try:
        if not workbook.worksheets:
            raise DataFileError(f"{file}: the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            _check_row_limit(file, number, max_rows)
            rows.append((number, [_xlsx_text(v) for v in values]))
    except KoperMapError:
        raise
    except Exception:  # noqa: BLE001 - a malformed sheet fails while streaming rows
        raise DataFileError(f"{file}: the first worksheet cannot be read; save the workbook again from Excel") from None
    finally:
        workbook.close()
    return iter(rows)


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
        raise DataValidationError([Problem(file, 1, None, None, "has no header; the first row must name the columns")])
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
            problems.append(Problem(file, 1, None, None, f"column {position} has no name; name it or delete it"))
        elif name in first_column:
            problems.append(
                Problem(file, 1, name, None, f"column appears twice (columns {first_column[name]} and {position}); keep one")
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
        rows.append(fields)
    if problems:
        raise DataValidationError(problems)
    return pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)


# ---------------------------------------------------------------------------------------------
# Validation


def validate_upload(upload: Upload) -> list[Problem]:
    """Every problem of the uploaded table: the schema (``model.validate_services``) and the cell limits."""
    frame = upload.frame
    problems = model.validate_services(frame, file=upload.file)
    limit = settings.UPKEEP_MAX_CELL_CHARS
    for column in frame.columns:
        for index, value in enumerate(frame[column]):
            text = str(value)
            row = index + 2
            if len(text) > limit:
                problems.append(
                    Problem(upload.file, row, str(column), text[:40] + "...",
                            f"is {len(text)} characters long; the limit is {limit} (settings.UPKEEP_MAX_CELL_CHARS)")
                )
            elif _CONTROL_CHARS.search(text):
                char = _CONTROL_CHARS.search(text).group()
                problems.append(
                    Problem(upload.file, row, str(column), None,
                            f"contains an invisible control character (U+{ord(char):04X}); retype the cell")
                )
            elif upload.encoding == "cp1250" and _LOST_LETTER.search(text):
                hit = _LOST_LETTER.search(text)
                problems.append(
                    Problem(upload.file, row, str(column), "..." + text[max(0, hit.start() - 25):hit.end() + 25] + "...",
                            "has a '?' inside a word: the file is in Windows-1250, which cannot hold à, è, ì, ò, ù, "
                            "so Excel replaced them; save it as \"CSV UTF-8\" and upload again")
                )
    return sorted(problems, key=lambda p: (p.row or 0, p.field or ""))


def records_with_problems(frame: pd.DataFrame, file: str = settings.SERVICES_FILE) -> pd.DataFrame:
    """One line per problem of a raw services table: row, id, field, value, message."""
    ids = [str(v) for v in frame["id"]] if "id" in frame.columns else []
    lines = [
        {
            "row": p.row,
            "id": ids[p.row - 2] if p.row is not None and 2 <= p.row < len(ids) + 2 else "",
            "field": p.field or "",
            "value": "" if p.value is None else str(p.value),
            "message": p.message,
        }
        for p in model.validate_services(frame, file=file)
    ]
    return pd.DataFrame(lines, columns=["row", "id", "field", "value", "message"])


# ---------------------------------------------------------------------------------------------
# Comparing two versions of the table


@dataclass(frozen=True)
class FieldChange:
    """One field of one record that differs; values as written (outer whitespace trimmed)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RecordChange:
    """A record present in both versions, with the fields that differ."""

    id: str
    changes: tuple[FieldChange, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.changes)


@dataclass(frozen=True)
class Diff:
    """What an import would change, by record id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[RecordChange, ...]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _cell(value: object) -> str:
    """A cell of a raw or typed table as text (lists joined with ';', NaN as '')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return model.LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def comparable(field: str, value: object) -> object:
    """The value of a field as compared: formatting that a spreadsheet may change is ignored.

    Whitespace runs, phone formatting (``05 663 45 50`` = ``+38656634550``), spaces around ``;``,
    e-mail case, true/TRUE/da and date spelling do not count as changes.
    """
    return _comparable_text(field, " ".join(_cell(value).split()))


@functools.lru_cache(maxsize=65536)
def _comparable_text(field: str, text: str) -> object:
    kind = _FIELDS[field].kind if field in _FIELDS else "text"
    if kind == "phones":
        numbers = []
        for item in model.split_list(text):
            try:
                numbers.append(model.normalise_phone(item))
            except ValueError:
                numbers.append(item)
        return tuple(numbers)
    if kind == "emails":
        return tuple(item.lower() for item in model.split_list(text))
    if kind == "enum_list":
        return tuple(model.split_list(text))
    if kind == "bool":
        try:
            return model.parse_bool(text)
        except ValueError:
            return text
    if kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return text
    if kind == "lines":
        return text.replace(" ", "")
    return text


def _by_id(frame: pd.DataFrame, which: str) -> dict[str, dict]:
    if "id" not in frame.columns:
        raise DataValidationError([Problem(which, 1, "id", None, "column is missing from the header")])
    records: dict[str, dict] = {}
    problems = []
    for index, record in enumerate(frame.to_dict("records")):
        record_id = _cell(record.get("id")).strip()
        if not record_id or record_id in records:
            what = "is empty" if not record_id else "is a duplicate"
            problems.append(Problem(which, index + 2, "id", record_id, f"{what}; every record needs its own id to compare"))
            continue
        records[record_id] = record
    if problems:
        raise DataValidationError(problems)
    return records


def diff(current: pd.DataFrame, new: pd.DataFrame) -> Diff:
    """Added, removed and changed records (field by field) between two versions of the table.

    Records are matched by ``id``, so reordering rows is not a change. Raises DataValidationError
    when an id is empty or repeated (validate first).
    """
    old_records = _by_id(current, "current table")
    new_records = _by_id(new, "new table")
    fields = [f for f in model.FIELD_NAMES if f in current.columns or f in new.columns]
    changed = []
    for record_id in (i for i in new_records if i in old_records):
        old, fresh = old_records[record_id], new_records[record_id]
        changes = tuple(
            FieldChange(name, _cell(old.get(name)).strip(), _cell(fresh.get(name)).strip())
            for name in fields
            if comparable(name, old.get(name)) != comparable(name, fresh.get(name))
        )
        if changes:
            changed.append(RecordChange(record_id, changes))
    both = sum(1 for i in new_records if i in old_records)
    return Diff(
        added=tuple(i for i in new_records if i not in old_records),
        removed=tuple(i for i in old_records if i not in new_records),
        changed=tuple(changed),
        unchanged=both - len(changed),
    )


# ---------------------------------------------------------------------------------------------
# Locating new and changed addresses


def addresses_to_geocode(current: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Addresses of site and office records that are new, or whose address or type changed; each once."""
    old_records = {_cell(r.get("id")).strip(): r for r in current.to_dict("records")} if "id" in current.columns else {}
    wanted: dict[str, str] = {}
    for record in new.to_dict("records"):
        if _cell(record.get("location_type")).strip() not in PLACED_TYPES:
            continue
        address = " ".join(_cell(record.get("address")).split())
        if not address:
            continue
        old = old_records.get(_cell(record.get("id")).strip())
        unchanged = (
            old is not None
            and _cell(old.get("location_type")).strip() in PLACED_TYPES
            and comparable("address", old.get("address")) == comparable("address", address)
        )
        if not unchanged:
            wanted.setdefault(geocode.fold(address), address)
    return list(wanted.values())


@dataclass(frozen=True)
class AddressLocation:
    """Where an address would be placed, how exactly, and what staff should know about it."""

    address: str
    lat: float | None
    lon: float | None
    precision: str
    source: str
    label: str
    note: str
    accuracy_m: int | None
    area_id: str

    @property
    def found(self) -> bool:
        return self.lat is not None

    @property
    def approximate(self) -> bool:
        """True when the point is not at the building (see ``is_approximate``)."""
        return not self.found or is_approximate(self.precision, self.accuracy_m)


def is_approximate(precision: str, accuracy_m: object = None) -> bool:
    """Settlement- or street-level points, and hand-placed points with a wide error radius."""
    if precision in ("settlement", "street"):
        return True
    if precision == "manual":
        try:
            radius = float(accuracy_m)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return math.isfinite(radius) and radius > settings.APPROXIMATE_ACCURACY_M
    return precision not in geocode.PRECISIONS


def geocode_addresses(
    addresses: Iterable[str],
    *,
    online: bool,
    store: bool = True,
    data_dir: Path | str | None = None,
    geocoder: object = None,
    today: dt.date | str | None = None,
) -> list[AddressLocation]:
    """Locate provider addresses: hand-placed points, then the cache, then Nominatim if ``online``, then the register.

    Online failures never raise: the register answers, and the note says why. With ``store``,
    online answers are kept in the geocode cache (these are providers' addresses, not citizens').
    """
    sources = geocode.load_sources(data_dir)
    try:
        area_index = areas.area_index(areas.load_boundaries(_folder(data_dir)))
    except KoperMapError:
        area_index = None  # no boundaries to check against; the points themselves are still shown
    located = []
    for address in addresses:
        result = geocode.geocode(
            address, online=online, store=store, data_dir=data_dir, geocoder=geocoder, today=today, sources=sources
        )
        if result is None:
            located.append(
                AddressLocation(address, None, None, "", "", "", "Not found in the hand-placed points, the cache or the "
                                "register; check the spelling or place it by hand.", None, "")
            )
            continue
        note = result.note
        if area_index is None:
            area_id = ""
        else:
            area_id = areas.area_of_point(result.lat, result.lon, area_index) or ""
            if not area_id:
                note = " ".join(filter(None, [note, "The point is outside Koper and Ankaran; check the address."]))
        located.append(
            AddressLocation(address, result.lat, result.lon, result.precision, result.source, result.label, note,
                            result.accuracy_m, area_id)
        )
    return located


# ---------------------------------------------------------------------------------------------
# A whole import, previewed


@dataclass(frozen=True)
class ImportPreview:
    """An upload with its problems, what it would change, and the addresses that need placing."""

    upload: Upload
    problems: tuple[Problem, ...]
    diff: Diff | None
    addresses: tuple[str, ...]
    #: Why the current table could not be read (the import then replaces it whole).
    current_error: KoperMapError | None = None

    @property
    def ok(self) -> bool:
        """True when the upload can be saved."""
        return not self.problems


def preview_import(name: str, content: bytes, data_dir: Path | str | None = None) -> ImportPreview:
    """Read and check an upload and compare it with the current table; writes nothing.

    Raises what ``read_upload`` raises when the file cannot be read as a table at all.
    """
    upload = read_upload(name, content)
    problems = tuple(validate_upload(upload))
    current, current_error = _current_table(data_dir)
    try:
        changes = diff(current, upload.frame)
    except DataValidationError:
        changes = None  # ids missing or repeated: already among the problems
    return ImportPreview(upload, problems, changes, tuple(addresses_to_geocode(current, upload.frame)), current_error)


def _current_table(data_dir: Path | str | None) -> tuple[pd.DataFrame, KoperMapError | None]:
    """The raw current table, or an empty one and the error when it cannot be read."""
    path = load.services_path(_folder(data_dir))
    try:
        return load.read_csv_text(path), None
    except KoperMapError as error:
        return pd.DataFrame(columns=list(model.FIELD_NAMES), dtype=str), error


# ---------------------------------------------------------------------------------------------
# Saving


@dataclass(frozen=True)
class SaveResult:
    """Where the table went, and the copy of the version it replaced (None if nothing was replaced)."""

    path: Path
    backup: Path | None
    changed: bool


def _folder(data_dir: Path | str | None) -> Path:
    return Path(data_dir) if data_dir is not None else settings.data_dir()


def backup_dir(data_dir: Path | str | None = None) -> Path:
    """The folder of dated copies: ``<data dir>/backups``."""
    return _folder(data_dir) / settings.BACKUP_DIR_NAME


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now()


def _keep_backup(path: Path, data_dir: Path | str | None, now: dt.datetime) -> Path | None:
    """Copy the current ``path`` to ``backups/<stem>-YYYY-MM-DD-HHMMSS<suffix>``; None if it does not exist."""
    if not path.is_file():
        return None
    folder = backup_dir(data_dir)
    stamp = now.strftime("%Y-%m-%d-%H%M%S")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    counter = 2
    while target.exists():  # two saves within one second
        target = folder / f"{path.stem}-{stamp}-{counter}{path.suffix}"
        counter += 1
    return atomic.write_bytes(target, path.read_bytes())


def _csv_bytes(frame: pd.DataFrame, columns: Iterable[str]) -> bytes:
    table = frame.reindex(columns=list(columns)).map(_cell).map(str.strip)
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def save_directory(
    frame: pd.DataFrame,
    data_dir: Path | str | None = None,
    *,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Validate the raw table and replace ``services.csv`` atomically, keeping the old file as a dated copy.

    Raises DataValidationError (nothing written) when the table is not valid, and UpkeepDisabled
    when upkeep is switched off. Writing the same content again changes nothing.
    """
    require_enabled()
    path = load.services_path(_folder(data_dir))
    problems = model.validate_services(frame, file=path.name)
    if problems:
        raise DataValidationError(problems)
    data = _csv_bytes(frame, model.FIELD_NAMES)
    with _save_lock:
        if path.is_file() and path.read_bytes() == data:
            return SaveResult(path, None, False)
        backup = _keep_backup(path, data_dir, _now(now))
        atomic.write_bytes(path, data)
    return SaveResult(path, backup, True)


def mark_verified(
    record_ids: str | Iterable[str],
    *,
    data_dir: Path | str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Set ``last_verified`` of the given records to today and save (atomically, with a backup)."""
    require_enabled()
    wanted = [record_ids] if isinstance(record_ids, str) else list(record_ids)
    path = load.services_path(_folder(data_dir))
    with _save_lock:
        table = load.read_csv_text(path)
        known = set(table["id"]) if "id" in table.columns else set()
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise DataValidationError([Problem(path.name, None, "id", i, "no record has this id") for i in unknown])
        day = (today or _now(now).date()).isoformat()
        table.loc[table["id"].isin(wanted), "last_verified"] = day
        return save_directory(table, data_dir, now=now)


def record_manual_location(
    address: str,
    lat: float,
    lon: float,
    *,
    who: str,
    note: str = "",
    accuracy_m: int | None = None,
    data_dir: Path | str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, object]:
    """Write a hand-placed point for ``address`` into ``manual_coordinates.csv``; returns the line written.

    A line for the same address (in any spelling) is replaced. The point must lie in Koper or
    Ankaran; ``who`` and the date are recorded. Atomic, with a dated copy of the old file.
    """
    require_enabled()
    file = settings.MANUAL_COORDINATES_FILE
    problems: list[Problem] = []
    address = " ".join(str(address or "").split())
    who = " ".join(str(who or "").split())
    if not address:
        problems.append(Problem(file, None, "address", "", "is empty; write e.g. 'Krožna cesta 5, 6000 Koper'"))
    if not who:
        problems.append(Problem(file, None, "method", "", "say who placed the point (a name or initials)"))
    accuracy = settings.MANUAL_CORRECTION_ACCURACY_M if accuracy_m is None else accuracy_m
    if not isinstance(accuracy, int) or isinstance(accuracy, bool) or accuracy <= 0:
        problems.append(Problem(file, None, "accuracy_m", accuracy, "must be a positive whole number of metres"))
    point = []
    for axis, value in (("lat", lat), ("lon", lon)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            problems.append(Problem(file, None, axis, value, "is not a number; use a decimal point, e.g. 45.5465"))
        point.append(number)
    area_id = None
    if not problems:
        area_id = areas.area_of_point(point[0], point[1], areas.area_index(areas.load_boundaries(_folder(data_dir))))
        if area_id is None:
            problems.append(
                Problem(file, None, "lat", f"{point[0]}, {point[1]}",
                        "the point is outside the Municipality of Koper and Ankaran; "
                        "check the point, and that latitude and longitude are not swapped")
            )
    if problems:
        raise DataValidationError(problems)
    day = (today or _now(now).date()).isoformat()
    line = {
        "address": address,
        "lat": f"{round(point[0], 6)}",
        "lon": f"{round(point[1], 6)}",
        "area_id": area_id,
        "accuracy_m": str(accuracy),
        "method": f"placed by hand on the upkeep page by {who}",
        "placed_on": day,
        "note": " ".join(str(note or "").split()),
    }
    path = _folder(data_dir) / file
    with _save_lock:
        table = _manual_table(path, data_dir)
        settlements, streets = geocode.load_register(data_dir)
        key = geocode.address_key(address, streets, settlements)
        same = [geocode.address_key(a, streets, settlements) == key for a in table["address"]]
        if any(same):
            position = same.index(True)
            table = table[[not s or i == position for i, s in enumerate(same)]].reset_index(drop=True)
            table.loc[position, list(line)] = list(line.values())
        else:
            table = pd.concat([table, pd.DataFrame([line])], ignore_index=True)
        # Check the whole file as the app will read it before replacing anything.
        geocode.validate_manual_coordinates(table.reindex(columns=list(geocode.MANUAL_COLUMNS)), file)
        data = _csv_bytes(table, table.columns)
        _keep_backup(path, data_dir, _now(now))
        atomic.write_bytes(path, data)
    return dict(line)


def _manual_table(path: Path, data_dir: Path | str | None) -> pd.DataFrame:
    """The raw manual file (text as written), after checking it loads; empty if there is none."""
    if not path.is_file():
        return pd.DataFrame(columns=list(geocode.MANUAL_COLUMNS), dtype=str)
    geocode.load_manual_coordinates(data_dir)  # refuse to edit a file the app cannot read
    return load.read_csv_text(path)


# ---------------------------------------------------------------------------------------------
# Status for the staff page


def approximate_locations(located: pd.DataFrame) -> pd.DataFrame:
    """Placed records (site, office) without a point at the building, from ``directory.with_locations``.

    Columns: id, name_sl, address, location_precision, location_source, location_accuracy_m, reason.
    """
    columns = ["id", "name_sl", "address", "location_precision", "location_source", "location_accuracy_m", "reason"]
    lines = []
    for record in located.to_dict("records"):
        if record.get("location_type") not in PLACED_TYPES:
            continue
        precision = _cell(record.get("location_precision"))
        accuracy = record.get("location_accuracy_m")
        if record.get("lat") is None or _cell(record.get("lat")) == "":
            reason = "no location found"
        elif precision in ("settlement", "street"):
            reason = f"placed at the {precision} only"
        elif is_approximate(precision, accuracy):
            reason = f"placed by hand, error radius {int(float(accuracy))} m"
        else:
            continue
        lines.append({**{c: record.get(c) for c in columns[:-1]}, "reason": reason})
    return pd.DataFrame(lines, columns=columns)


def stale_records(
    services: pd.DataFrame,
    today: dt.date,
    max_age_days: int = settings.VERIFY_MAX_AGE_DAYS,
) -> pd.DataFrame:
    """Records whose ``last_verified`` is more than ``max_age_days`` before ``today`` (or unreadable), oldest first.

    Columns: id, name_sl, last_verified, age_days (None when the date cannot be read).
    """
    lines = []
    for record in services.to_dict("records"):
        text = _cell(record.get("last_verified")).strip()
        try:
            age: int | None = (today - dt.date.fromisoformat(text)).days
        except ValueError:
            age = None
        if age is None or age > max_age_days:
            lines.append({"id": record.get("id"), "name_sl": record.get("name_sl"), "last_verified": text, "age_days": age})
    table = pd.DataFrame(lines, columns=["id", "name_sl", "last_verified", "age_days"])
    order = table["age_days"].map(lambda a: math.inf if a is None or pd.isna(a) else a)
    return table.iloc[order.sort_values(ascending=False, kind="stable").index].reset_index(drop=True)

"""The geocoding data files: hand-placed points, the geocode cache and the register, read and checked.

``manual_coordinates.csv`` (staff's hand-placed points) and ``geocode_cache.csv`` (Nominatim answers
for provider addresses) are validated on reading, every problem reported at once with its file, row
and field; the cache is written atomically. ``settlements.csv`` and ``streets.csv`` are the register.
Every function takes the data directory as an argument; only entry points resolve it.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from geo import atomic, settings
from geo.errors import DataFileError, DataValidationError, Problem
from geo.geocode.result import PRECISIONS, GeocodeResult
from geo.text import fold

MANUAL_COLUMNS = ("address", "lat", "lon", "area_id", "accuracy_m", "method", "placed_on", "note")
CACHE_COLUMNS = ("query", "lat", "lon", "precision", "source", "retrieved_on", "display_name")
SETTLEMENT_COLUMNS = ("settlement_id", "name_sl", "name_it", "municipality", "area_id", "lon", "lat")
STREET_COLUMNS = ("street_id", "name_sl", "name_it", "settlement_id", "municipality")


def _data_path(data_dir: Path | str, name: str) -> Path:
    return Path(data_dir) / name

#: Hidden column carrying each record's spreadsheet row number (the header is row 1).
_ROW = "_row"


def read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read every cell as text, with each record's spreadsheet row in ``_row``.

    Parsed with the csv module rather than pandas because pandas silently turns a file whose
    rows all carry one extra field (an unquoted "Street 5, 6000 Koper") into an index column.
    """
    file = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            try:
                records = list(reader)
            except csv.Error as exc:
                raise DataValidationError(
                    [Problem(file, reader.line_num, None, None, f"cannot be read as CSV ({exc}); check the quotes")]
                ) from None
    except UnicodeDecodeError as exc:
        raise DataValidationError([Problem(file, None, None, None, f"is not UTF-8 text ({exc.reason}); save it as UTF-8")]) from None
    if not records or not any(field.strip() for field in records[0]):
        raise DataValidationError([Problem(file, 1, None, None, f"has no header; the first line must be {','.join(columns)}")])
    header = [field.strip() for field in records[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataValidationError(
            [Problem(file, 1, c, None, f"column is missing; the header must be {','.join(columns)}") for c in missing]
        )
    problems: list[Problem] = []
    rows = []
    for number, fields in enumerate(records[1:], start=2):
        if not any(field.strip() for field in fields):
            continue  # blank lines are harmless
        if len(fields) != len(header):
            problems.append(
                Problem(file, number, None, None,
                        f"has {len(fields)} fields but the header has {len(header)}; "
                        'put values that contain commas in double quotes, e.g. "Krožna cesta 5, 6000 Koper"')
            )
            continue
        rows.append({**dict(zip(header, fields)), _ROW: number})
    if problems:
        raise DataValidationError(problems)
    return pd.DataFrame(rows, columns=[*header, _ROW]).astype({_ROW: int})


def _parse_coordinate(value: str, axis: str, file: str, row: int, problems: list[Problem]) -> float | None:
    """A latitude or longitude inside settings.KOPER_BBOX, or a Problem."""
    south, west, north, east = settings.KOPER_BBOX
    low, high = (south, north) if axis == "lat" else (west, east)
    try:
        number = float(str(value).strip())
    except ValueError:
        problems.append(Problem(file, row, axis, value, "is not a number; use a decimal point, e.g. 45.5465"))
        return None
    if not math.isfinite(number) or not low <= number <= high:
        problems.append(
            Problem(file, row, axis, value, f"is outside Koper and Ankaran ({low}–{high}); check lat/lon are not swapped")
        )
        return None
    return number


def _parse_iso_date(value: str, field: str, file: str, row: int, problems: list[Problem]) -> str | None:
    """An ISO date (YYYY-MM-DD) as text, or a Problem."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    problems.append(Problem(file, row, field, value, "is not an ISO date; write YYYY-MM-DD, e.g. 2026-11-23"))
    return None


def validate_manual_coordinates(frame: pd.DataFrame, file: str = settings.MANUAL_COORDINATES_FILE) -> pd.DataFrame:
    """Check hand-placed coordinates; every problem is reported at once as DataValidationError."""
    problems: list[Problem] = []
    rows = []
    first_row_of: dict[str, int] = {}
    for i, record in enumerate(frame.to_dict("records")):
        row = int(record.get(_ROW, i + 2))  # spreadsheet row: the header is row 1
        address = " ".join(str(record["address"]).split())
        if not address:
            problems.append(Problem(file, row, "address", "", "is empty; write e.g. 'Krožna cesta 5, 6000 Koper'"))
        else:
            key = fold(address)
            if key in first_row_of:
                problems.append(
                    Problem(file, row, "address", address, f"is a duplicate of row {first_row_of[key]}; keep one line per address")
                )
            else:
                first_row_of[key] = row
        lat = _parse_coordinate(record["lat"], "lat", file, row, problems)
        lon = _parse_coordinate(record["lon"], "lon", file, row, problems)
        accuracy_text = str(record["accuracy_m"]).strip()
        accuracy = int(accuracy_text) if re.fullmatch(r"\d+", accuracy_text) else 0
        if accuracy <= 0:
            problems.append(
                Problem(file, row, "accuracy_m", record["accuracy_m"], "must be a positive whole number of metres, e.g. 15")
            )
        placed_on = _parse_iso_date(record["placed_on"], "placed_on", file, row, problems)
        rows.append({**record, "address": address, "lat": lat, "lon": lon, "accuracy_m": accuracy, "placed_on": placed_on})
    if problems:
        raise DataValidationError(problems)
    result = pd.DataFrame(rows, columns=[c for c in frame.columns if c != _ROW])
    return result.astype({"lat": float, "lon": float, "accuracy_m": int}) if len(result) else typed_empty(MANUAL_COLUMNS)


def validate_geocode_cache(frame: pd.DataFrame, file: str = settings.GEOCODE_CACHE_FILE) -> pd.DataFrame:
    """Check the geocode cache; every problem is reported at once as DataValidationError."""
    problems: list[Problem] = []
    rows = []
    first_row_of: dict[str, int] = {}
    for i, record in enumerate(frame.to_dict("records")):
        row = int(record.get(_ROW, i + 2))
        query = " ".join(str(record["query"]).split())
        if not query:
            problems.append(Problem(file, row, "query", "", "is empty"))
        elif fold(query) in first_row_of:
            problems.append(Problem(file, row, "query", query, f"is a duplicate of row {first_row_of[fold(query)]}"))
        else:
            first_row_of[fold(query)] = row
        lat = _parse_coordinate(record["lat"], "lat", file, row, problems)
        lon = _parse_coordinate(record["lon"], "lon", file, row, problems)
        precision = str(record["precision"]).strip()
        if precision not in PRECISIONS:
            problems.append(Problem(file, row, "precision", record["precision"], f"must be one of {', '.join(PRECISIONS)}"))
        if not str(record["source"]).strip():
            problems.append(Problem(file, row, "source", "", "is empty; e.g. nominatim, gurs-rpe, manual"))
        retrieved_on = _parse_iso_date(record["retrieved_on"], "retrieved_on", file, row, problems)
        rows.append({**record, "query": query, "lat": lat, "lon": lon, "precision": precision, "retrieved_on": retrieved_on})
    if problems:
        raise DataValidationError(problems)
    result = pd.DataFrame(rows, columns=[c for c in frame.columns if c != _ROW])
    return result.astype({"lat": float, "lon": float}) if len(result) else typed_empty(CACHE_COLUMNS)


def typed_empty(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty table with the given columns (lat/lon as floats)."""
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in columns})
    return frame.astype({"lat": float, "lon": float})


def load_manual_coordinates(data_dir: Path | str) -> pd.DataFrame:
    """Validated ``manual_coordinates.csv``; a missing file means no hand-placed points."""
    path = _data_path(data_dir, settings.MANUAL_COORDINATES_FILE)
    if not path.is_file():
        return typed_empty(MANUAL_COLUMNS)
    return validate_manual_coordinates(read_csv(path, MANUAL_COLUMNS), path.name)


def load_geocode_cache(data_dir: Path | str) -> pd.DataFrame:
    """Validated ``geocode_cache.csv``; a missing file is an empty cache."""
    path = _data_path(data_dir, settings.GEOCODE_CACHE_FILE)
    if not path.is_file():
        return typed_empty(CACHE_COLUMNS)
    return validate_geocode_cache(read_csv(path, CACHE_COLUMNS), path.name)


def load_register(data_dir: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``settlements.csv`` and ``streets.csv`` with centroids as floats; missing files are an error."""
    tables = []
    for name, columns in ((settings.SETTLEMENTS_FILE, SETTLEMENT_COLUMNS), (settings.STREETS_FILE, STREET_COLUMNS)):
        path = _data_path(data_dir, name)
        if not path.is_file():
            raise DataFileError(f"{path}: register file not found; build it with `make data` or set {settings.DATA_DIR_ENV}")
        tables.append(read_csv(path, columns))
    settlements, streets = tables
    problems: list[Problem] = []
    for record in settlements.to_dict("records"):
        for axis in ("lat", "lon"):
            try:
                float(record[axis])
            except ValueError:
                problems.append(Problem(settings.SETTLEMENTS_FILE, record[_ROW], axis, record[axis], "is not a number"))
    if problems:
        raise DataValidationError(problems)
    return settlements.drop(columns=_ROW).astype({"lat": float, "lon": float}), streets.drop(columns=_ROW)


def write_geocode_cache(cache: pd.DataFrame, data_dir: Path | str) -> Path:
    """Write the cache atomically, sorted by query so diffs stay small; returns the path."""
    path = _data_path(data_dir, settings.GEOCODE_CACHE_FILE)
    table = cache.reindex(columns=list(CACHE_COLUMNS)).fillna("")
    table = table.sort_values("query", key=lambda s: s.map(fold), kind="stable")
    atomic.write_text(path, table.to_csv(index=False, lineterminator="\n"))
    return path


def upsert_cache_row(cache: pd.DataFrame, row: Mapping[str, object]) -> pd.DataFrame:
    """The cache with ``row`` added, replacing any row for the same (folded) query."""
    key = fold(str(row["query"]))
    kept = cache[cache["query"].map(fold) != key] if len(cache) else cache
    return pd.concat([kept, pd.DataFrame([dict(row)])], ignore_index=True)


def cache_row(query: str, result: GeocodeResult) -> dict[str, object]:
    """One row of ``geocode_cache.csv`` for an online result (coordinates rounded to ~1 cm)."""
    return {
        "query": query,
        "lat": round(result.lat, 7),
        "lon": round(result.lon, 7),
        "precision": result.precision,
        "source": result.source,
        "retrieved_on": result.retrieved_on or "",
        "display_name": result.label,
    }

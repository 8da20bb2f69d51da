"""Exporting the whole directory as JSON or CSV records (HSDS 3.0 tables: geo.hsds).

Command line: ``python -m geo export --format json|csv|hsds [--output PATH] [--lang sl|it|en]`` (geo.cli).

The input is the directory table (``geo.directory.directory_table()``): the typed services
plus location columns. Confidential services leave here without any trace of a place —
this module enforces that itself rather than trusting the data, because an export is
copied to places the app's checks never see.
"""
from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd

from geo import i18n, model, safe

FORMATS = ("json", "csv", "hsds")
#: Everything that can tell where a service is; always blank for confidential services.
HIDDEN_WHEN_CONFIDENTIAL = ("address", "address_it", "provider_address", *model.LOCATION_COLUMNS)
_FLOAT_COLUMNS = ("lat", "lon")
#: Data fields kept in three languages (``name_sl``, ``name_it``, ``name_en``).
TRANSLATED = ("name", "description", "hours_note", "price", "eligibility", "how_to_apply", "note")
CSV_LIST_SEPARATOR = "; "
EXCEL_BOM = "\ufeff"

# --- JSON and CSV -------------------------------------------------------------------


def record_keys(lang: str | None = None) -> tuple[str, ...]:
    """The fields of an exported record, in order (one language only when ``lang`` is given)."""
    def texts(base: str) -> tuple[str, ...]:
        return (base,) if lang else tuple(f"{base}_{code}" for code in model.LANGUAGES)

    return (
        "id",
        *texts("name"),
        *texts("description"),
        "category",
        "target_groups",
        "location_type",
        "delivery",
        "record_kind",
        "service_area",
        "provider",
        "provider_address",
        "address",
        *model.LOCATION_COLUMNS,
        "phones",
        "phones_display",
        "emails",
        "website",
        "contact_person",
        "opening_hours",
        *texts("hours_note"),
        "price_type",
        "exemption_possible",
        *texts("price"),
        *texts("eligibility"),
        *texts("how_to_apply"),
        *texts("note"),
        "source",
        "source_lines",
        "last_verified",
    )


def export_records(table: pd.DataFrame, lang: str | None = None) -> list[dict]:
    """One plain dict per service, sorted by id; confidential services carry no location.

    With ``lang`` the translated fields appear once (``name``…) in that language, falling
    back to Slovene where a translation is missing; without it, all three languages.
    """
    records = [_record(row, lang) for row in table.to_dict("records")]
    return sorted(records, key=lambda record: record["id"])


def _record(row: dict, lang: str | None) -> dict:
    """One exported record from one row of the directory table."""
    phones = _as_list(row.get("phones"))
    record: dict = {}
    for key in record_keys(lang):
        if lang and key in TRANSLATED:
            record[key] = i18n.field(row, key, lang)
        elif key in ("target_groups", "service_area", "emails"):
            record[key] = _as_list(row.get(key))
        elif key == "phones":
            record[key] = phones
        elif key == "phones_display":
            record[key] = [model.display_phone(number) for number in phones]
        elif key == "exemption_possible":
            record[key] = _as_bool(row.get(key))
        elif key in _FLOAT_COLUMNS:
            record[key] = _as_float(row.get(key))
        else:
            record[key] = _as_text(row.get(key))
    if record["location_type"] == model.CONFIDENTIAL:
        # The safety rule: a wrong row in the input must not put a shelter on the map.
        for key in HIDDEN_WHEN_CONFIDENTIAL:
            record[key] = None if key in _FLOAT_COLUMNS else ""
    return record


def records_json(records: list[dict]) -> str:
    """The records as pretty UTF-8 JSON (a list), ending in a newline."""
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def records_csv(records: list[dict], lang: str | None = None) -> str:
    """The records as CSV (RFC 4180, lists joined with "; ")."""
    keys = list(records[0]) if records else list(record_keys(lang))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(keys)
    for record in records:
        writer.writerow([safe.spreadsheet_cell(_csv_cell(record[key])) for key in keys])  # no cell runs as a formula
    return buffer.getvalue()


def _csv_cell(value: object) -> str:
    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _as_text(value: object) -> str:
    return "" if _missing(value) else str(value).strip()


def _as_float(value: object) -> float | None:
    if _missing(value) or value == "":
        return None
    return float(value)


def _as_bool(value: object) -> bool:
    # The typed table holds bools; text such as "false" must not read as true.
    if isinstance(value, str):
        return model.parse_bool(value)
    return False if _missing(value) else bool(value)


def _as_list(value: object) -> list[str]:
    # The typed table holds lists; a raw table (or a hand-made one) may hold "a; b" text.
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    return model.split_list("" if _missing(value) else str(value))

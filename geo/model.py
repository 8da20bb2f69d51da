"""The directory's schema: fields, vocabularies and validation of one services table.

The table is kept as CSV (``data/services.csv``) so that an office can edit it in a
spreadsheet. Lists (phones, e-mails, target groups) are separated by ``;``.
Validation collects every problem with its row and field instead of stopping at the first.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
import phonenumbers
from geo import hours
from geo.errors import DataValidationError, Problem

LANGUAGES = ("sl", "it", "en")
LIST_SEPARATOR = ";"

CATEGORIES = (
    "home_care",
    "day_activities",
    "residential",
    "financial_aid",
    "counselling",
    "crisis",
    "health_prevention",
)
TARGET_GROUPS = (
    "older",
    "disability_mental_health",
    "children_youth",
    "families",
    "homeless",
    "violence_victims",
    "social_risk",
    "general",
)
# The location-type vocabulary lives here and only here (issue 9): every module that asks
# "does this service have a place on the map?" uses PLACED_TYPES, never a literal tuple.
#: Delivered at an address.
SITE = "site"
#: Delivered at home / anywhere in the area served (``service_area``); never a point.
AREA = "area"
#: A right applied for at an office (has an address).
OFFICE = "office"
#: Phone only: never an address, a point or a distance, anywhere.
CONFIDENTIAL = "confidential"
LOCATION_TYPES = (SITE, AREA, OFFICE, CONFIDENTIAL)
#: Types with an address that is placed on the map, indexed for "nearest" and counted as
#: located by coverage.
PLACED_TYPES = (SITE, OFFICE)
#: Columns that ``geo.directory.with_locations`` adds to the services table (empty/None for
#: rows that are not placed): lat/lon in WGS84 degrees, precision (manual/address/street/
#: settlement), source, label, note, accuracy in metres, and the local area (id, Slovene name).
LOCATION_COLUMNS = (
    "lat",
    "lon",
    "location_precision",
    "location_source",
    "location_label",
    "location_note",
    "location_accuracy_m",
    "area_id",
    "area_name",
)
PRICE_TYPES = ("free", "paid", "not_applicable", "unknown")
#: Tokens for the area a record serves (every record, issue 13): ``koper`` = the 22 local
#: communities of Mestna občina Koper, ``ankaran`` = the municipality of Ankaran. A right bound
#: to permanent residence in the municipality is ``koper``; a right decided by the social-work
#: centre (administrative unit Koper = Koper and Ankaran) is ``koper;ankaran``.
SERVICE_AREAS = ("koper", "ankaran")
# How an ``area`` service reaches people (issue 13, decision 2): required for an area service,
# empty for every other location type and for information records.
#: At the person's home (home help, meals, remote alarm, Vitica, Prostofer transport).
HOME = "home"
#: At changing places in the municipality (lectures at schools, the defibrillator network).
COMMUNITY = "community"
#: Housing with no public address (apply at the provider's office).
ACCOMMODATION = "accommodation"
DELIVERY_KINDS = (HOME, COMMUNITY, ACCOMMODATION)
# What a record is (decision 3): a service a resident can use, or information (a funding call)
# that is listed in the directory but never counted in coverage nor shown as available anywhere.
# Required in every file, with no default for a file written before the column existed: such a
# file is refused ("column is missing from the header"), so a funding call cannot come back as a
# service through an old spreadsheet; staff download the current file and edit that.
SERVICE = "service"
INFORMATION = "information"
RECORD_KINDS = (SERVICE, INFORMATION)


@dataclass(frozen=True)
class Field:
    """One column of the services table."""

    name: str
    kind: str  # id, text, enum, enum_list, phones, emails, url, hours, date, bool, lines
    required: bool = False
    choices: tuple[str, ...] = ()


def _translated(base: str, required_sl: bool = False) -> list[Field]:
    return [Field(f"{base}_{lang}", "text", required=(required_sl and lang == "sl")) for lang in LANGUAGES]


FIELDS: tuple[Field, ...] = (
    Field("id", "id", required=True),
    *_translated("name", required_sl=True),
    *_translated("description"),
    Field("category", "enum", required=True, choices=CATEGORIES),
    Field("target_groups", "enum_list", required=True, choices=TARGET_GROUPS),
    Field("location_type", "enum", required=True, choices=LOCATION_TYPES),
    Field("delivery", "enum", choices=DELIVERY_KINDS),
    Field("record_kind", "enum", required=True, choices=RECORD_KINDS),
    Field("service_area", "enum_list", required=True, choices=SERVICE_AREAS),
    Field("provider", "text", required=True),
    Field("provider_address", "text"),
    Field("address", "text"),
    Field("phones", "phones"),
    Field("emails", "emails"),
    Field("website", "url"),
    Field("contact_person", "text"),
    Field("opening_hours", "hours"),
    *_translated("hours_note"),
    Field("price_type", "enum", required=True, choices=PRICE_TYPES),
    Field("exemption_possible", "bool"),
    *_translated("price"),
    *_translated("eligibility"),
    *_translated("how_to_apply"),
    *_translated("note"),
    Field("source", "text", required=True),
    Field("source_lines", "lines", required=True),
    Field("last_verified", "date", required=True),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
#: Fields that may never hold anything for a confidential service.
LOCATION_FIELDS = ("address", "provider_address")

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_URL_RE = re.compile(r"^(?:https?://)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][^\s<>\"']*)?$")
_LINES_RE = re.compile(r"^\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*$")
_TRUE, _FALSE = ("true", "yes", "1", "da"), ("false", "no", "0", "ne", "")


def split_list(value: str) -> list[str]:
    """Split a ``;``-separated cell into its stripped, non-empty items."""
    return [item.strip() for item in str(value or "").split(LIST_SEPARATOR) if item.strip()]


def parse_bool(value: str) -> bool:
    """Read a yes/no cell (true/false, yes/no, 1/0, da/ne; empty is false)."""
    text = str(value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _check_cell(field: Field, value: str) -> tuple[str, dict] | None:
    """What is wrong with ``value`` for ``field`` as a text key (``problem.*``, geo.i18n) and its
    placeholders, for ``Problem.said``; None if it is valid."""
    if not value:
        return ("problem.required", {}) if field.required else None
    if field.kind == "id" and not _ID_RE.match(value):
        return "problem.id_format", {}
    if field.kind == "enum" and value not in field.choices:
        return "problem.one_of", {"choices": ", ".join(field.choices)}
    if field.kind == "enum_list":
        unknown = [v for v in split_list(value) if v not in field.choices]
        if unknown:
            return "problem.unknown_values", {"values": ", ".join(unknown), "choices": ", ".join(field.choices)}
    if field.kind == "phones":
        for number in split_list(value):
            if not number.startswith("+"):
                return "problem.phone_not_e164", {"number": repr(number)}
            try:
                parsed = phonenumbers.parse(number, None)
            except phonenumbers.NumberParseException:
                return "problem.phone_unreadable", {"number": repr(number)}
            if not phonenumbers.is_valid_number(parsed) or normalise_phone(number) != number:
                return "problem.phone_invalid", {"number": repr(number)}
    if field.kind == "emails":
        bad = [e for e in split_list(value) if not _EMAIL_RE.match(e)]
        if bad:
            return "problem.email", {"values": ", ".join(bad)}
    if field.kind == "url" and not _URL_RE.match(value):
        return "problem.url", {}
    if field.kind == "hours":
        message = hours.problem(value)  # syntax, and SH rules that cannot be evaluated
        if message:
            return ("problem.hours_sh", {}) if message == hours.SH_MESSAGE else ("problem.hours_syntax", {})
    if field.kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "problem.date", {}
    if field.kind == "bool":
        try:
            parse_bool(value)
        except ValueError:
            return "problem.bool", {"given": repr(value)}
    if field.kind == "lines" and not _LINES_RE.match(value):
        return "problem.lines", {}
    return None


def normalise_phone(raw: str) -> str:
    """Return a Slovene or international phone number in E.164 form (``+38656634550``).

    Raises ValueError naming the number when it is not a valid phone number.
    """
    try:
        parsed = phonenumbers.parse(str(raw), "SI")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"cannot read {raw!r} as a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Format an E.164 number for reading: national form for Slovene numbers, else international."""
    parsed = phonenumbers.parse(e164, None)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 386
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, fmt)


def validate_services(frame: pd.DataFrame, file: str = "services.csv") -> list[Problem]:
    """Check a raw services table (all cells as strings) and return every problem found."""
    problems: list[Problem] = []
    missing = [name for name in FIELD_NAMES if name not in frame.columns]
    if missing:
        return [Problem.said(file, 1, name, None, "problem.column_missing") for name in missing]
    unknown = [str(c) for c in frame.columns if c not in FIELD_NAMES]
    problems += [Problem.said(file, 1, name, None, "problem.column_unknown") for name in unknown]

    seen_ids: dict[str, int] = {}
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2  # spreadsheet numbering: the header is row 1
        for field in FIELDS:
            value = str(record.get(field.name) or "").strip()
            found = _check_cell(field, value)
            if found:
                problems.append(Problem.said(file, row, field.name, value, found[0], **found[1]))
        problems += _check_record(record, row, file)
        record_id = str(record.get("id") or "")
        if record_id in seen_ids:
            problems.append(Problem.said(file, row, "id", record_id, "problem.duplicate_id", row=seen_ids[record_id]))
        seen_ids.setdefault(record_id, row)
    return problems


def _check_record(record: dict, row: int, file: str) -> list[Problem]:
    """Rules that involve more than one field of a record."""
    problems = []
    location_type = str(record.get("location_type") or "").strip()  # the same value storage sees
    if location_type == CONFIDENTIAL:
        for name in LOCATION_FIELDS:
            if str(record.get(name) or "").strip():
                problems.append(
                    Problem.said(file, row, name, "(hidden)", "problem.confidential_address")
                )
        if not split_list(record.get("phones", "")):
            problems.append(Problem.said(file, row, "phones", "", "problem.confidential_phone"))
    if location_type in PLACED_TYPES and not str(record.get("address") or "").strip():
        problems.append(Problem.said(file, row, "address", "", "problem.needs_address", location_type=location_type))
    delivery = str(record.get("delivery") or "").strip()
    record_kind = str(record.get("record_kind") or "").strip()
    if location_type == AREA and record_kind != INFORMATION and not delivery:
        problems.append(
            Problem.said(file, row, "delivery", "", "problem.delivery_missing", choices=", ".join(DELIVERY_KINDS))
        )
    if delivery and location_type != AREA:
        problems.append(Problem.said(file, row, "delivery", delivery, "problem.delivery_not_area"))
    if delivery and record_kind == INFORMATION:
        problems.append(Problem.said(file, row, "delivery", delivery, "problem.delivery_information"))
    return problems


def parse_services(frame: pd.DataFrame, file: str = "services.csv") -> pd.DataFrame:
    """Validate a raw services table and return it typed (lists as lists, booleans as bool).

    Raises DataValidationError carrying every problem when the table is not valid.
    """
    problems = validate_services(frame, file)
    if problems:
        raise DataValidationError(problems)
    typed = frame[list(FIELD_NAMES)].copy()
    for field in FIELDS:
        if field.kind in ("enum_list", "phones", "emails"):
            typed[field.name] = typed[field.name].map(split_list)
        elif field.kind == "bool":
            typed[field.name] = typed[field.name].map(parse_bool)
        else:
            typed[field.name] = typed[field.name].fillna("").astype(str).str.strip()
    return typed.reset_index(drop=True)

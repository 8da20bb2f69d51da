"""Exporting the whole directory as JSON, CSV or Open Referral HSDS 3.0 tables.

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
import re
import uuid
from pathlib import Path

import pandas as pd
import phonenumbers

from geo import hours, i18n, model, safe, settings

FORMATS = ("json", "csv", "hsds")
#: Everything that can tell where a service is; always blank for confidential services.
HIDDEN_WHEN_CONFIDENTIAL = ("address", "address_it", "provider_address", *model.LOCATION_COLUMNS)
_FLOAT_COLUMNS = ("lat", "lon")
#: Data fields kept in three languages (``name_sl``, ``name_it``, ``name_en``).
TRANSLATED = ("name", "description", "hours_note", "price", "eligibility", "how_to_apply", "note")
CSV_LIST_SEPARATOR = "; "
EXCEL_BOM = "\ufeff"
DEFAULT_HSDS_DIR = Path("hsds")

#: Namespace of every HSDS id: uuid5 of this and a natural key, so ids survive re-exports.
HSDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://koper-social-services-map.invalid/hsds")
#: Tables written for HSDS, in the order of the HSDS data package (file = name + ".csv").
HSDS_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name", "description"),
    "services": (
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "fees_description",
        "eligibility_description",
        "assured_date",
        "last_modified",
    ),
    "service_at_location": ("id", "service_id", "location_id"),
    "locations": ("id", "location_type", "organization_id", "name", "description", "latitude", "longitude"),
    "phones": ("id", "service_id", "number", "type"),
    "contacts": ("id", "service_id", "name", "email"),
    "addresses": (
        "id",
        "location_id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ),
    "schedules": ("id", "service_id", "freq", "byday", "opens_at", "closes_at", "description", "notes"),
    "service_areas": ("id", "service_id", "name", "description", "extent", "extent_type"),
}
#: What the ``service_area`` tokens of the data mean, by name (HSDS service_area.name).
SERVICE_AREA_NAMES = {"koper": "Mestna občina Koper", "ankaran": "Občina Ankaran"}
_ORGANIZATION_INTRO = {
    "sl": "Storitve v imeniku socialnih storitev Mestne občine Koper",
    "it": "Servizi nell'elenco dei servizi sociali del Comune città di Capodistria",
    "en": "Services in the Municipality of Koper social services directory",
}
_FEES_FREE = {"sl": "Brezplačno.", "it": "Gratuito.", "en": "Free of charge."}

_ADDRESS = re.compile(r"^(?P<street>.+?),\s*(?P<postal>\d{4})\s+(?P<city>.+)$")


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


# --- HSDS 3.0 -----------------------------------------------------------------------


def hsds_id(kind: str, *key: str) -> str:
    """A stable HSDS identifier (UUID) for a record of ``kind`` with natural key ``key``."""
    return str(uuid.uuid5(HSDS_NAMESPACE, "|".join((kind, *key))))


def hsds_tables(table: pd.DataFrame, lang: str = "sl") -> dict[str, pd.DataFrame]:
    """The directory as HSDS 3.0 tables (name → DataFrame), free text in ``lang``.

    Built from :func:`export_records`, so the confidential rule holds here too; in
    addition only site and office services get locations at all.
    """
    lang = i18n.language(lang)
    records = export_records(table)
    rows: dict[str, list[dict]] = {name: [] for name in HSDS_COLUMNS}

    providers = sorted({r["provider"] for r in records})
    for provider in providers:
        names = [i18n.field(r, "name", lang) for r in records if r["provider"] == provider]
        rows["organizations"].append(
            {
                "id": hsds_id("organization", provider),
                "name": provider,
                "description": f"{_ORGANIZATION_INTRO[lang]}: " + "; ".join(names),
            }
        )

    placed: dict[str, list[dict]] = {}
    for r in records:
        service_id = hsds_id("service", r["id"])
        rows["services"].append(_hsds_service(r, service_id, lang))
        for number in r["phones"]:
            rows["phones"].append(
                {"id": hsds_id("phone", r["id"], number), "service_id": service_id, "number": number, "type": _phone_type(number)}
            )
        rows["contacts"] += _hsds_contacts(r, service_id)
        for index, schedule in enumerate(schedule_rows(r["opening_hours"], i18n.field(r, "hours_note", lang))):
            rows["schedules"].append({"id": hsds_id("schedule", r["id"], str(index)), "service_id": service_id, **schedule})
        if r["location_type"] == model.AREA:
            for token in r["service_area"]:
                area = SERVICE_AREA_NAMES.get(token, token)
                rows["service_areas"].append(
                    {
                        "id": hsds_id("service_area", r["id"], token),
                        "service_id": service_id,
                        "name": area,
                        "description": i18n.t("location.area", lang, office=r["provider"]),
                        "extent": area,
                        "extent_type": "text",
                    }
                )
        if r["location_type"] in model.PLACED_TYPES and r["address"]:
            placed.setdefault(r["address"], []).append(r)
            rows["service_at_location"].append(
                {
                    "id": hsds_id("service_at_location", r["id"], r["address"]),
                    "service_id": service_id,
                    "location_id": hsds_id("location", r["address"]),
                }
            )

    for address in sorted(placed):
        rows["locations"].append(_hsds_location(address, placed[address]))
        street, postal_code, city = split_address(address)
        rows["addresses"].append(
            {
                "id": hsds_id("address", address),
                "location_id": hsds_id("location", address),
                "address_1": street,
                "city": city,
                # Slovenia has no states or provinces; the column is kept, empty.
                "state_province": "",
                "postal_code": postal_code,
                "country": "SI",
                "address_type": "physical",
            }
        )

    # Absent text is "", not NaN; only the coordinates stay None (empty in the CSV).
    return {
        name: pd.DataFrame([{c: row.get(c, "") for c in columns} for row in rows[name]], columns=list(columns))
        for name, columns in HSDS_COLUMNS.items()
    }


def _hsds_service(r: dict, service_id: str, lang: str) -> dict:
    description = i18n.field(r, "description", lang)
    note = i18n.field(r, "note", lang)
    fees = i18n.field(r, "price", lang) or (_FEES_FREE[lang] if r["price_type"] == "free" else "")
    if r["exemption_possible"]:
        fees = " ".join(part for part in (fees, i18n.t("price.exemption", lang)) if part)
    return {
        "id": service_id,
        "organization_id": hsds_id("organization", r["provider"]),
        "name": i18n.field(r, "name", lang),
        "description": "\n\n".join(part for part in (description, note) if part),
        "url": (safe.web_href(r["website"]) or "") if r["website"] else "",
        # HSDS has one e-mail per service; the others go to contacts.
        "email": r["emails"][0] if r["emails"] else "",
        "status": "active",
        "application_process": i18n.field(r, "how_to_apply", lang),
        "fees_description": fees,
        "eligibility_description": i18n.field(r, "eligibility", lang),
        "assured_date": r["last_verified"],
        # A date is all the data knows; midnight UTC stands for "that day".
        "last_modified": f"{r['last_verified']}T00:00:00Z" if r["last_verified"] else "",
    }


def _hsds_contacts(r: dict, service_id: str) -> list[dict]:
    contacts = []
    if r["contact_person"]:
        contacts.append(
            {"id": hsds_id("contact", r["id"], "person"), "service_id": service_id, "name": r["contact_person"], "email": ""}
        )
    for email in r["emails"][1:]:
        contacts.append({"id": hsds_id("contact", r["id"], email), "service_id": service_id, "name": "", "email": email})
    return contacts


def _hsds_location(address: str, services: list[dict]) -> dict:
    providers = sorted({s["provider"] for s in services})
    located = next((s for s in services if s["lat"] is not None and s["lon"] is not None), None)
    details = []
    if located:
        details = [
            f"location_precision: {located['location_precision']}" if located["location_precision"] else "",
            f"location_source: {located['location_source']}" if located["location_source"] else "",
            f"area: {located['area_name']}" if located["area_name"] else "",
        ]
    return {
        "id": hsds_id("location", address),
        "location_type": "physical",
        # Only when one organisation runs every service here; shared buildings stay unassigned.
        "organization_id": hsds_id("organization", providers[0]) if len(providers) == 1 else "",
        "name": address,
        "description": "; ".join(part for part in details if part),
        "latitude": located["lat"] if located else None,
        "longitude": located["lon"] if located else None,
    }


def _phone_type(e164: str) -> str:
    """``cell`` for mobile numbers, else ``voice`` (RFC 6350 types, as HSDS asks)."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    return "cell" if kind == phonenumbers.PhoneNumberType.MOBILE else "voice"


def split_address(address: str) -> tuple[str, str, str]:
    """(street and number, postal code, post office) of "Street 1, 6000 Koper"; unknown parts empty."""
    match = _ADDRESS.match(address.strip())
    if not match:
        return address.strip(), "", ""
    return match["street"].strip(), match["postal"], match["city"].strip()


def schedule_rows(opening_hours: str, note: str = "") -> list[dict]:
    """HSDS schedule fields for OSM hours: weekly rows for plain rules, else one description row.

    Plain rules are ``<days> <HH:MM-HH:MM>[,...]`` with each day in one rule only (later
    OSM rules override earlier ones, which HSDS rows cannot express), plus holiday-only
    rules, and ``24/7``. Anything else keeps only the text: times are never invented.
    """
    expression = opening_hours.strip()
    description = " — ".join(part for part in (expression, note.strip()) if part)
    if not description:
        return []
    weekly = hours.weekly_spans(expression) if expression else None
    if not weekly:
        return [{"description": description}]
    return [
        {
            "freq": "WEEKLY",
            "byday": ",".join(day.upper() for day in days),
            "opens_at": opens,
            "closes_at": closes,
            "description": description,
            "notes": f"Local time ({settings.TIMEZONE})",
        }
        for days, opens, closes in weekly
    ]


def hsds_datapackage(tables: dict[str, pd.DataFrame]) -> dict:
    """A Frictionless ``datapackage.json`` listing the HSDS files (no dates, so output is stable)."""
    return {
        "name": "koper-social-services-hsds",
        "title": "Social services of the Municipality of Koper (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [{"name": column, "type": "string"} for column in frame.columns]},
            }
            for name, frame in tables.items()
        ],
    }


# --- Files and command line ----------------------------------------------------------


def write_hsds(tables: dict[str, pd.DataFrame], directory: Path) -> list[Path]:
    """Write each table as ``<name>.csv`` (RFC 4180, UTF-8) plus ``datapackage.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = directory / f"{name}.csv"
        safe.spreadsheet_frame(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")  # formula-safe
        written.append(path)
    package = directory / "datapackage.json"
    package.write_text(json.dumps(hsds_datapackage(tables), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [*written, package]

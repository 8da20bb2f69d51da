"""The directory as Open Referral HSDS 3.0 tables (CSV files plus a Frictionless datapackage.json).

Command line: ``python -m geo export --format hsds [--output DIR] [--lang sl|it|en]`` (geo.cli).
Built on geo.export's records, so the confidential rule of the exports holds here too.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from pathlib import Path

import pandas as pd
import phonenumbers

from geo import export, hours, i18n, model, safe, settings

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
    "contacts": ("id", "service_id", "name", "title", "email"),
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
    "schedules": (
        "id",
        "service_id",
        "valid_from",
        "valid_to",
        "timezone",
        "freq",
        "byday",
        "opens_at",
        "closes_at",
        "description",
        "notes",
    ),
    "service_areas": ("id", "service_id", "name", "description", "extent", "extent_type"),
}
#: HSDS object (and the official datapackage's resource name) of each table we write.
HSDS_OBJECTS = {
    "organizations": "organization",
    "services": "service",
    "service_at_location": "service_at_location",
    "locations": "location",
    "phones": "phone",
    "contacts": "contact",
    "addresses": "address",
    "schedules": "schedule",
    "service_areas": "service_area",
}
#: Frictionless types of the columns that are not strings (as in HSDS 3.0's datapackage.json).
HSDS_FIELD_TYPES = {
    "latitude": "number",
    "longitude": "number",
    "timezone": "number",
    "assured_date": "date",
    "valid_from": "date",
    "valid_to": "date",
    "last_modified": "datetime",
    "opens_at": "time",
    "closes_at": "time",
}
#: Slovenia has no states or provinces; HSDS requires ``address.state_province``, so addresses
#: carry the statistical region (SURS, NUTS 3 SI044) all of the directory's addresses lie in.
STATE_PROVINCE = "Obalno-kraška"
#: How many years of schedules an export holds: its year and the next (see ``schedule_rows``).
SCHEDULE_YEARS = 2
#: Providers in the data that are not one organisation, and the organisation HSDS records for
#: them (HSDS's tabular services require ``organization_id``). The data's own provider text stays
#: in the service description. Sources: seeds/000_8a7edbb9f3e1913f.txt — rent subsidy and
#: health-insurance contribution are decided by "the competent social-work centre", which for the
#: directory's residents is CSD Južna Primorska (lines 31-47, 258); the sheltered flats' phone is the
#: Javni stanovanjski sklad's, its co-owner is named beside it (lines 248-252); the parenting school
#: is financed by the Municipality, the lecturers change each school year (lines 509-511).
ORGANISATION_OF_PROVIDER = {
    "Pristojni center za socialno delo": "Center za socialno delo Južna Primorska",
    "Javni stanovanjski sklad Mestne občine Koper; ": "Javni stanovanjski sklad Mestne občine Koper",
    "Predavatelji iz ponudbe predavanj": "Mestna občina Koper",
    "Društva, ustanove in zavodi": "Mestna občina Koper",
}
#: What the ``service_area`` tokens of the data mean, by name (HSDS service_area.name).
SERVICE_AREA_NAMES = {"koper": "Mestna občina Koper", "ankaran": "Občina Ankaran"}
_ORGANIZATION_INTRO = {
    "sl": "Storitve v imeniku socialnih storitev Mestne občine Koper",
    "it": "Servizi nell'elenco dei servizi sociali del Comune città di Capodistria",
    "en": "Services in the Municipality of Koper social services directory",
}
_FEES_FREE = {"sl": "Brezplačno.", "it": "Gratuito.", "en": "Free of charge."}

_CONTACT = re.compile(r"^(?P<name>[^,(]+?)\s*(?:,\s*(?P<degree>[^(]*?))?\s*(?:\((?P<title>[^)]*)\))?\s*$")
_ADDRESS = re.compile(r"^(?P<street>.+?),\s*(?P<postal>\d{4})\s+(?P<city>.+)$")


# --- HSDS 3.0 -----------------------------------------------------------------------


def hsds_id(kind: str, *key: str) -> str:
    """A stable HSDS identifier (UUID) for a record of ``kind`` with natural key ``key``."""
    return str(uuid.uuid5(HSDS_NAMESPACE, "|".join((kind, *key))))


def organisation_of(provider: str) -> str:
    """The HSDS organisation of a provider text: itself, or the organisation that stands for a
    description such as "the competent social-work centre" (``ORGANISATION_OF_PROVIDER``)."""
    text = provider.strip()
    return next((org for prefix, org in ORGANISATION_OF_PROVIDER.items() if text.startswith(prefix)), text)


def hsds_tables(table: pd.DataFrame, lang: str = "sl", today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """The directory as HSDS 3.0 tables (name → DataFrame), free text in ``lang``.

    Built from :func:`geo.export.export_records`, so the confidential rule holds here too; in
    addition only site and office services get locations at all, and ``information`` records
    (e.g. a funding call) are not services and are left out. ``today`` (default: today in Koper)
    starts the schedules' validity (``schedule_rows``). Validate the result with
    ``geo.hsds_schema.problems``.
    """
    lang = i18n.language(lang)
    today = today or hours.local_now().date()
    periods = hours.utc_offset_periods(today, dt.date(today.year + SCHEDULE_YEARS - 1, 12, 31))
    records = [r for r in export.export_records(table) if r.get("record_kind") != model.INFORMATION]
    rows: dict[str, list[dict]] = {name: [] for name in HSDS_COLUMNS}

    providers = sorted({organisation_of(r["provider"]) for r in records})
    for provider in providers:
        names = [i18n.field(r, "name", lang) for r in records if organisation_of(r["provider"]) == provider]
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
        for index, schedule in enumerate(schedule_rows(r["opening_hours"], i18n.field(r, "hours_note", lang), periods)):
            rows["schedules"].append({"id": hsds_id("schedule", r["id"], str(index)), "service_id": service_id, **schedule})
        # Confidential services get no service area either: nothing that narrows where they are.
        for token in ([] if r["location_type"] == model.CONFIDENTIAL else r["service_area"]):
            area = SERVICE_AREA_NAMES.get(token, token)
            rows["service_areas"].append(
                {
                    "id": hsds_id("service_area", r["id"], token),
                    "service_id": service_id,
                    "name": area,
                    "description": _service_area_text(r, lang),
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
                "state_province": STATE_PROVINCE,
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


def _service_area_text(r: dict, lang: str) -> str:
    """Who may use the service where, in ``lang``: "at home" only for home-delivered services."""
    delivery = r.get("delivery") or ""
    if r["location_type"] == model.AREA and delivery:
        return f"{i18n.t(f'delivery.{delivery}', lang)}; {r['provider']}"
    if r["location_type"] == model.AREA:
        return i18n.t("location.area", lang, office=r["provider"])
    return i18n.t(f"location_type.{r['location_type']}", lang)


def _hsds_service(r: dict, service_id: str, lang: str) -> dict:
    description = i18n.field(r, "description", lang)
    note = i18n.field(r, "note", lang)
    organisation = organisation_of(r["provider"])
    provider = "" if organisation == r["provider"] else f"{i18n.t('field.provider', lang)}: {r['provider']}"
    fees = i18n.field(r, "price", lang) or (_FEES_FREE[lang] if r["price_type"] == "free" else "")
    if r["exemption_possible"]:
        fees = " ".join(part for part in (fees, i18n.t("price.exemption", lang)) if part)
    return {
        "id": service_id,
        "organization_id": hsds_id("organization", organisation),
        "name": i18n.field(r, "name", lang),
        "description": "\n\n".join(part for part in (description, provider, note) if part),
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


def split_contact(text: str) -> tuple[str, str]:
    """(name, job title) of a contact as the sources write it: "Name, degree (title)".

    The academic degree ("univ. dipl. soc. del.") is neither a name nor a job title and is left
    out of both; the parenthesised role ("vodja") is the title. Text that does not fit the pattern
    is kept whole as the name.
    """
    match = _CONTACT.match(text.strip())
    if not match:
        return text.strip(), ""
    return match["name"].strip(), (match["title"] or "").strip()


def _hsds_contacts(r: dict, service_id: str) -> list[dict]:
    contacts = []
    if r["contact_person"]:
        name, title = split_contact(r["contact_person"])
        contacts.append(
            {"id": hsds_id("contact", r["id"], "person"), "service_id": service_id, "name": name, "title": title, "email": ""}
        )
    for email in r["emails"][1:]:
        contacts.append({"id": hsds_id("contact", r["id"], email), "service_id": service_id, "name": "", "email": email})
    return contacts


def _hsds_location(address: str, services: list[dict]) -> dict:
    providers = sorted({organisation_of(s["provider"]) for s in services})
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


def _hsds_time(hhmm: str, offset: dt.timedelta) -> str:
    """"07:00" and +1 h → "07:00:00+01:00" (HSDS time with the UTC offset it asks for)."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{hhmm}:00{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def schedule_rows(
    opening_hours: str, note: str, periods: list[tuple[dt.date, dt.date, dt.timedelta]]
) -> list[dict]:
    """HSDS schedule fields for OSM hours: weekly rows for plain rules, else one description row.

    Plain rules are ``<days> <HH:MM-HH:MM>[,...]`` with each day in one rule only (later OSM
    rules override earlier ones, which HSDS rows cannot express), plus holiday-only rules and
    ``24/7``: one row per time span and per period of ``periods`` (``hours.utc_offset_periods``),
    each with ``valid_from``/``valid_to``, ``timezone`` (hours from UTC) and times as
    ``HH:MM:SS+01:00`` — HSDS reads times without an offset as UTC, which would be one or two
    hours wrong in Koper. Days open with unpublished times (``Mo-Su,PH unknown``) give one
    weekly row with the days and no times. Anything else keeps only the text: times are never
    invented.
    """
    expression = opening_hours.strip()
    description = " — ".join(part for part in (expression, note.strip()) if part)
    if not description:
        return []
    weekly = hours.weekly_spans(expression) if expression else None
    if not weekly:
        days = hours.weekly_unknown_days(expression) if expression else None
        if days:
            return [{"freq": "WEEKLY", "byday": ",".join(day.upper() for day in days), "description": description}]
        return [{"description": description}]
    return [
        {
            "valid_from": first.isoformat(),
            "valid_to": last.isoformat(),
            "timezone": offset.total_seconds() / 3600,
            "freq": "WEEKLY",
            "byday": ",".join(day.upper() for day in days),
            "opens_at": _hsds_time(opens, offset),
            "closes_at": _hsds_time(closes, offset),
            "description": description,
            "notes": f"Local time ({settings.TIMEZONE})",
        }
        for days, opens, closes in weekly
        for first, last, offset in periods
    ]


def hsds_datapackage(tables: dict[str, pd.DataFrame]) -> dict:
    """A Frictionless ``datapackage.json`` for the HSDS files (no dates, so output is stable).

    Resources carry HSDS 3.0's names (``service``, ``location``…), field types
    (``HSDS_FIELD_TYPES``; the rest strings), ``id`` as primary key and a foreign key for every
    ``<object>_id`` column whose object is written, as in the official package.
    """
    written = {HSDS_OBJECTS[name] for name in tables}
    resources = []
    for name, frame in tables.items():
        foreign = [
            {"fields": column, "reference": {"resource": column[: -len("_id")], "fields": "id"}}
            for column in frame.columns
            if column.endswith("_id") and column[: -len("_id")] in written
        ]
        resources.append(
            {
                "name": HSDS_OBJECTS[name],
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [{"name": column, "type": HSDS_FIELD_TYPES.get(column, "string")} for column in frame.columns],
                    "primaryKey": "id",
                    "foreignKeys": foreign,
                },
            }
        )
    return {
        "name": "koper-social-services-hsds",
        "title": "Social services of the Municipality of Koper (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "resources": resources,
    }


# --- Files ----------------------------------------------------------


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

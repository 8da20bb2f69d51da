"""Turning a service record into text for people, in their language; everything escaped.

Pure functions: the pages only put the returned Markdown on screen.
"""
from __future__ import annotations

import datetime as dt
import math
import urllib.parse

from geo import hours, i18n, model, safe

SOURCE_TITLES = {
    "seeds/000_8a7edbb9f3e1913f.txt": "Mestna občina Koper, »Socialno varstvo«",
    "seeds/003_52302e9ea3db90e0.txt": "»Predstavitev CSD Koper«",
}


def _link(label: str, href: str | None) -> str:
    """A Markdown link when the href is safe, else the label as plain text."""
    return f"[{safe.md_link_label(label)}]({href})" if href else safe.md_text(label)


def address_text(record: dict, lang: str) -> str:
    """The address as written, or in Italian the register's Italian form with the Slovene one after it."""
    address = str(record.get("address") or "")
    italian = str(record.get("address_it") or "")
    if lang == "it" and italian and italian != address:
        return f"{italian} ({address})"
    return address


def location_text(record: dict, lang: str) -> str:
    """Where the service is, said plainly, with how precise the point is."""
    kind = record.get("location_type")
    if kind == model.CONFIDENTIAL:
        return i18n.t("location.confidential", lang)
    if kind == model.AREA:
        # Only a service delivered at the person's home may say "at home" (issue 13, decision 2).
        office = address_text(record, lang) or record.get("provider") or ""
        if record.get("record_kind") == model.INFORMATION:
            return i18n.t("location.information", lang, office=office)
        delivery = record.get("delivery") or ""
        key = f"location.delivery.{delivery}" if delivery in model.DELIVERY_KINDS else "location.area"
        return i18n.t(key, lang, office=office)
    precision = record.get("location_precision") or ""
    if not precision:
        return i18n.t("location.unplaced", lang)
    if precision == "manual":
        accuracy = record.get("location_accuracy_m") or "?"
        return i18n.t("precision.manual", lang, m=accuracy)
    return i18n.t(f"precision.{precision}", lang)


def delivery_text(record: dict, lang: str) -> str:
    """How an area service reaches people ("At the person's home" …); '' for other records."""
    delivery = record.get("delivery") or ""
    if record.get("location_type") != model.AREA or delivery not in model.DELIVERY_KINDS:
        return ""
    return i18n.t(f"delivery.{delivery}", lang)


def service_area_text(record: dict, lang: str) -> str:
    """The areas the record serves, named in ``lang`` ("Mestna občina Koper, Občina Ankaran"); '' if none."""
    value = record.get("service_area")
    tokens = model.split_list(value) if isinstance(value, str) else list(value if value is not None else ())
    return ", ".join(i18n.t(f"service_area.{t}", lang) for t in tokens if t in model.SERVICE_AREAS)


def hours_text(record: dict, lang: str) -> str:
    """The hours as the source gives them (translated note), or 'unknown' (a value for after the "Opening
    hours:" label of the list, the popups and the referral sheet, so it does not name the hours again)."""
    note = i18n.field(record, "hours_note", lang)
    if note:
        return note
    return i18n.t("hours.unknown", lang)


def state_text(record: dict, lang: str, when: dt.datetime) -> str:
    """Open now / closed now / unknown, at a local time."""
    return i18n.t(f"state.{hours.state_at(record.get('opening_hours') or '', when)}", lang)


def display_phone(e164: str) -> str:
    """A phone number written for people; the raw text if it cannot be parsed."""
    try:
        return model.display_phone(e164)
    except Exception:  # phonenumbers raises its own NumberParseException on junk
        return e164


def price_text(record: dict, lang: str) -> str:
    """The price as the source states it, or its kind, plus the exemption note."""
    price = i18n.field(record, "price", lang) or i18n.t(f"price_type.{record.get('price_type') or 'unknown'}", lang)
    if record.get("exemption_possible") is True:
        price += " " + i18n.t("price.exemption", lang)
    return price


def today_text(record: dict, lang: str, when: dt.datetime) -> str:
    """The opening times on ``when``'s day (``Danes: 07:00–15:00``, or ``sob. 28. 11.: …`` for
    another day than today), 'closed', or '' when unknown."""
    is_today = when.date() == hours.local_now().date()
    expression = str(record.get("opening_hours") or "")
    if not expression.strip():
        return ""
    try:
        spans = hours.intervals_on(expression, when.date())
    except Exception:  # a bad expression must not take the whole map down; validation reports it
        return ""
    opened = [(a, b) for a, b, state in spans if state == hours.OPEN]
    if opened:
        text = ", ".join(f"{a:%H:%M}–{'24:00' if b == dt.time.max else f'{b:%H:%M}'}" for a, b in opened)
        if is_today:
            return i18n.t("map.today", lang, hours=text)
        return i18n.t("map.on_day", lang, day=i18n.format_weekday_date(when.date(), lang), hours=text)
    if spans:  # only 'unknown' spans (e.g. by arrangement): the status line says so
        return ""
    if is_today:
        return i18n.t("map.today_closed", lang)
    return i18n.t("map.closed_on_day", lang, day=i18n.format_weekday_date(when.date(), lang))


#: Metres within which a place is "at the starting point": what a tenth of a kilometre writes as 0.0 km
#: (read as a fault).
AT_START_M = 50


def distance_markdown(distance_m: float, road_distance_m: float, lang: str) -> str:
    """A nearest place's distance in ``lang``: "**3.2 km** in a straight line, about 4.2 km by road", or
    "**At your starting point** (within 50 m)" when the distance would be written 0.0 km (up to
    ``AT_START_M`` metres; a typed address of the place itself). Distances in metres."""
    if round(distance_m / 100) == 0:  # half to even, as the number is written (babel): 50 m is 0.0 km
        return i18n.t("nearest.distance_here", lang, m=AT_START_M)
    return i18n.t("nearest.distance", lang, km=i18n.format_number(distance_m / 1000, lang, 1),
                  road_km=i18n.format_number(road_distance_m / 1000, lang, 1))


def directions_markdown(record: dict) -> str:
    """Route links to a placed service (OpenStreetMap, Google Maps); '' for area/confidential ones."""
    lat, lon = record.get("lat"), record.get("lon")
    if record.get("location_type") not in model.PLACED_TYPES or not _finite(lat) or not _finite(lon):
        return ""
    return " · ".join([
        _link("OpenStreetMap", safe.osm_directions_href(float(lat), float(lon))),
        _link("Google Maps", safe.google_directions_href(str(record.get("address") or ""))),
    ])


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def details_markdown(record: dict, lang: str, when: dt.datetime) -> str:
    """All the facts of one service as escaped Markdown lines, in ``lang``."""
    lines: list[str] = []

    def add(label_key: str, value: str) -> None:
        if value:
            lines.append(f"**{i18n.t(label_key, lang)}:** {value}")

    groups = ", ".join(i18n.t(f"group.{g}", lang) for g in record.get("target_groups") or [])
    description = i18n.field(record, "description", lang)
    if description:
        lines.append(safe.md_text(description))
    add("field.target_groups", safe.md_text(groups))
    add("field.provider", safe.md_text(record.get("provider")))
    if record.get("location_type") != model.CONFIDENTIAL:
        add("field.address", safe.md_text(address_text(record, lang)))
    lines.append(f"**{i18n.t('directory.location', lang)}:** {safe.md_text(location_text(record, lang))}")
    if record.get("area_name"):
        add("directory.area", safe.md_text(record["area_name"]))
    add("field.service_area", safe.md_text(service_area_text(record, lang)))
    phones = ", ".join(_link(display_phone(p), safe.tel_href(p)) for p in record.get("phones") or [])
    add("field.phones", phones)
    add("field.emails", ", ".join(_link(e, safe.mailto_href(e)) for e in record.get("emails") or []))
    if record.get("website"):
        add("field.website", _link(record["website"], safe.web_href(record["website"])))
    add("field.contact_person", safe.md_text(record.get("contact_person")))
    hours_line = safe.md_text(hours_text(record, lang))
    if record.get("opening_hours"):
        today = today_text(record, lang, when)
        hours_line += f" · {safe.md_text(today)}" if today else ""
        hours_line += f" ({safe.md_text(state_text(record, lang, when))})"
    add("field.hours", hours_line)
    add("field.price", safe.md_text(price_text(record, lang)))
    add("field.eligibility", safe.md_text(i18n.field(record, "eligibility", lang)))
    add("field.how_to_apply", safe.md_text(i18n.field(record, "how_to_apply", lang)))
    add("field.note", safe.md_text(i18n.field(record, "note", lang)))
    add("map.directions", directions_markdown(record))
    source = SOURCE_TITLES.get(record.get("source", ""), record.get("source", ""))
    verified = dt.date.fromisoformat(record["last_verified"]) if record.get("last_verified") else None
    lines.append(
        "_"
        + safe.md_text(
            i18n.t(
                "directory.source",
                lang,
                source=source,
                lines=record.get("source_lines", ""),
                date=i18n.format_day(verified, lang) if verified else "?",
            )
        )
        + "_"
    )
    return "  \n".join(lines)


#: areas_table's number columns and their decimals (as the data give them: km² to 2 or 3 places, error in %).
AREA_NUMBER_DECIMALS = {"population": 0, "official_km2": 2, "computed_km2": 3, "area_error_pct": 2}


def areas_table(table, lang: str):
    """The areas table with translated column names and kinds, dates and numbers as the language writes
    them (text: population, official_km2, computed_km2, area_error_pct; '–' where missing), for display."""
    from geo import report  # here: the report package pulls in the coverage measures, which listing pages do not need

    def written(column: str, decimals: int) -> list[str]:
        return ["–" if v != v else i18n.format_number(float(v), lang, decimals) for v in table[column]]

    return table.assign(
        kind=table["kind"].map(lambda k: i18n.t(f"areas.kind.{k}", lang)),
        population_date=[report.population_date(v, lang) for v in table["population_date"]],
        name=[i18n.name_in(r, lang) for r in table.to_dict("records")],
        # numbers as the language writes them (babel: 2.345 and 6,02 in sl/it), as text: Streamlit's own
        # number formats follow the browser's locale, not the page's language
        **{column: written(column, decimals) for column, decimals in AREA_NUMBER_DECIMALS.items()},
    )[["name", "kind", "population", "population_date", "official_km2", "computed_km2", "area_error_pct"]].rename(
        columns={
            "name": i18n.t("areas.name", lang),
            "kind": i18n.t("areas.kind", lang),
            "population": i18n.t("areas.population", lang),
            "population_date": i18n.t("areas.population_date", lang),
            "official_km2": i18n.t("areas.official_km2", lang),
            "computed_km2": i18n.t("areas.computed_km2", lang),
            "area_error_pct": i18n.t("areas.error_pct", lang),
        }
    )


def mistake_href(record: dict, lang: str, keepers: str | None) -> str | None:
    """A ``mailto:`` link to the directory's keepers with the service's id and name filled in.

    ``keepers`` is the configured address (``settings.feedback_email()``); None when there is
    none. Subject and body are in ``lang`` and percent-encoded (RFC 6068); nothing is stored.
    """
    if not keepers:
        return None
    values = {"name": i18n.field(record, "name", lang), "id": str(record.get("id") or "")}
    query = urllib.parse.urlencode(
        {"subject": i18n.t("mistake.subject", lang, **values), "body": i18n.t("mistake.body", lang, **values)},
        quote_via=urllib.parse.quote,
    )
    href = safe.mailto_href(keepers)
    return f"{href}?{query}" if href else None


def mistake_markdown(record: dict, lang: str, keepers: str | None) -> str:
    """The "report a mistake" link as Markdown, or '' when no keepers' address is configured."""
    href = mistake_href(record, lang, keepers)
    return _link(i18n.t("mistake.link", lang), href) if href else ""


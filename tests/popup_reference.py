"""Reference markup of the map's markers, popups and tooltips, written out in Python (tests only).

The app never sends this HTML: it ships compact rows (``geo.mapping.rows``) and the browser builds
the DOM (``geo/mapping/static/location_layer.js``). The tests compare the two — the text a real
popup shows must equal the text of ``popup_html`` — and use this markup for the escaping checks.
Every data text is escaped with ``geo.safe.html_text``; links only from the ``geo.safe`` helpers.
"""
from __future__ import annotations

import datetime as dt

from geo import i18n, model, present, safe
from geo.mapping import rows, style
from geo.mapping.locations import Location, without_missing


def symbol_class_html(category: str, size: int = style.MARKER_SIZE) -> str:
    """A category symbol styled by the classes of the map's CSS (what symbolHtml makes in the browser)."""
    return (f'<span class="koper-symbol koper-s{size} koper-cat-{safe.html_text(category)}" aria-hidden="true">'
            f'{safe.html_text(style.CATEGORY_SYMBOLS.get(category, "?"))}</span>')


def marker_html(location: Location, selected: bool = False) -> str:
    """The DivIcon markup: category symbol, a count badge for several services, the location id."""
    count = len(location.services)
    badge = f'<span class="koper-count">{count}</span>' if count > 1 else ""
    return (f'<div class="koper-marker{" koper-selected" if selected else ""}" '
            f'data-location-id="{safe.html_text(location.location_id)}" '
            f'role="img" aria-label="{safe.html_text(location.address)}">'
            f"{symbol_class_html(location.category)}{badge}</div>")


def _link(label: str, href: str | None, new_tab: bool = False) -> str:
    """An <a> when the href is safe, else the label as text; always escaped."""
    if not href:
        return safe.html_text(label)
    target = ' target="_blank" rel="noopener noreferrer"' if new_tab else ""
    return f'<a href="{safe.html_text(href)}"{target}>{safe.html_text(label)}</a>'


def _line(label_key: str, value_html: str, lang: str) -> str:
    if not value_html:
        return ""
    return f"<div><b>{safe.html_text(i18n.t(label_key, lang))}:</b> {value_html}</div>"


def service_html(record: dict, lang: str, when: dt.datetime, lat: float, lon: float) -> str:
    """One service's block in a popup; every data text escaped, links only from geo.safe."""
    record = without_missing(record)
    name = i18n.field(record, "name", lang)
    category = str(record.get("category") or "")
    category_label = i18n.t(f"category.{category}", lang) if category in model.CATEGORIES else category
    parts = [
        f'<div class="koper-service" data-service-id="{safe.html_text(record.get("id"))}">',
        f'<div class="koper-service-head">{symbol_class_html(category, 16)}'
        f'<b class="koper-service-name">{safe.html_text(name)}</b></div>',
        f'<div class="koper-service-category">{safe.html_text(category_label)}</div>',
        _line("field.provider", safe.html_text(record.get("provider")), lang),
        _line("field.address", safe.html_text(present.address_text(record, lang)), lang),
    ]
    phones = [_link(present.display_phone(str(p)), safe.tel_href(str(p))) for p in record.get("phones") or []]
    parts.append(_line("field.phones", ", ".join(phones), lang))
    emails = [_link(e, safe.mailto_href(e)) for e in record.get("emails") or []]
    parts.append(_line("field.emails", ", ".join(emails), lang))
    if record.get("website"):
        parts.append(_line("field.website", _link(record["website"], safe.web_href(record["website"]), True), lang))
    parts.append(_line("field.hours", "<br>".join(safe.html_text(h) for h in rows.hours_lines(record, lang, when)), lang))
    parts.append(_line("field.price", safe.html_text(present.price_text(record, lang)), lang))
    parts.append(_line("field.how_to_apply", safe.html_text(i18n.field(record, "how_to_apply", lang)), lang))
    parts.append(_line("directory.location", safe.html_text(present.location_text(record, lang)), lang))
    directions = " · ".join([
        _link("OpenStreetMap", safe.osm_directions_href(lat, lon), True),
        _link("Google Maps", safe.google_directions_href(str(record.get("address") or "")), True),
    ])
    parts.append(_line("map.directions", directions, lang))
    verified = rows.verified_text(record, lang)
    if verified:
        parts.append(f'<div class="koper-verified">{safe.html_text(verified)}</div>')
    parts.append("</div>")
    return "".join(p for p in parts if p)


def popup_html(location: Location, lang: str, when: dt.datetime) -> str:
    """The popup of one address: a heading, then every service there (what the browser builds from its row)."""
    head = (f'<div class="koper-popup-address">'
            f'{safe.html_text(present.address_text(location.services[0], lang))}</div>')
    if len(location.services) > 1:
        head += (f'<div class="koper-popup-count">'
                 f'{safe.html_text(i18n.t("map.services_here", lang, n=len(location.services)))}</div>')
    body = "".join(service_html(s, lang, when, location.lat, location.lon) for s in location.services)
    return f'<div class="koper-popup" data-location-id="{safe.html_text(location.location_id)}">{head}{body}</div>'


def tooltip_html(location: Location, lang: str) -> str:
    """The hover text of a marker: address and service names, escaped."""
    names = [safe.html_text(i18n.field(s, "name", lang)) for s in location.services]
    return f"<b>{safe.html_text(present.address_text(location.services[0], lang))}</b><br>" + "<br>".join(names)

"""Making data and user text safe for HTML and Markdown, and links safe to follow.

Only ``http(s):``, ``mailto:`` and ``tel:`` links are ever emitted.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")
_BARE_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[^\s]*)?$")


def html_text(value: object) -> str:
    """Escape any value for use as HTML text or a quoted attribute, braces included.

    Braces become entities because folium/branca render an element's output again as a Jinja
    template: a literal "{{ … }}" or "{% … %}" from the data would otherwise run on the server.
    (Two str.replace calls: several times faster than str.translate on the map's many strings.)
    """
    text = html.escape("" if value is None else str(value), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def md_text(value: object) -> str:
    """Escape any value so Markdown shows it literally (no links, no emphasis, no HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))


def web_href(url: str) -> str | None:
    """An ``http(s)`` link for a web address (bare hosts get https://); None if unsafe."""
    text = (url or "").strip()
    if _BARE_HOST.match(text):
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in text for c in "<>\"' "):
        return None
    return text


def mailto_href(email: str) -> str | None:
    """A ``mailto:`` link for a plain e-mail address; None if it is not one."""
    text = (email or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", text):
        return None
    return "mailto:" + text


def tel_href(e164: str) -> str | None:
    """A ``tel:`` link for an E.164 number; None if it is not one."""
    text = (e164 or "").strip()
    if not re.fullmatch(r"\+[1-9]\d{5,14}", text):
        return None
    return "tel:" + text


def osm_directions_href(lat: float, lon: float) -> str:
    """An OpenStreetMap link that routes to a point."""
    return f"https://www.openstreetmap.org/directions?to={lat:.6f}%2C{lon:.6f}#map=17/{lat:.6f}/{lon:.6f}"


def google_directions_href(address: str) -> str:
    """A Google Maps directions link to an address (URL-encoded)."""
    return "https://www.google.com/maps/dir/?api=1&destination=" + quote(address, safe="")

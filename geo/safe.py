"""Making data and user text safe for HTML, Markdown and spreadsheets, and links safe to follow.

Only ``http(s):``, ``mailto:`` and ``tel:`` links are ever emitted.
"""
from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:  # pandas only for the signature: the escaping functions need nothing but re
    import pandas as pd

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=])")
# A colon that could start a Streamlit code (":material/…:", ":red[…]", ":smile:", ":100:") or end a
# URL scheme ("http:"): a zero-width space after it breaks the code even after the backslash is gone.
_ACTIVE_COLON = re.compile(r":(?=[^\s\d]|(?:100|1234)\\?:)")  # (":100:" and ":1234:" are emoji)
_ZERO_WIDTH_SPACE = "\u200b"
# GFM autolinks are found in the parsed text, where backslashes are gone: "www." and "name@host"
# are broken with the same zero-width space ("http://" already is, by the colon rule).
_AUTOLINK_START = re.compile(r"(?i)(www)(?=\\?\.)|(@)")
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
    """Escape any value so Streamlit's Markdown shows it literally: no image, link, autolink,
    emphasis, heading, HTML, maths ($), emoji, icon or colour code.

    Every Markdown punctuation character gets a backslash (CommonMark escapes). That alone is not
    enough in Streamlit: before parsing, the frontend rewrites every ":material/" in the raw text
    (backslashes included) and after parsing it turns ":name:" in plain text into emoji, so a
    colon that could start such a code or a URL scheme ("http:") is followed by a zero-width space
    (U+200B; invisible, but present if the text is copied). Colons before a digit or a space
    ("08:00", "Opomba: …") are left alone. GFM finds "www." and e-mail autolinks in the parsed
    text, so "www" and "@" get the same zero-width space.
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))
    text = _AUTOLINK_START.sub(lambda m: m.group(0) + _ZERO_WIDTH_SPACE, text)
    return _ACTIVE_COLON.sub(":" + _ZERO_WIDTH_SPACE, text)


def md_link_label(value: object) -> str:
    """Escape the text of a Markdown link (``[text](href)``) like ``md_text``, but without breaking
    "@" and "www": inside a link GFM finds no autolinks, and the label is what a person copies (an
    e-mail address with a hidden zero-width space after "@" no longer works when pasted)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))
    return _ACTIVE_COLON.sub(":" + _ZERO_WIDTH_SPACE, text)


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


# --- Spreadsheets (CSV injection) ---------------------------------------------------------

#: First characters that make Excel, LibreOffice Calc or Google Sheets read a cell as a formula
#: (OWASP "CSV Injection"): = + - @, tab and carriage return.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A run of quotes before a formula start is quoted once more, so that reading back is exact.
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def spreadsheet_cell(value: object) -> object:
    """A cell value a spreadsheet shows as text, never evaluates: text that starts with a formula
    character gets a leading apostrophe ``'`` (OWASP's advice for CSV injection).

    Only ``str`` values change; numbers, booleans, None and NaN come back as they are, so numeric
    columns stay numeric. ``"=HYPERLINK(...)"`` → ``"'=HYPERLINK(...)"``, ``"-2+3"`` → ``"'-2+3"``.

    Phone numbers: the directory stores them in E.164 (``+38656634550``), which a spreadsheet
    would read as a formula or as the number 38656634550 (the ``+`` lost). With the apostrophe
    they stay text and keep their ``+``: typed in a cell, Excel and LibreOffice hide the apostrophe
    as a "this is text" mark; opened from a CSV, Excel and LibreOffice may show it as a character
    ("'+38656634550"), which a reader or a dialler still understands. This was chosen over a
    leading space or tab (a space is stripped by some importers, a tab is itself a formula start)
    and over rewriting the number (E.164 is what the data holds and the upload reads back).
    Text starting with quotes followed by a formula character gets one more quote, so that
    :func:`from_spreadsheet_cell` reads every value back exactly.
    """
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def from_spreadsheet_cell(value: object) -> object:
    """The inverse of :func:`spreadsheet_cell`, for files that come back (staff uploads):
    one leading apostrophe before a formula character is removed; anything else is unchanged."""
    if isinstance(value, str) and _QUOTED.match(value):
        return value[1:]
    return value


def spreadsheet_frame(frame: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``frame`` with :func:`spreadsheet_cell` applied to every text cell and header.

    Shape, index and dtypes stay the same (numeric columns are not touched); the input is not
    changed. Use it on every table written as CSV or XLSX.
    """
    out = frame.copy()
    for column in out.columns:
        if getattr(out[column].dtype, "kind", "O") not in "biufcmM":  # text, object, category: may hold text
            out[column] = out[column].map(spreadsheet_cell)
    out.columns = [spreadsheet_cell(c) for c in out.columns]
    return out


def spreadsheet_sheet(sheet: object) -> None:
    """Make every text cell of an openpyxl worksheet that starts with a formula character inert.

    In a workbook the value can stay exactly as it is: the cell is stored as a string (openpyxl
    turns text starting with ``=`` into a formula otherwise) with Excel's own "quote prefix" style,
    which is what Excel stores when one types ``'=1``: shown as ``=1``, never evaluated, no
    apostrophe in the value. Changes ``sheet`` in place.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"
                cell.quotePrefix = True


_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def excel_sheet_name(name: object) -> str:
    """A worksheet title Excel accepts for any text: ``[]:*?/\\`` become ``_``, no leading or
    trailing apostrophe, at most 31 characters, never empty ("-" then)."""
    text = _SHEET_NAME_FORBIDDEN.sub("_", "" if name is None else str(name)).strip("'")[:31].strip("'")
    return text or "-"

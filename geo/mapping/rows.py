"""Map data → compact marker and popup rows, every text escaped here (the browser builds the DOM).

A row is a JSON list of short texts and numbers, not markup: ``static/location_layer.js``
turns it into a marker, tooltip and popup. Texts are escaped with ``geo.safe.html_text``;
links are ``[href, escaped label]`` with the href from a ``geo.safe`` helper (``""`` when the
value is not a safe link: the label is then shown as text). The field labels every popup
shares are shipped once per map (:func:`popup_labels`), not in every row.

The markup the browser makes from a row is written out in Python in ``tests/popup_reference.py``;
the tests compare the two.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path

from geo import atomic, i18n, model, present, safe
from geo.mapping.locations import Location, without_missing
from geo.mapping.style import CATEGORY_SYMBOLS

#: Popup field labels, shipped once per map (in this order) rather than in every popup.
POPUP_LABEL_KEYS = ("field.provider", "field.address", "field.phones", "field.emails", "field.website",
                    "field.hours", "field.price", "field.how_to_apply", "directory.location", "map.directions")

#: Characters written as \uXXXX in the locations' JSON: "<" and ">" so it can never close the
#: <script> element, "&" for XHTML, braces so it can never form a Jinja delimiter when branca
#: renders the element's output again as a template.
_SCRIPT_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("{", "\\u007b"), ("}", "\\u007d"))


def script_json(rows: list[list]) -> str:
    """Lists of strings and numbers as JSON safe to put in a script and in a Jinja template's output.

    Only lists (no objects), so every brace in the result is inside a string and can be escaped.
    Raises ValueError for NaN or infinite numbers.
    """
    text = json.dumps(rows, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_JSON_ESCAPES:  # str.replace: far faster than translate on megabytes
        text = text.replace(char, escaped)
    return text


def popup_labels(lang: str) -> dict:
    """What every popup shares, in ``lang``, escaped: field labels and each category's label and symbol.

    ``{"fields": [label per POPUP_LABEL_KEYS], "categories": [[category, label, symbol], …]}``.
    """
    return {
        "fields": [safe.html_text(i18n.t(key, lang)) for key in POPUP_LABEL_KEYS],
        "categories": [[c, safe.html_text(i18n.t(f"category.{c}", lang)), safe.html_text(CATEGORY_SYMBOLS[c])]
                       for c in model.CATEGORIES],
    }


def state_text(record: dict, lang: str, when: dt.datetime) -> str:
    """Open or closed at ``when`` in ``lang``; 'unknown' when the hours cannot be read."""
    try:
        return present.state_text(record, lang, when)
    except Exception:
        return i18n.t("state.unknown", lang)


def hours_lines(record: dict, lang: str, when: dt.datetime, *, with_state: bool = True) -> list[str]:
    """The popup's opening-hours lines (unescaped): note, today's hours, open state; or the note as written.

    ``with_state=False``: without the last line, the open state (what changes from minute to minute;
    ``state_codes`` gives it apart).
    """
    if record.get("opening_hours"):
        lines = [i18n.field(record, "hours_note", lang), present.today_text(record, lang, when),
                 state_text(record, lang, when) if with_state else ""]
    else:  # no machine-readable hours: the note as written, or 'unknown'
        lines = [present.hours_text(record, lang)]
    return [line for line in lines if line]


def verified_text(record: dict, lang: str) -> str:
    """"Verified 23. 11. 2026" in ``lang`` from the ISO ``last_verified`` date; '' when there is none."""
    try:
        day = dt.date.fromisoformat(str(record.get("last_verified") or ""))
    except ValueError:
        return ""
    return i18n.t("map.verified", lang, date=i18n.format_day(day, lang))


class _RowWriter:
    """Rows in one language at one moment; dates and phone numbers formatted once per value.

    Thousands of popups share a few dates and numbers, and Babel/phonenumbers are slow. The
    memo lives as long as one call of ``location_rows`` (no cache kept between calls).
    """

    def __init__(self, lang: str, when: dt.datetime, with_state: bool = True):
        self.lang, self.when, self.with_state = lang, when, with_state
        self._phones: dict[str, list[str]] = {}
        self._verified: dict[str, str] = {}

    def phone(self, phone: str) -> list[str]:
        if phone not in self._phones:
            self._phones[phone] = [safe.tel_href(phone) or "", safe.html_text(present.display_phone(phone))]
        return list(self._phones[phone])

    def verified(self, record: dict) -> str:
        day = str(record.get("last_verified") or "")
        if day not in self._verified:
            self._verified[day] = safe.html_text(verified_text({"last_verified": day}, self.lang))
        return self._verified[day]

    def service(self, record: dict) -> list:
        lang = self.lang
        record = without_missing(record)
        website = record.get("website")
        return [
            safe.html_text(record.get("id")),
            safe.html_text(i18n.field(record, "name", lang)),
            safe.html_text(record.get("category") or ""),
            safe.html_text(record.get("provider")),
            safe.html_text(present.address_text(record, lang)),
            [self.phone(str(p)) for p in record.get("phones") or []],
            _links([(str(e), safe.mailto_href(str(e))) for e in record.get("emails") or []]),
            _links([(str(website), safe.web_href(str(website)))])[0] if website else [],
            [safe.html_text(h) for h in hours_lines(record, lang, self.when, with_state=self.with_state)],
            safe.html_text(present.price_text(record, lang)),
            safe.html_text(i18n.field(record, "how_to_apply", lang)),
            safe.html_text(present.location_text(record, lang)),
            safe.google_directions_href(str(record.get("address") or "")),
            self.verified(record),
        ]

    def marker(self, location: Location) -> list:
        count = len(location.services)
        return [
            location.lat, location.lon, safe.html_text(location.location_id), safe.html_text(location.category),
            safe.html_text(present.address_text(location.services[0], self.lang)),
            safe.html_text(i18n.t("map.services_here", self.lang, n=count)) if count > 1 else "",
        ]

    def details(self, location: Location) -> list:
        return [safe.osm_directions_href(location.lat, location.lon), [self.service(s) for s in location.services]]

    def location(self, location: Location) -> list:
        return self.marker(location) + self.details(location)


def _links(pairs: list[tuple[str, str | None]]) -> list[list[str]]:
    """[href or "", escaped label] per link (the href straight from a geo.safe helper, or none)."""
    return [[href or "", safe.html_text(label)] for label, href in pairs]


def service_row(record: dict, lang: str, when: dt.datetime) -> list:
    """One service of a popup as a compact row: what the popup shows, without the markup.

    [id, name, category, provider, address, phones, emails, website, hours lines, price,
    how to apply, location, Google directions href, verified]: texts escaped; phones and emails
    lists of [href, label], website one [href, label] or [].
    """
    return _RowWriter(lang, when).service(record)


def location_row(location: Location, lang: str, when: dt.datetime) -> list:
    """One address for ``LocationLayer``: [lat, lon, id, marker category, address, "n services here"
    (only for several), OpenStreetMap directions href, service rows (see ``service_row``)]."""
    return _RowWriter(lang, when).location(location)


def location_rows(located: list[Location], lang: str, when: dt.datetime) -> list[list]:
    """One row per address for ``LocationLayer`` (the same for every selection and view of the map)."""
    writer = _RowWriter(lang, when)
    return [writer.location(loc) for loc in located]


def location_json(located: list[Location], lang: str, when: dt.datetime) -> str:
    """``location_rows`` as the script-safe JSON the layer embeds (what ``ui.cache`` keeps per view)."""
    return script_json(location_rows(located, lang, when))


# --- the rows in three files (issue 14) -------------------------------------------------------------
# For 10,000 addresses the whole rows are ~6 MB, most of it popups nobody opens, and rewritten every
# minute for the open state alone. Split: the markers (what drawing needs: per view), the popups'
# details (per view and day: "today" hours) fetched after the markers or when a popup opens, and
# the open state (per minute: one character per service), which is the small file the map fetches
# first; it names the other two. ``location_layer.js`` puts a row back together as ``location_row``.

def marker_row(location: Location, lang: str) -> list:
    """What drawing an address needs: [lat, lon, id, marker category, address, "n services here"
    (only for several), [service names]]: ``location_row``'s first six fields and the names."""
    writer = _RowWriter(lang, dt.datetime.min)
    return writer.marker(location) + [[safe.html_text(i18n.field(without_missing(s), "name", lang))
                                       for s in location.services]]


def marker_json(located: list[Location], lang: str) -> str:
    """``marker_row`` of every address as script-safe JSON (the same for every minute and day)."""
    return script_json([marker_row(loc, lang) for loc in located])


#: The largest ``marker_json`` (bytes) a map frame carries inline rather than fetching it
#: (``inline_markers``). Fetching the markers costs a round trip after the view file's (~190 ms
#: between the map and its first marker for Koper, issue 14), however small they are; carried
#: inline they are drawn in the same task as the map, but they come with the frame's script, which
#: the browser receives again on every new view and minute. Koper's 15 addresses are ~3 KB
#: (~190 bytes each) and the frame's script ~140 KB: up to 64 KB (~340 addresses) adds at most
#: about half of it again, while the 10,000-address test case (1.5 MB) keeps its file, fetched once.
INLINE_MARKERS_MAX_BYTES = 64 * 1024


def inline_markers(markers_json: str, max_bytes: int | None = None) -> str | None:
    """``markers_json`` (``marker_json``'s text) when a map frame should carry it inline: at most
    ``max_bytes`` bytes of UTF-8 (default ``INLINE_MARKERS_MAX_BYTES``); else None (the map fetches
    the markers file)."""
    limit = INLINE_MARKERS_MAX_BYTES if max_bytes is None else max_bytes
    return markers_json if len(markers_json.encode("utf-8")) <= limit else None


def detail_rows(located: list[Location], lang: str, day: dt.datetime) -> list[list]:
    """The rest of each ``location_row``: [OpenStreetMap directions href, service rows], the service
    rows without their open-state line (``state_codes``); valid all of ``day``'s date."""
    writer = _RowWriter(lang, day, with_state=False)
    return [writer.details(loc) for loc in located]


def detail_json(located: list[Location], lang: str, day: dt.datetime) -> str:
    """``detail_rows`` as script-safe JSON."""
    return script_json(detail_rows(located, lang, day))


def state_codes(located: list[Location], lang: str, when: dt.datetime) -> tuple[list[str], str]:
    """The open-state line of every service at ``when``: (distinct escaped texts, one character per
    service in row order: the text's index "0"–"9", or "." for none: hours not machine-readable).

    The service row's last hours line in ``location_row``; ``detail_rows`` leaves it out.
    Raises ValueError when there are more than ten distinct texts (there are three).
    """
    texts: dict[str, str] = {}
    codes = []
    for location in located:
        for record in location.services:
            text = state_text(record, lang, when) if record.get("opening_hours") else ""
            if not text:
                codes.append(".")
                continue
            if text not in texts:
                if len(texts) == 10:
                    raise ValueError("more than ten distinct open-state texts")
                texts[text] = str(len(texts))
            codes.append(texts[text])
    return [safe.html_text(t) for t in texts], "".join(codes)


def view_json(markers_url: str, details_url: str, located: list[Location], lang: str, when: dt.datetime) -> str:
    """The file the map fetches first, for one view and minute: ``[markers_url, details_url, state
    texts, state codes]`` (see ``state_codes``), script-safe JSON. The two URLs name the published
    ``marker_json`` and ``detail_json`` (``publish_rows``). Raises ValueError like ``state_codes``."""
    texts, codes = state_codes(located, lang, when)
    return script_json([str(markers_url), str(details_url), texts, codes])


#: Folder under the app's ``static/`` holding the published marker rows, and its URL (Streamlit's
#: static route); files older than ``ROWS_FILE_MAX_AGE_S`` are removed when a new one is written.
ROWS_DIR_NAME = "maprows"
ROWS_URL_PREFIX = "/app/static/" + ROWS_DIR_NAME
ROWS_FILE_MAX_AGE_S = 3600


def publish_rows(static_dir: Path, rows_json: str, *, max_age_s: float = ROWS_FILE_MAX_AGE_S) -> str:
    """Write ``rows_json`` (``location_json``'s text) as ``static_dir/maprows/<sha256>.json``; returns its URL.

    The name is the content's hash, so every session and every server process behind a proxy
    writes and links the same file for the same rows; an existing file is only touched. Written
    to a temporary name and renamed (a browser never reads half a file). Files not touched for
    ``max_age_s`` seconds are deleted (the minute in the rows makes a new file every minute).
    Raises OSError when the folder cannot be written.
    """
    folder = Path(static_dir) / ROWS_DIR_NAME
    data = rows_json.encode("utf-8")
    name = hashlib.sha256(data).hexdigest()[:32] + ".json"
    target = folder / name
    if target.is_file() and target.stat().st_size == len(data):
        target.touch()
    else:
        folder.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(target, data)
    cutoff = time.time() - max_age_s
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:  # another process removed it first
            pass
    return f"{ROWS_URL_PREFIX}/{name}"

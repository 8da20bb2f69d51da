"""A directory whose every text field is hostile, loaded through KOPER_MAP_DATA_DIR.

Each string tries to run script in a different way; if any of them ever runs, it sets
``window.__pwned`` (or opens a dialog), which the tests look for in every frame.
"""
from __future__ import annotations

import csv
import io
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


def build(target: Path) -> Path:
    """Copy data/ to ``target`` and fill every text field of every service with hostile strings."""
    shutil.copytree(settings.PROJECT_DIR / "data", target)
    services_csv = target / settings.SERVICES_FILE
    with services_csv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    for number, row in enumerate(rows):
        for position, name in enumerate(TEXT_FIELDS):
            if name in ("address", "provider_address"):
                continue
            if row.get(name) or name.startswith(("name_", "description_", "provider")):
                row[name] = f"{row[name][:20]} {HOSTILE[(number + position) % len(HOSTILE)]}"
        if row["location_type"] in ("site", "office") and "Kolarska" in row["address"]:
            row["address"] = HOSTILE_ADDRESS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    services_csv.write_text(out.getvalue(), encoding="utf-8")

    manual = target / settings.MANUAL_COORDINATES_FILE
    text = manual.read_text(encoding="utf-8")
    kolarska = next(line for line in text.splitlines() if line.startswith('"Kolarska ulica 10'))
    manual.write_text(text + kolarska.replace('"Kolarska ulica 10, 6000 Koper"', '"' + HOSTILE_ADDRESS.replace('"', '""') + '"') + "\n",
                      encoding="utf-8")
    return target

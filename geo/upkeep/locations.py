"""Hand-placed points: a member of staff corrects where an address is drawn (``manual_coordinates.csv``)."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from geo import areas, geocode, load, settings
from geo.errors import DataValidationError, Problem
from geo.upkeep import changelog, saving
from geo.upkeep.guard import require_enabled
from geo.upkeep.placing import boundary_index

#: Fields of a hand-placed point whose change is logged.
_LOGGED = ("lat", "lon", "accuracy_m", "note")


def record_manual_location(
    address: str,
    lat: float,
    lon: float,
    *,
    actor: str,
    data_dir: Path | str,
    note: str = "",
    accuracy_m: int | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    area_index: areas.AreaIndex | None = None,
) -> dict[str, object]:
    """Write a hand-placed point (WGS84 degrees) for ``address``; returns the line written.

    A line for the same address (in any spelling) is replaced. The point must lie in Koper or
    Ankaran (``area_index``, else the data directory's boundaries); ``actor`` (the signed-in staff)
    and the date are recorded, the change is logged and the old file kept as a dated copy.
    Raises DataValidationError (nothing written), UpkeepDisabled, StorageError.
    """
    require_enabled()
    file = settings.MANUAL_COORDINATES_FILE
    problems: list[Problem] = []
    address = " ".join(str(address or "").split())
    who = " ".join(str(actor or "").split())
    if not address:
        problems.append(Problem(file, None, "address", "", "is empty; write e.g. 'Krožna cesta 5, 6000 Koper'"))
    if not who:
        problems.append(Problem(file, None, "method", "", "say who placed the point (the signed-in staff)"))
    accuracy = settings.MANUAL_CORRECTION_ACCURACY_M if accuracy_m is None else accuracy_m
    if not isinstance(accuracy, int) or isinstance(accuracy, bool) or accuracy <= 0:
        problems.append(Problem(file, None, "accuracy_m", accuracy, "must be a positive whole number of metres"))
    point = []
    for axis, value in (("lat", lat), ("lon", lon)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            problems.append(Problem(file, None, axis, value, "is not a number; use a decimal point, e.g. 45.5465"))
        point.append(number)
    area_id = None
    if not problems:
        index = area_index if area_index is not None else boundary_index(data_dir)
        area_id = areas.area_of_point(point[0], point[1], index) if index is not None else None
        if area_id is None:
            problems.append(
                Problem(file, None, "lat", f"{point[0]}, {point[1]}",
                        "the point is outside the Municipality of Koper and Ankaran; "
                        "check the point, and that latitude and longitude are not swapped")
            )
    if problems:
        raise DataValidationError(problems)
    day = (today or changelog.local_time(now).date()).isoformat()
    line = {
        "address": address,
        "lat": f"{round(point[0], 6)}",
        "lon": f"{round(point[1], 6)}",
        "area_id": area_id,
        "accuracy_m": str(accuracy),
        "method": f"placed by hand on the upkeep page by {who}",
        "placed_on": day,
        "note": " ".join(str(note or "").split()),
    }
    path = Path(data_dir) / file
    with saving._save_lock:
        table = _manual_table(path, data_dir)
        register = geocode.Register.from_tables(*geocode.load_register(data_dir))  # indexed once for every row
        key = register.address_key(address)
        same = [register.address_key(a) == key for a in table["address"]]
        old: dict[str, str] = {}
        if any(same):
            position = same.index(True)
            old = {c: str(table.loc[position, c]) for c in _LOGGED}
            table = table[[not s or i == position for i, s in enumerate(same)]].reset_index(drop=True)
            table.loc[position, list(line)] = list(line.values())
        else:
            table = pd.concat([table, pd.DataFrame([line])], ignore_index=True)
        # Check the whole file as the app will read it before replacing anything.
        data = saving.csv_bytes(table, table.columns)
        geocode.validate_manual_coordinates(saving.table_of(data).reindex(columns=list(geocode.MANUAL_COLUMNS)), file)
        when = changelog.timestamp(now)
        entries = [
            changelog.Entry(when, who, changelog.LOCATION, file, address, "changed" if old else "added", name,
                            old.get(name, ""), str(line[name]))
            for name in _LOGGED
            if old.get(name, "") != str(line[name])
        ]
        saving.replace_file(path, data, data_dir=data_dir, entries=entries, now=now)
    return dict(line)


def _manual_table(path: Path, data_dir: Path | str) -> pd.DataFrame:
    """The raw manual file (text as written), after checking it loads; empty if there is none."""
    if not path.is_file():
        return pd.DataFrame(columns=list(geocode.MANUAL_COLUMNS), dtype=str)
    geocode.load_manual_coordinates(data_dir)  # refuse to edit a file the app cannot read
    return load.read_csv_text(path)


def restore_manual(
    content: bytes,
    backup_name: str,
    *,
    data_dir: Path | str,
    actor: str,
    now: dt.datetime | None = None,
) -> saving.SaveResult:
    """Put a backup of ``manual_coordinates.csv`` back in place (checked, logged, with a backup of the current file)."""
    require_enabled()
    file = settings.MANUAL_COORDINATES_FILE
    who = saving.check_actor(actor, file)
    geocode.validate_manual_coordinates(saving.table_of(content).reindex(columns=list(geocode.MANUAL_COLUMNS)), file)
    path = Path(data_dir) / file
    with saving._save_lock:
        if path.is_file() and path.read_bytes() == content:
            return saving.SaveResult(path, None, False)
        entry = changelog.Entry(changelog.timestamp(now), who, changelog.RESTORE, file, "*", "replaced", detail=backup_name)
        backup = saving.replace_file(path, content, data_dir=data_dir, entries=[entry], now=now)
    return saving.SaveResult(path, backup, True)

"""The directory's health for the staff page: approximate locations (and which to verify online first),
records not verified for long."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from geo import model, settings
from geo.upkeep.comparing import cell_text
from geo.upkeep.placing import is_approximate


def approximate_locations(located: pd.DataFrame) -> pd.DataFrame:
    """Placed records (``model.PLACED_TYPES``) without a point at the building, from ``directory.with_locations``.

    Columns: id, name_sl, address, location_precision, location_source, location_accuracy_m, reason.
    """
    columns = ["id", "name_sl", "address", "location_precision", "location_source", "location_accuracy_m", "reason"]
    lines = []
    for record in located.to_dict("records"):
        if record.get("location_type") not in model.PLACED_TYPES:
            continue
        precision = cell_text(record.get("location_precision"))
        accuracy = record.get("location_accuracy_m")
        if record.get("lat") is None or cell_text(record.get("lat")) == "":
            reason = "no location found"
        elif precision in ("settlement", "street"):
            reason = f"placed at the {precision} only"
        elif is_approximate(precision, accuracy):
            reason = f"placed by hand, error radius {int(float(accuracy))} m"
        else:
            continue
        lines.append({**{c: record.get(c) for c in columns[:-1]}, "reason": reason})
    return pd.DataFrame(lines, columns=columns)


#: A point whose error radius reaches this far (metres) may lie in the wrong local community, so
#: coverage would count its services there: staff verify such points online before the others.
VERIFY_FIRST_RADIUS_M = 1_000


def verify_online_first(located: pd.DataFrame, min_radius_m: float = VERIFY_FIRST_RADIUS_M) -> pd.DataFrame:
    """Addresses whose point may be ``min_radius_m`` metres or more off, widest first (issue 13).

    One row per address of a placed record in ``located`` (``directory.with_locations``): points
    without a radius (street or settlement only, or not found) come first, then hand-placed points
    by their error radius. Columns: address, ids (the records there, ``;``-separated),
    location_accuracy_m (None when unknown), reason.
    """
    columns = ["address", "ids", "location_accuracy_m", "reason"]
    approximate = approximate_locations(located)
    rows = []
    for address, group in approximate.groupby("address", sort=False):
        radius = pd.to_numeric(group["location_accuracy_m"], errors="coerce").max()
        unknown = pd.isna(radius) or cell_text(group["location_precision"].iloc[0]) != "manual"
        if unknown or radius >= min_radius_m:
            rows.append({"address": address, "ids": ";".join(group["id"]),
                         "location_accuracy_m": None if unknown else int(radius), "reason": group["reason"].iloc[0]})
    table = pd.DataFrame(rows, columns=columns)
    order = table["location_accuracy_m"].map(lambda m: math.inf if m is None or pd.isna(m) else m)
    return table.iloc[order.sort_values(ascending=False, kind="stable").index].reset_index(drop=True)


def stale_records(
    services: pd.DataFrame,
    today: dt.date,
    max_age_days: int = settings.VERIFY_MAX_AGE_DAYS,
) -> pd.DataFrame:
    """Records whose ``last_verified`` is more than ``max_age_days`` before ``today`` (or unreadable), oldest first.

    Columns: id, name_sl, last_verified, age_days (None when the date cannot be read).
    """
    lines = []
    for record in services.to_dict("records"):
        text = cell_text(record.get("last_verified")).strip()
        try:
            age: int | None = (today - dt.date.fromisoformat(text)).days
        except ValueError:
            age = None
        if age is None or age > max_age_days:
            lines.append({"id": record.get("id"), "name_sl": record.get("name_sl"), "last_verified": text, "age_days": age})
    table = pd.DataFrame(lines, columns=["id", "name_sl", "last_verified", "age_days"])
    order = table["age_days"].map(lambda a: math.inf if a is None or pd.isna(a) else a)
    return table.iloc[order.sort_values(ascending=False, kind="stable").index].reset_index(drop=True)

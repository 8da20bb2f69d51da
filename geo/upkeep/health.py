"""The directory's health for the staff page: approximate locations, records not verified for long."""
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

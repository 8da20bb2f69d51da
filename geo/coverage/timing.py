"""Coverage at a chosen time: which services count then, and which are closed (with their next opening) or unknown.

The measures count the services open at the chosen time (and, when asked, those whose hours are
unknown). ``time_status`` lists the rest so that no known-closed service is dropped silently.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo import hours
from geo.coverage import inputs
from geo.coverage.rules import ALL, GENERAL_GROUP

#: Columns of time_status, in order.
STATUS_COLUMNS = ("id", "state", "next_opening", "counted")


def open_at(services: pd.DataFrame, when: dt.datetime, include_unknown_hours: bool = False) -> np.ndarray:
    """Boolean array: the service is ``open`` at local time ``when`` (or ``unknown``, when included).

    Empty hours are unknown (geo.hours); Slovenian public holidays apply through ``PH`` rules.
    """
    states = hours.states_at(services, when)
    kept = (hours.OPEN, hours.UNKNOWN) if include_unknown_hours else (hours.OPEN,)
    return states.isin(kept).to_numpy(dtype=bool)


def time_status(services: pd.DataFrame, when: dt.datetime, *, category: str | None = None,
                target_group: str | None = None, include_unknown_hours: bool = False) -> pd.DataFrame:
    """The matching services' state at ``when``: one row per service (STATUS_COLUMNS), index as ``services``.

    ``state`` is hours.OPEN / CLOSED / UNKNOWN at local time ``when``; ``next_opening`` the naive
    Koper time a closed service opens next (hours.next_opening; None when not known within two
    weeks); ``counted`` whether the coverage measures count it at that time. Matching as the
    measures: category (None or "all" = every), target group or ``general`` (None = every);
    confidential services and information records never appear. Rows: closed first (soonest
    opening first), then unknown, then open; ties in the table's order. Raises ValueError like
    hours.to_local.
    """
    table = inputs.counted(services)
    if category not in (None, ALL):
        table = table[table["category"] == category]
    if target_group not in (None, ALL):
        groups = inputs.items(table["target_groups"])
        table = table.loc[groups.index[groups.isin((target_group, GENERAL_GROUP))].unique()]
    expressions = table["opening_hours"].fillna("").astype(str) if "opening_hours" in table.columns \
        else pd.Series("", index=table.index, dtype=object)
    states = hours.states_at(expressions, when)
    next_open = [hours.next_opening(e, when) if s == hours.CLOSED else None for e, s in zip(expressions, states)]
    kept = (hours.OPEN, hours.UNKNOWN) if include_unknown_hours else (hours.OPEN,)
    out = pd.DataFrame({"id": table["id"].astype(str), "state": states, "next_opening": pd.Series(next_open, index=table.index, dtype=object),
                        "counted": states.isin(kept)}, index=table.index)
    order = out["state"].map({hours.CLOSED: 0, hours.UNKNOWN: 1, hours.OPEN: 2})
    soon = out["next_opening"].map(lambda t: t if t is not None else dt.datetime.max)
    ranked = out.assign(_order=order, _soon=soon, _pos=range(len(out)))
    ranked = ranked.sort_values(["_order", "_soon", "_pos"], kind="stable")
    return ranked[list(STATUS_COLUMNS)]


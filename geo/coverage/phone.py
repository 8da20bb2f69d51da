"""Selections whose only matching services are confidential (by phone only): said as such, never a gap.

Confidential services (location type ``confidential``: crisis centres, safe houses) have no
address and never enter a measure (geo.coverage.inputs.counted). When they are the only services
matching an area's selection, the measures see nothing at all (basis ``none``) and would flag
"far: no matching service"; these residents can in fact reach them by phone. ``mark_phone_only``
marks such rows, empties their place measures (not measured by distance) and lowers their gap flags.
geo.coverage.measures applies it to every table it returns, so the pages, the council report and
the command line all say "help by phone only (confidential address)". Pure pandas; no Streamlit.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo import model
from geo.coverage import timing
from geo.coverage.inputs import items, service_area_token
from geo.coverage.rules import ALL, GAP_FLAGS, NOTHING, PHONE_ONLY

__all__ = ["PHONE_ONLY", "REASON", "mark_phone_only"]

#: gap_reasons of a marked row (English, like the other gap_reasons; people read coverage.value_phone_only).
REASON = "phone only: the matching services are confidential (by phone), not measured by distance; not a gap"
_MEASURES = ("mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km",
             "share_within_1km", "share_within_5km", "share_within_10km", "access_2sfca")


def _confidential(services: pd.DataFrame, target_group: str | None, at: dt.datetime | None,
                  include_unknown_hours: bool) -> pd.DataFrame:
    """The confidential services (not information records) for the target group, open at ``at`` when given.

    A specific target group needs the group itself in the service's target_groups (services for
    everyone never close a specific group's gap, as in the measures)."""
    rows = services.loc[services["location_type"].astype(str) == model.CONFIDENTIAL]
    if "record_kind" in rows.columns:
        rows = rows.loc[rows["record_kind"].fillna("").astype(str) != model.INFORMATION]
    if target_group:
        groups = items(rows["target_groups"])
        rows = rows.loc[sorted(set(groups.index[groups == target_group]))]
    if at is not None and len(rows):
        rows = rows.loc[timing.open_at(rows, at, include_unknown_hours)]
    return rows


def mark_phone_only(long: pd.DataFrame, services: pd.DataFrame, target_group: str | None = None,
                    at: dt.datetime | None = None, include_unknown_hours: bool = False,
                    category: str | None = None) -> pd.DataFrame:
    """A copy of ``long`` (coverage_by_category's or area_coverage's rows; without a "category" column
    every row is of ``category``, None = all) with a bool column ``phone_only``: basis ``none`` and a
    confidential service of the row's category (any for ``all``) serves the area's residents
    (service_area, as serves_area). The selection (target group, time) must be the one ``long`` was
    measured with.

    Those rows get their place measures emptied (NaN: not measured by distance), every gap flag
    lowered and ``gap_reasons`` saying why. ``services`` is geo.directory's table with the
    confidential rows. Raises KeyError when ``long`` lacks basis/area_id or ``services`` lacks
    location_type/target_groups/category/service_area.
    """
    table = long.copy()
    table.attrs = dict(long.attrs)
    found = _confidential(services, target_group, at, include_unknown_hours)
    # per eligibility token: the categories of the confidential services its residents may call
    # (no service_area = everyone); one pass over the few confidential rows, not one per table row
    callable_by: dict = {}
    for service_area, service_category in zip(found["service_area"], found["category"].astype(str)):
        served = set(items(pd.Series([service_area])))
        for token in (*model.SERVICE_AREAS, None):  # None: an area outside Koper and Ankaran, any service
            if not served or token is None or token in served:
                callable_by.setdefault(token, set()).add(service_category)
    row_categories = table["category"] if "category" in table.columns else pd.Series(category or ALL, index=table.index)
    tokens = {area_id: service_area_token(str(area_id)) for area_id in pd.unique(table["area_id"])}
    marks = np.zeros(len(table), dtype=bool)
    for position, (area_id, basis, row_category) in enumerate(zip(table["area_id"], table["basis"], row_categories)):
        usable = callable_by.get(tokens[area_id], set())
        marks[position] = basis == NOTHING and (row_category in usable or (row_category == ALL and bool(usable)))
    table[PHONE_ONLY] = marks
    if marks.any():
        for column in _MEASURES:
            if column in table.columns:
                table.loc[marks, column] = np.nan
        for column in (*GAP_FLAGS, "gap"):
            table.loc[marks, column] = False
        table.loc[marks, "gap_reasons"] = REASON
    return table

"""What if: hypothetical places a planner adds to try a service before funding it.

A :class:`Place` is a point (WGS84 degrees) with a category, target groups, opening hours and the
municipalities whose residents may use it. Places are never written to the directory: they live in
the link (``?wi=``, :func:`encode` / :func:`decode`) and become extra ``site`` rows of the services
table only for one computation (:func:`with_places`), with ids ``scenario-1``, ``scenario-2`` …
The coverage measures themselves stay in geo.coverage; :func:`compare` only sets its "before" and
"after" tables side by side.

Link format, one place per ``|``-separated part, fields separated by ``~``::

    lat~lon~category~group.group~koper.ankaran~<opening hours, %, ~, | and non-ASCII percent-encoded>~<origin>

``origin`` is ``s<settlement_id>`` for a settlement centroid and ``p`` for any other point (a map
click or a looked-up address: the typed address itself never goes into the link). Parsing is
bounded: at most MAX_LINK_CHARS characters and MAX_PLACES places are read, numbers must look like
coordinates (no exponents, no NaN) and lie inside Koper's bounding box, every word must be in the
data model's vocabulary, and opening hours must be valid OSM syntax of at most MAX_HOURS_CHARS.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

import numpy as np
import pandas as pd

from geo import areas, hours, i18n, model, settings
from geo.errors import ScenarioError

#: The query parameter that holds the scenario.
PARAM = "wi"
MAX_PLACES = 10
MAX_LINK_CHARS = 4000
MAX_HOURS_CHARS = 200
#: Decimals of a coordinate in the link (5 ≈ 1 m).
DECIMALS = 5
ID_PREFIX = "scenario-"
#: Who may use a new place when the planner does not say: residents of the Municipality of Koper.
DEFAULT_SERVICE_AREA = ("koper",)
POINT, SETTLEMENT = "p", "s"
_PLACE_SEP, _FIELD_SEP, _LIST_SEP = "|", "~", "."
_NUMBER = re.compile(r"^-?\d{1,3}(?:\.\d{1,8})?$")
_ORIGIN = re.compile(r"^(?:p|s\d{1,12})$")


@dataclass(frozen=True)
class Place:
    """One hypothetical place. ``origin``: ``p`` (a point) or ``s<settlement_id>`` (a settlement centroid)."""

    lat: float
    lon: float
    category: str
    target_groups: tuple[str, ...]
    opening_hours: str = ""
    service_area: tuple[str, ...] = DEFAULT_SERVICE_AREA
    origin: str = POINT

    def __post_init__(self) -> None:
        problems = problems_of(self)
        if problems:
            raise ScenarioError("hypothetical place: " + "; ".join(problems))
        # Rounded as the link writes them (~1 m), so a reopened link gives equal places.
        object.__setattr__(self, "lat", round(float(self.lat), DECIMALS))
        object.__setattr__(self, "lon", round(float(self.lon), DECIMALS))
        object.__setattr__(self, "target_groups", tuple(self.target_groups))
        object.__setattr__(self, "service_area", tuple(self.service_area))

    @property
    def settlement_id(self) -> str | None:
        """The settlement whose centroid this place is, or None."""
        return self.origin[1:] if self.origin.startswith(SETTLEMENT) else None


def problems_of(place: Place) -> list[str]:
    """Why ``place`` cannot be used (English sentences naming the value and the fix); [] when it can."""
    found = []
    south, west, north, east = settings.KOPER_BBOX
    lat, lon = place.lat, place.lon
    if not (isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and math.isfinite(lat) and math.isfinite(lon)
            and south <= lat <= north and west <= lon <= east):
        found.append(f"point ({lat!r}, {lon!r}) is not inside Koper's bounding box {settings.KOPER_BBOX} (lat, lon in degrees)")
    if place.category not in model.CATEGORIES:
        found.append(f"unknown category {place.category!r}; use one of {', '.join(model.CATEGORIES)}")
    groups = tuple(place.target_groups)
    if not groups or any(g not in model.TARGET_GROUPS for g in groups) or len(set(groups)) != len(groups):
        found.append(f"target groups {groups!r} must be one or more distinct of {', '.join(model.TARGET_GROUPS)}")
    area = tuple(place.service_area)
    if not area or any(a not in model.SERVICE_AREAS for a in area) or len(set(area)) != len(area):
        found.append(f"service area {area!r} must be one or more distinct of {', '.join(model.SERVICE_AREAS)}")
    text = place.opening_hours
    if not isinstance(text, str) or len(text) > MAX_HOURS_CHARS:
        found.append(f"opening hours must be text of at most {MAX_HOURS_CHARS} characters")
    elif hours.problem(text):
        found.append(f"opening hours {text!r}: {hours.problem(text)}")
    if not isinstance(place.origin, str) or not _ORIGIN.match(place.origin):
        found.append(f"origin {place.origin!r} must be 'p' or 's<settlement id>'")
    return found


# --- the link -----------------------------------------------------------------------------------

def _number(value: float) -> str:
    return f"{value:.{DECIMALS}f}"


def encode(places: list[Place] | tuple[Place, ...]) -> str:
    """The ``?wi=`` value of ``places`` ('' for none). Raises ScenarioError above MAX_PLACES."""
    if len(places) > MAX_PLACES:
        raise ScenarioError(f"at most {MAX_PLACES} hypothetical places fit in a link, got {len(places)}; remove some")
    parts = []
    for place in places:
        # Only what could break the format (%, ~, |) and non-ASCII is escaped: the browser's own
        # URL encoding then keeps "Mo-Fr 08:00-16:00" readable instead of encoding it twice.
        hours_text = quote(place.opening_hours, safe=" :;,-+/.()[]\"'@").replace("~", "%7E")
        parts.append(_FIELD_SEP.join((
            _number(place.lat), _number(place.lon), place.category, _LIST_SEP.join(place.target_groups),
            _LIST_SEP.join(place.service_area), hours_text, place.origin,
        )))
    return _PLACE_SEP.join(parts)


@dataclass(frozen=True)
class Decoded:
    """What a link held: the readable places (in order) and how many parts could not be read."""

    places: tuple[Place, ...] = ()
    dropped: int = 0


def _place_from(part: str) -> Place | None:
    fields = part.split(_FIELD_SEP)
    if len(fields) != 7 or len(part) > 2 * MAX_HOURS_CHARS + 200:
        return None
    lat, lon, category, groups, service_area, hours_text, origin = fields
    if not (_NUMBER.match(lat) and _NUMBER.match(lon)):
        return None
    try:
        opening = unquote(hours_text, errors="strict")
    except UnicodeDecodeError:
        return None
    try:
        return Place(lat=float(lat), lon=float(lon), category=category,
                     target_groups=tuple(g for g in groups.split(_LIST_SEP)),
                     opening_hours=opening, service_area=tuple(service_area.split(_LIST_SEP)), origin=origin)
    except ScenarioError:
        return None


def decode(value: object) -> Decoded:
    """The places of a ``?wi=`` value; anything unreadable is counted in ``dropped``, never raised.

    Reads at most MAX_LINK_CHARS characters and MAX_PLACES places (the rest counts as dropped).
    """
    if not isinstance(value, str) or not value.strip():
        return Decoded()
    text = value.strip()
    too_long = len(text) > MAX_LINK_CHARS
    parts = text[:MAX_LINK_CHARS].split(_PLACE_SEP)
    if too_long:
        parts = parts[:-1]  # the cut part is incomplete
    places, dropped = [], int(too_long)
    for i, part in enumerate(parts):
        if i >= MAX_PLACES:
            dropped += len(parts) - MAX_PLACES
            break
        place = _place_from(part)
        if place is None:
            dropped += 1
        else:
            places.append(place)
    return Decoded(tuple(places), dropped)


# --- the services table with the places ---------------------------------------------------------

def place_id(position: int) -> str:
    """The id of the place at 0-based ``position``: ``scenario-1`` for the first."""
    return f"{ID_PREFIX}{position + 1}"


def is_scenario_id(value: object) -> bool:
    """True for the id of a hypothetical place."""
    return isinstance(value, str) and value.startswith(ID_PREFIX)


def with_places(services: pd.DataFrame, places: list[Place] | tuple[Place, ...],
                area_index: areas.AreaIndex | None = None) -> pd.DataFrame:
    """``services`` plus one ``site`` row per place (ids ``scenario-1`` …), for one computation.

    Each row has the columns ``services`` has; lat/lon in WGS84 degrees, ``area_id`` from
    ``area_index`` (geo.areas.area_index; '' outside the 23 areas, or when no index is given),
    lists as the directory holds them (target_groups, service_area), ``record_kind`` ``service``
    and an empty ``delivery``. The input table is not changed.
    """
    if not places:
        return services
    rows = []
    for position, place in enumerate(places):
        area_id = areas.area_of_point(place.lat, place.lon, area_index) if area_index is not None else None
        rows.append({
            "id": place_id(position),
            "name_sl": f"Scenarij {position + 1}", "name_it": f"Scenario {position + 1}",
            "name_en": f"Scenario {position + 1}",
            "category": place.category, "target_groups": list(place.target_groups),
            "location_type": model.SITE, "service_area": list(place.service_area),
            "opening_hours": place.opening_hours, "provider": "scenario", "price_type": "unknown",
            "lat": float(place.lat), "lon": float(place.lon), "area_id": area_id or "",
            "record_kind": "service", "delivery": "", "phones": [], "emails": [],
            "source": "scenario", "source_lines": "", "exemption_possible": False,
        })
    extra = pd.DataFrame(rows)
    extra = extra[[c for c in extra.columns if c in services.columns or c in ("id", "lat", "lon")]]
    combined = pd.concat([services, extra], ignore_index=True)
    # Text columns the new rows lack stay '' rather than NaN, as the directory holds them.
    for column in services.columns:
        if column not in extra.columns and pd.api.types.is_string_dtype(services[column].dtype) \
                and services[column].dtype != object:
            combined[column] = combined[column].fillna("")
    return combined


# --- before / after -----------------------------------------------------------------------------

#: Measures set side by side by compare (those present in both tables).
COMPARED = ("mean_distance_km", "max_distance_km", "share_within_1km", "share_within_5km", "share_within_10km",
            "access_2sfca", "gap_far", "gap_low_share", "gap_not_reached", "gap")
#: The figures whose change makes an area "affected" (2SFCA shifts everywhere a catchment overlaps).
AFFECTING = ("mean_distance_km", "max_distance_km", "share_within_1km", "share_within_5km", "share_within_10km", "gap")


def _differs(old: pd.Series, new: pd.Series) -> np.ndarray:
    if old.dtype == bool or new.dtype == bool:
        return old.fillna(False).astype(bool).to_numpy() != new.fillna(False).astype(bool).to_numpy()
    a, b = old.to_numpy(dtype=float), new.to_numpy(dtype=float)
    same = (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=0, atol=1e-9)
    return ~same


def compare(before: pd.DataFrame, after: pd.DataFrame, radius_km: float = 5.0) -> pd.DataFrame:
    """One row per area: each measure of COMPARED as ``<name>_before`` / ``<name>_after``, plus
    ``newly_within``, ``changed`` and ``affected``.

    ``before`` and ``after`` are geo.coverage.area_coverage tables for the same selection without
    and with the places. ``newly_within`` = residents newly within ``radius_km`` of a matching
    place: (share after − share before) × population, rounded to whole people (0 where the share
    column for that radius is absent); ``changed``: any compared figure differs; ``affected``: a
    distance, a share or the gap differs. Raises ScenarioError when the tables list other areas.
    """
    if list(before["area_id"]) != list(after["area_id"]):
        raise ScenarioError("compare needs the same areas in the same order before and after (same include_ankaran)")
    out = before[["area_id", "name_sl", "name_it", "population"]].reset_index(drop=True).copy()
    changed = np.zeros(len(out), dtype=bool)
    affected = np.zeros(len(out), dtype=bool)
    for name in COMPARED:
        if name not in before.columns or name not in after.columns:
            continue
        old, new = before[name].reset_index(drop=True), after[name].reset_index(drop=True)
        out[f"{name}_before"], out[f"{name}_after"] = old, new
        differs = _differs(old, new)
        changed |= differs
        if name in AFFECTING:
            affected |= differs
    share = f"share_within_{radius_km:g}km"
    if share in before.columns and share in after.columns:
        gain = after[share].to_numpy(dtype=float) - before[share].to_numpy(dtype=float)
        people = np.nan_to_num(gain) * before["population"].to_numpy(dtype=float)
        out["newly_within"] = np.rint(np.clip(people, 0, None)).astype(int)
    else:
        out["newly_within"] = 0
    out["changed"] = changed
    out["affected"] = affected
    return out


# --- words --------------------------------------------------------------------------------------

def describe(places: list[Place] | tuple[Place, ...], lang: str, labels: list[str] | None = None) -> list[str]:
    """Lines that mark a scenario (the PDF's title page and page headers, the page): a heading, then one line per place.

    ``labels`` names each place (a settlement, "point in <area>"); without it the coordinates are shown.
    """
    lines = [i18n.t("whatif.scenario_mark", lang)]
    for position, place in enumerate(places):
        groups = ", ".join(i18n.t(f"group.{g}", lang) for g in place.target_groups)
        where = labels[position] if labels and position < len(labels) else ""
        lines.append(i18n.t(
            "whatif.place_line", lang, n=position + 1, category=i18n.t(f"category.{place.category}", lang),
            groups=groups, where=where or f"{place.lat:.{DECIMALS}f}, {place.lon:.{DECIMALS}f}",
            hours=place.opening_hours or i18n.t("whatif.hours_unknown", lang),
        ))
    return lines

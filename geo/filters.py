"""Filtering the directory: facets, opening hours, price and free text, and shareable links.

A ``Filters`` value is the whole state of a filtered view. ``apply`` narrows a services table
to it, ``counts`` gives the faceted-search numbers shown beside each option, and
``to_query_params`` / ``from_query_params`` turn it into a compact URL query and back, so any
view can be shared as a link.

Within a facet the chosen values are OR-ed; facets are AND-ed. A service for everyone (target
group ``general``) matches every target-group choice.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from geo import hours, model, search

HOURS_MODES = ("any", "open_now", "open_at", "weekend", "always")
#: Modes that evaluate the hours at one moment (``Filters.at``, or now when it is None).
TIMED_MODES = ("open_now", "open_at")
#: The target group that stands for all residents; it matches any target-group filter.
GENERAL_GROUP = "general"
#: Facets counted by ``counts``, with the vocabulary of each.
FACETS: dict[str, tuple[str, ...]] = {
    "category": model.CATEGORIES,
    "target_group": model.TARGET_GROUPS,
    "price_type": model.PRICE_TYPES,
    "location_type": model.LOCATION_TYPES,
}
#: Query-string keys, short so links stay readable; changing one breaks shared links.
PARAM_KEYS = {
    "categories": "cat",
    "target_groups": "grp",
    "hours": "hours",
    "at": "at",
    "include_unknown_hours": "unk",
    "price_types": "price",
    "exemption_only": "exempt",
    "text": "q",
    "location_types": "type",
}
#: Minute precision: a link does not need seconds and stays short.
AT_FORMAT = "%Y-%m-%dT%H:%M"
#: Longest free-text query kept from a link (longer ones are cut, not rejected).
MAX_TEXT_LENGTH = 200
#: Longest list value read from a link (characters): every vocabulary fits many times over, so a
#: longer value is garbage or an attack and only its start is read.
MAX_LIST_LENGTH = 1000
#: Longest ``at`` value read from a link; an ISO date-time with seconds and offset is 25.
MAX_AT_LENGTH = 40
#: A linked ``at`` more than this many years from today is refused (None): nobody plans a visit
#: in the year 1 or 9999, and far dates overflow time-zone arithmetic.
MAX_AT_YEARS = 2
_TRUE_WORDS, _FALSE_WORDS = ("1", "true", "yes", "da", "on"), ("0", "false", "no", "ne", "off")


def _as_tuple(value: object) -> tuple:
    """A tuple from a tuple, list, set or single string (a lone string is one value, not letters)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(value)


def _in_vocabulary_order(values: tuple, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    """Known values without duplicates, in vocabulary order (so equal filters give equal links)."""
    chosen = set(values)
    return tuple(v for v in vocabulary if v in chosen)


@dataclass(frozen=True)
class Filters:
    """Everything that narrows the directory; the defaults show every service."""

    categories: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    hours: str = "any"
    #: Local (Koper) wall-clock time for open_now/open_at; None means "now" when applied.
    at: dt.datetime | None = None
    #: Keep services whose state is unknown at that time (the UI labels them).
    include_unknown_hours: bool = True
    price_types: tuple[str, ...] = ()
    exemption_only: bool = False
    text: str = ""
    location_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Lists from widgets become tuples (hashable, so Filters can key a cache); unknown
        # vocabulary is a programming error here, while links are cleaned by from_query_params.
        for name, vocabulary in _VOCABULARIES.items():
            values = _as_tuple(getattr(self, name))
            unknown = [v for v in values if v not in vocabulary]
            if unknown:
                raise ValueError(f"Filters.{name}: unknown value(s) {unknown!r}; allowed: {', '.join(vocabulary)}")
            object.__setattr__(self, name, _in_vocabulary_order(values, vocabulary))
        if self.hours not in HOURS_MODES:
            raise ValueError(f"Filters.hours: unknown mode {self.hours!r}; use one of {', '.join(HOURS_MODES)}")
        if self.at is not None and not isinstance(self.at, dt.datetime):
            raise ValueError(f"Filters.at must be a datetime or None, got {self.at!r}")
        if self.at is not None:
            # The hours parser and links use Koper wall-clock time: convert, then drop the zone.
            object.__setattr__(self, "at", hours.to_local(self.at))
        object.__setattr__(self, "text", str(self.text or ""))

    def is_default(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()


_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "categories": model.CATEGORIES,
    "target_groups": model.TARGET_GROUPS,
    "price_types": model.PRICE_TYPES,
    "location_types": model.LOCATION_TYPES,
}


def _groups(value: object) -> tuple[str, ...]:
    """A service's target groups from a parsed list or a raw ``;``-separated cell."""
    return tuple(model.split_list(value)) if isinstance(value, str) else _as_tuple(value)


# --- masks ------------------------------------------------------------------------------------

def _target_group_mask(services: pd.DataFrame, chosen: tuple[str, ...]) -> pd.Series:
    """True where a service has any chosen group, or is for everyone."""
    wanted = set(chosen) | {GENERAL_GROUP}
    return services["target_groups"].map(lambda groups: not wanted.isdisjoint(_groups(groups))).astype(bool)


def hours_states(services: pd.DataFrame, filters: Filters) -> pd.Series:
    """The ``hours_state`` column: open/closed/unknown under the hours mode, '' for mode "any"."""
    if filters.hours == "any":
        return pd.Series("", index=services.index, dtype=object)
    if filters.hours in TIMED_MODES:
        return hours.states_at(services, filters.at if filters.at is not None else hours.local_now())
    state_of = hours.weekend_state if filters.hours == "weekend" else hours.always_state
    expressions = services["opening_hours"].fillna("").astype(str)
    # Few distinct expressions in many rows: evaluate each once.
    states = {expr: state_of(expr) for expr in expressions.unique()}
    return expressions.map(states).astype(object)


def _facet_masks(services: pd.DataFrame, filters: Filters, lang: str, states: pd.Series) -> dict[str, pd.Series]:
    """One boolean mask per filter (all True when that filter is off), keyed by facet name."""
    every = pd.Series(True, index=services.index, dtype=bool)
    masks = {
        "category": services["category"].isin(filters.categories) if filters.categories else every,
        "target_group": _target_group_mask(services, filters.target_groups) if filters.target_groups else every,
        "price_type": services["price_type"].isin(filters.price_types) if filters.price_types else every,
        "location_type": services["location_type"].isin(filters.location_types) if filters.location_types else every,
        "exemption": services["exemption_possible"].astype(bool) if filters.exemption_only else every,
        "text": search.search(services, filters.text, lang),
    }
    if filters.hours == "any":
        masks["hours"] = every
    else:
        kept = [hours.OPEN, hours.UNKNOWN] if filters.include_unknown_hours else [hours.OPEN]
        masks["hours"] = states.isin(kept)
    return {name: mask.astype(bool) for name, mask in masks.items()}


def _all(masks: list[pd.Series], index: pd.Index) -> pd.Series:
    """AND of masks (True everywhere for none)."""
    result = pd.Series(True, index=index, dtype=bool)
    for mask in masks:
        result &= mask
    return result


def apply(services: pd.DataFrame, filters: Filters, lang: str) -> pd.DataFrame:
    """The services matching every filter, in their original order and with their index labels.

    Adds ``hours_state`` (open/closed/unknown under the hours mode; '' when hours are not filtered).
    """
    states = hours_states(services, filters)
    masks = _facet_masks(services, filters, lang, states)
    keep = _all(list(masks.values()), services.index)
    result = services.loc[keep].copy()
    result["hours_state"] = states.loc[keep]
    return result


def counts(services: pd.DataFrame, filters: Filters, lang: str) -> dict[str, dict[str, int]]:
    """For each facet value, how many services match if it were the facet's choice (others applied)."""
    states = hours_states(services, filters)
    masks = _facet_masks(services, filters, lang, states)
    result: dict[str, dict[str, int]] = {}
    for facet, vocabulary in FACETS.items():
        others = _all([m for name, m in masks.items() if name != facet], services.index)
        rest = services.loc[others]
        if facet == "target_group":
            # Through the same rule as the filter, so a count always equals what choosing gives.
            result[facet] = {g: int(_target_group_mask(rest, (g,)).sum()) for g in vocabulary}
        else:
            per_value = rest[facet].value_counts()
            result[facet] = {v: int(per_value.get(v, 0)) for v in vocabulary}
    return result


# --- links ------------------------------------------------------------------------------------

def to_query_params(filters: Filters) -> dict[str, str]:
    """A compact query-string dict for the view; defaults are left out so links stay short."""
    params: dict[str, str] = {}
    for name in ("categories", "target_groups"):
        if getattr(filters, name):
            params[PARAM_KEYS[name]] = ",".join(getattr(filters, name))
    if filters.hours != "any":
        params[PARAM_KEYS["hours"]] = filters.hours
        # open_now deliberately carries no time: the link means "now" whenever it is opened.
        if filters.hours == "open_at" and filters.at is not None:
            params[PARAM_KEYS["at"]] = filters.at.strftime(AT_FORMAT)
        params[PARAM_KEYS["include_unknown_hours"]] = "1" if filters.include_unknown_hours else "0"
    if filters.price_types:
        params[PARAM_KEYS["price_types"]] = ",".join(filters.price_types)
    if filters.exemption_only:
        params[PARAM_KEYS["exemption_only"]] = "1"
    if filters.text.strip():
        params[PARAM_KEYS["text"]] = filters.text.strip()
    if filters.location_types:
        params[PARAM_KEYS["location_types"]] = ",".join(filters.location_types)
    return params


def _param(params: Mapping, key: str) -> str:
    """One parameter as text: the last of repeated values; anything unreadable is ''."""
    try:
        value = params.get(key)
    except Exception:  # noqa: BLE001 - a link must never break the page
        return ""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else ""


def _parse_list(text: str, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated known values, de-duplicated in vocabulary order; unknown ones are dropped.

    Only the first MAX_LIST_LENGTH characters are read, so the work is bounded whatever the link.
    """
    return _in_vocabulary_order(tuple(part.strip() for part in text[:MAX_LIST_LENGTH].split(",")), vocabulary)


def _parse_bool(text: str, default: bool) -> bool:
    """A yes/no parameter; anything else keeps the default."""
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return default


def link_time(text: object, today: dt.date | None = None) -> dt.datetime | None:
    """A Koper wall-clock time from a link's ISO date-time, or None for anything that is not a usable one.

    Shared by every page that reads a time from its link (``at``); ``today`` defaults to today in Koper.

    An offset in the link is honoured (converted to Koper time). None for: text longer than
    MAX_AT_LENGTH, unreadable text, a time that cannot be converted (``0001-01-01T00:00+14:00``)
    and a year more than MAX_AT_YEARS from ``today``'s.
    """
    if not isinstance(text, str) or len(text.strip()) > MAX_AT_LENGTH:
        return None
    try:
        when = hours.to_local(dt.datetime.fromisoformat(text.strip()))
    except (ValueError, TypeError):
        return None
    today = today or hours.local_now().date()
    if abs(when.year - today.year) > MAX_AT_YEARS:
        return None
    return when


def _clean_text(text: str) -> str:
    """Printable query text, trimmed to MAX_TEXT_LENGTH."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())[:MAX_TEXT_LENGTH]


def from_query_params(params: Mapping | None, today: dt.date | None = None) -> Filters:
    """Filters from a link's query parameters; never raises — bad values are ignored.

    ``params`` maps a key to a string or a list of strings (the last one counts). Every value is
    bounded: lists are read up to MAX_LIST_LENGTH characters and de-duplicated, the text is cut
    to MAX_TEXT_LENGTH, and ``at`` must be a date-time within MAX_AT_YEARS of ``today``
    (default: today in Koper), else it is dropped.
    """
    if not isinstance(params, Mapping):
        return Filters()
    hours_mode = _param(params, PARAM_KEYS["hours"]).strip()
    hours_mode = hours_mode if hours_mode in HOURS_MODES else "any"
    at = link_time(_param(params, PARAM_KEYS["at"]), today) if hours_mode == "open_at" else None
    return Filters(
        categories=_parse_list(_param(params, PARAM_KEYS["categories"]), model.CATEGORIES),
        target_groups=_parse_list(_param(params, PARAM_KEYS["target_groups"]), model.TARGET_GROUPS),
        hours=hours_mode,
        at=at,
        include_unknown_hours=_parse_bool(_param(params, PARAM_KEYS["include_unknown_hours"]), default=True),
        price_types=_parse_list(_param(params, PARAM_KEYS["price_types"]), model.PRICE_TYPES),
        exemption_only=_parse_bool(_param(params, PARAM_KEYS["exemption_only"]), default=False),
        text=_clean_text(_param(params, PARAM_KEYS["text"])),
        location_types=_parse_list(_param(params, PARAM_KEYS["location_types"]), model.LOCATION_TYPES),
    )

"""Opening hours in OpenStreetMap ``opening_hours`` syntax, evaluated with Slovenian holidays.

An empty value means the sources give no hours: its state is always ``unknown``, never
open or closed. ``unknown`` rules (e.g. ``Mo-Su,PH unknown`` for "every day, times by
arrangement", plain ``unknown`` for "once a month on set dates") say what is known
without inventing times.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, State
from opening_hours import validate as _syntax_ok

from geo import settings

OPEN, CLOSED, UNKNOWN = "open", "closed", "unknown"
_STATES = {State.OPEN: OPEN, State.CLOSED: CLOSED, State.UNKNOWN: UNKNOWN}
_TZ = ZoneInfo(settings.TIMEZONE)
#: Days probed to decide "open at weekends": a Saturday and a Sunday that are not holidays.
_PLAIN_WEEKEND = (dt.date(2026, 10, 3), dt.date(2026, 10, 4))


def is_valid(expression: str) -> bool:
    """True for an empty value (hours unknown) or valid OSM opening_hours syntax."""
    return not expression.strip() or _syntax_ok(expression)


@lru_cache(maxsize=4096)
def _parsed(expression: str) -> OpeningHours:
    # Naive datetimes are read as local Koper time; Slovenian public holidays apply to PH.
    return OpeningHours(expression, country=settings.HOLIDAY_COUNTRY)


def local_now() -> dt.datetime:
    """The current wall-clock time in Koper, without tzinfo (the form the parser expects)."""
    return dt.datetime.now(_TZ).replace(tzinfo=None)


def state_at(expression: str, when: dt.datetime) -> str:
    """``open``, ``closed`` or ``unknown`` at a local time; empty hours are ``unknown``."""
    if not expression.strip():
        return UNKNOWN
    state, _comment = _parsed(expression).state(when)
    return _STATES[state]


def intervals_on(expression: str, day: dt.date) -> list[tuple[dt.time, dt.time, str]]:
    """The day's intervals as (start, end, state), merged and excluding closed spans.

    An interval that runs to midnight ends at ``time.max``.
    """
    if not expression.strip():
        return []
    start = dt.datetime.combine(day, dt.time.min)
    end = start + dt.timedelta(days=1)
    spans = []
    for lo, hi, state, _comment in _parsed(expression).intervals(start, end):
        label = _STATES[state]
        if label == CLOSED:
            continue
        hi_time = dt.time.max if hi >= end else hi.time()
        spans.append((lo.time(), hi_time, label))
    return spans


def open_on_weekend(expression: str) -> bool:
    """True when the hours open at some time on an ordinary Saturday or Sunday."""
    return any(
        state == OPEN for day in _PLAIN_WEEKEND for _lo, _hi, state in intervals_on(expression, day)
    )


def is_always_open(expression: str) -> bool:
    """True for round-the-clock service (24/7 or equivalent)."""
    if not expression.strip():
        return False
    return str(_parsed(expression).normalize()) == "24/7"


def is_public_holiday(day: dt.date) -> bool:
    """True when ``day`` is a Slovenian public holiday (per the parser's SI calendar)."""
    probe = dt.datetime.combine(day, dt.time(12))
    return _parsed("PH").is_open(probe)

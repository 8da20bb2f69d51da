"""Time in Koper and opening hours in OpenStreetMap ``opening_hours`` syntax, with Slovenian holidays.

This module owns time for the whole package: Koper's time zone (``TZ``), "now" (``local_now``,
``now_to_minute``), turning any datetime into Koper wall-clock time (``to_local``), evaluating
one expression or a whole table at a moment (``state_at``, ``states_at``), and reading plain
weekly hours (``weekly_spans``, for exports), and reading a time typed on a command line
(``parse_when``: "Sa 10:00" or ISO).

An empty value means the sources give no hours: its state is always ``unknown``, never
open or closed. ``unknown`` rules (e.g. ``Mo-Su,PH unknown`` for "every day, times by
arrangement", plain ``unknown`` for "once a month on set dates") say what is known
without inventing times.

``SH`` (school holidays) is refused (``problem``): the parser has no Slovene school-holiday
calendar and treats every day as a school holiday, which would show a service open when it
is not. Should such a rule reach evaluation anyway, its state is ``unknown``, never open.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import pandas as pd
from opening_hours import OpeningHours, State
from opening_hours import validate as _syntax_ok

from geo import settings

OPEN, CLOSED, UNKNOWN = "open", "closed", "unknown"
STATES = (OPEN, CLOSED, UNKNOWN)
_STATES = {State.OPEN: OPEN, State.CLOSED: CLOSED, State.UNKNOWN: UNKNOWN}
#: Koper's time zone: the one ZoneInfo of the package.
TZ = ZoneInfo(settings.TIMEZONE)
#: Days probed to decide "open at weekends": a Saturday and a Sunday that are not holidays.
PLAIN_WEEKEND = (dt.date(2026, 10, 3), dt.date(2026, 10, 4))
#: Weekdays in OSM order (Monday first), as ``weekly_spans`` returns them.
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")

#: Weekday words read by parse_when (English; OSM's two-letter forms first).
WEEKDAYS = {
    **{d: i for i, d in enumerate(("mo", "tu", "we", "th", "fr", "sa", "su"))},
    **{d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
}
_WEEKDAY_TIME_RE = re.compile(r"^\s*([A-Za-z]+)\.?\s+(\d{1,2})(?::(\d{2}))?\s*$")
_COMMENT = re.compile(r'"[^"]*"')
_SCHOOL_HOLIDAYS = re.compile(r"\bSH\b", re.IGNORECASE)
_DAY = "(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAY_SELECTOR = re.compile(rf"^{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*$")
_TIME_SPANS = re.compile(r"^\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*$")
#: Holiday rules that change nothing in a plain weekly timetable.
_HOLIDAY_ONLY_RULES = ("PH off", "PH closed", "PH unknown")
#: Why SH is refused, and what to write instead (shown on validation).
SH_MESSAGE = (
    "uses SH (school holidays), which the app cannot evaluate: it has no Slovene school-holiday "
    "calendar and would count every day as a school holiday. Write the dates instead "
    "(e.g. 'Mo-Fr 08:00-12:00; Jul-Aug off'), or mark the time 'unknown' and explain it in hours_note"
)
SYNTAX_MESSAGE = "is not valid OpenStreetMap opening_hours syntax (e.g. 'Mo-Fr 07:00-15:00; PH off')"


# --- time ---------------------------------------------------------------------------------------

def local_now() -> dt.datetime:
    """The current wall-clock time in Koper, without tzinfo (the form the parser expects)."""
    return dt.datetime.now(TZ).replace(tzinfo=None)


def now_to_minute() -> dt.datetime:
    """``local_now()`` cut to the minute (seconds and microseconds 0): the "now" of links and caches."""
    return local_now().replace(second=0, microsecond=0)


def to_local(when: dt.datetime) -> dt.datetime:
    """Koper wall-clock time without tzinfo; an aware ``when`` is converted, a naive one kept as is.

    Raises ValueError (naming the value) when the conversion leaves the datetime range, e.g.
    ``0001-01-01T00:00+14:00`` (Python raises OverflowError there).
    """
    if when.tzinfo is None:
        return when
    try:
        return when.astimezone(TZ).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise ValueError(f"{when.isoformat()} cannot be converted to Koper time (out of range)") from None


def parse_when(value: str | dt.datetime, reference: dt.datetime | None = None) -> dt.datetime:
    """A local (Koper) datetime from "Sa 10:00" (the next such moment at or after ``reference``,
    default now), an ISO date-time ("2026-11-28T10:00"), or a datetime.

    Weekdays are English: Mo Tu We Th Fr Sa Su, Mon…Sun or full names. Aware values are converted
    to Koper time. Raises ValueError saying what to write instead (for command lines).
    """
    if isinstance(value, dt.datetime):
        return to_local(value)
    text = str(value or "").strip()
    match = _WEEKDAY_TIME_RE.match(text)
    if match and match.group(1).lower() in WEEKDAYS:
        hour, minute = int(match.group(2)), int(match.group(3) or 0)
        if hour > 23 or minute > 59:
            raise ValueError(f"{text!r}: {hour:02d}:{minute:02d} is not a time of day; use 00:00 to 23:59")
        start = to_local(reference).replace(second=0, microsecond=0) if reference is not None else now_to_minute()
        days_ahead = (WEEKDAYS[match.group(1).lower()] - start.weekday()) % 7
        candidate = dt.datetime.combine(start.date() + dt.timedelta(days=days_ahead), dt.time(hour, minute))
        return candidate if candidate >= start else candidate + dt.timedelta(days=7)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"cannot read {text!r} as a time; use a weekday and time such as 'Sa 10:00' or an ISO date-time "
            "such as 2026-11-28T10:00"
        ) from None
    return to_local(parsed)


# --- validation -----------------------------------------------------------------------------------

def uses_school_holidays(expression: str) -> bool:
    """True when the expression has an ``SH`` selector (outside quoted comments)."""
    return bool(_SCHOOL_HOLIDAYS.search(_COMMENT.sub("", expression)))


def problem(expression: str) -> str | None:
    """Why ``expression`` cannot be used (a sentence for a validation message); None when it can.

    Empty is fine (hours unknown). Invalid OSM syntax and ``SH`` rules are refused.
    """
    text = expression.strip()
    if not text:
        return None
    if not _syntax_ok(text):
        return SYNTAX_MESSAGE
    if uses_school_holidays(text):
        return SH_MESSAGE
    return None


def is_valid(expression: str) -> bool:
    """True for an empty value (hours unknown) or valid OSM opening_hours syntax without ``SH``."""
    return problem(expression) is None


# --- evaluation -----------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _parsed(expression: str) -> OpeningHours:
    # Naive datetimes are read as local Koper time; Slovenian public holidays apply to PH.
    return OpeningHours(expression, country=settings.HOLIDAY_COUNTRY)


def _evaluable(expression: str) -> bool:
    """Non-empty and free of rules we cannot evaluate (SH): otherwise the answer is unknown."""
    return bool(expression.strip()) and not uses_school_holidays(expression)


def state_at(expression: str, when: dt.datetime) -> str:
    """``open``, ``closed`` or ``unknown`` at a local (naive) time; empty hours and SH are ``unknown``."""
    if not _evaluable(expression):
        return UNKNOWN
    state, _comment = _parsed(expression).state(when)
    return _STATES[state]


def states_at(hours: pd.DataFrame | pd.Series | Iterable[str], when: dt.datetime) -> pd.Series:
    """The state (``open``/``closed``/``unknown``) of every row at one moment.

    ``hours`` is a services table (its ``opening_hours`` column is used), a Series of
    expressions, or any iterable of them; the result is a Series of str with the same index
    (0..n-1 for a plain iterable). ``when`` may be aware (converted with ``to_local``) or naive
    Koper time. Each distinct expression is evaluated once. Raises ValueError like ``to_local``.
    """
    if isinstance(hours, pd.DataFrame):
        column = hours["opening_hours"] if "opening_hours" in hours.columns else pd.Series("", index=hours.index)
    elif isinstance(hours, pd.Series):
        column = hours
    else:
        column = pd.Series(list(hours), dtype=object)
    expressions = column.fillna("").astype(str)
    local = to_local(when)
    states = {expression: state_at(expression, local) for expression in expressions.unique()}
    return expressions.map(states).astype(object)


def next_opening(expression: str, when: dt.datetime, horizon_days: int = 14) -> dt.datetime | None:
    """When a service that is closed at ``when`` opens next (naive Koper wall-clock time), or None.

    ``when`` may be aware (converted with ``to_local``) or naive Koper time. Returns None when
    the service is not known to be closed at ``when`` (open, unknown, empty or SH hours), when the
    next change leads to ``unknown`` rather than ``open`` (e.g. "times by arrangement"), or when
    nothing opens within ``horizon_days`` days. Public holidays (PH) follow Slovenia's calendar.
    Raises ValueError like ``to_local``.
    """
    local = to_local(when)
    if state_at(expression, local) != CLOSED:
        return None
    parsed = _parsed(expression)
    limit = local + dt.timedelta(days=horizon_days)
    moment = local
    while True:
        moment = parsed.next_change(moment)
        if moment is None or moment > limit:
            return None
        state = _STATES[parsed.state(moment)[0]]
        if state == OPEN:
            return moment
        if state == UNKNOWN:
            return None


def intervals_on(expression: str, day: dt.date) -> list[tuple[dt.time, dt.time, str]]:
    """The day's intervals as (start, end, state), merged and excluding closed spans.

    An interval that runs to midnight ends at ``time.max``. Hours with SH are unknown all day.
    """
    if not expression.strip():
        return []
    if uses_school_holidays(expression):
        return [(dt.time.min, dt.time.max, UNKNOWN)]
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
    return weekend_state(expression) == OPEN


def weekend_state(expression: str) -> str:
    """open / unknown / closed on an ordinary weekend (unknown also when hours are missing)."""
    if not _evaluable(expression):
        return UNKNOWN
    found = {state for day in PLAIN_WEEKEND for _lo, _hi, state in intervals_on(expression, day)}
    return OPEN if OPEN in found else UNKNOWN if UNKNOWN in found else CLOSED


def is_always_open(expression: str) -> bool:
    """True for round-the-clock service (24/7 or equivalent)."""
    if not _evaluable(expression):
        return False
    return str(_parsed(expression).normalize()) == "24/7"


def always_state(expression: str) -> str:
    """open for 24/7 hours, unknown when there are no (evaluable) hours, closed otherwise."""
    if is_always_open(expression):
        return OPEN
    return UNKNOWN if not _evaluable(expression) else CLOSED


def is_public_holiday(day: dt.date) -> bool:
    """True when ``day`` is a Slovenian public holiday (per the parser's SI calendar)."""
    probe = dt.datetime.combine(day, dt.time(12))
    return _parsed("PH").is_open(probe)


# --- plain weekly hours -----------------------------------------------------------------------------

def weekly_spans(expression: str) -> list[tuple[list[str], str, str]] | None:
    """(days, opens, closes) rows for a plain weekly expression; None when it is not one.

    Plain means ``<days> <HH:MM-HH:MM>[,...]`` rules with each day in one rule only (later OSM
    rules override earlier ones, which a row list cannot express), plus holiday-only rules
    (``PH off``…, which add nothing weekly), or ``24/7`` (one row 00:00-23:59 for every day,
    the HSDS convention). Days are ``DAYS`` codes in week order; times are "HH:MM", 24:00
    written 23:59. Overnight, malformed or any other rules give None: times are never invented.
    """
    expression = expression.strip()
    if expression == "24/7":
        return [(list(DAYS), "00:00", "23:59")]
    spans: list[tuple[list[str], str, str]] = []
    seen_days: set[str] = set()
    for rule in (part.strip() for part in expression.split(";")):
        if not rule or rule in _HOLIDAY_ONLY_RULES:
            continue
        selector, _, times = rule.partition(" ")
        if not _DAY_SELECTOR.match(selector) or not _TIME_SPANS.match(times.strip()):
            return None
        days = _expand_days(selector)
        if seen_days & set(days):
            return None
        seen_days |= set(days)
        for span in times.strip().split(","):
            opens, closes = span.split("-")
            closes = "23:59" if closes == "24:00" else closes
            if not (_valid_time(opens) and _valid_time(closes)) or closes <= opens:
                return None
            spans.append((days, opens, closes))
    return spans or None


def weekly_unknown_days(expression: str) -> list[str] | None:
    """The days of a rule that says "open on these days, times not published", else None.

    ``Mo-Su,PH unknown`` → all seven ``DAYS`` codes; ``Mo-Fr unknown; PH off`` → Mo..Fr. Any
    rule with times, or any other kind of rule, gives None (read those with ``weekly_spans``).
    """
    days: list[str] = []
    for rule in (part.strip() for part in expression.strip().split(";")):
        if not rule or rule in _HOLIDAY_ONLY_RULES:
            continue
        selector, _, state = rule.partition(" ")
        selector = ",".join(part for part in selector.split(",") if part != "PH")
        if state.strip() != UNKNOWN or not _DAY_SELECTOR.match(selector):
            return None
        new = [day for day in _expand_days(selector) if day not in days]
        days += new
    return [day for day in DAYS if day in days] or None


def utc_offset_periods(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, dt.timedelta]]:
    """Koper's UTC offset over [start, end] as (first day, last day, offset) periods.

    Central European Time is +01:00, summer time (last Sunday of March to last Sunday of October)
    +02:00; read from the tz database (``TZ``), at noon of each day, so on a changeover day the
    new offset holds. Raises ValueError when ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    periods: list[tuple[dt.date, dt.date, dt.timedelta]] = []
    day = start
    while day <= end:
        offset = dt.datetime.combine(day, dt.time(12), tzinfo=TZ).utcoffset()
        if periods and periods[-1][2] == offset:
            periods[-1] = (periods[-1][0], day, offset)
        else:
            periods.append((day, day, offset))
        day += dt.timedelta(days=1)
    return periods


def _expand_days(selector: str) -> list[str]:
    """Days of a selector such as ``Mo-We,Fr`` (ranges may wrap: ``Sa-Mo``), in week order."""
    days: list[str] = []
    for part in selector.split(","):
        first, _, last = part.partition("-")
        start = DAYS.index(first)
        end = DAYS.index(last) if last else start
        days += [DAYS[(start + step) % 7] for step in range((end - start) % 7 + 1)]
    return [day for day in DAYS if day in days]


def _valid_time(value: str) -> bool:
    hour, minute = value.split(":")
    return int(hour) < 24 and int(minute) < 60

"""The citizen's answer at a moment: what is open, what is closed and when it opens, what publishes no hours,
and which services come to the home.

``filters.apply`` drops a service that is closed at the chosen time; a citizen asking "on Saturday at
10:00" needs more than that: the day centres closed then *and when they open*, and the services with no
published hours listed apart (call first). ``matching`` keeps them, ``split`` sorts the rows into the
parts of the answer, and ``state_text`` says each row's state in the page language.

Pure functions over the located services table (``geo.directory``); no Streamlit.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from babel.dates import format_datetime

from geo import filters, hours, i18n, model
from geo.filters import Filters

#: Columns added by ``matching``: the state at the moment, and the next opening of a closed service.
STATE_COLUMN, OPENS_COLUMN = "hours_state", "opens_at"
HOME, INFORMATION = model.HOME, model.INFORMATION
#: Categories whose services come to the home: choosing one puts the home-delivered services first.
HOME_CATEGORIES = ("home_care",)
#: A next opening further away than this is written with its date, not only the weekday.
WEEKDAY_ONLY = dt.timedelta(days=6)


def is_timed(chosen: Filters) -> bool:
    """True when the filters ask about one moment (open now / open at a chosen time)."""
    return chosen.hours in filters.TIMED_MODES


def matching(services: pd.DataFrame, chosen: Filters, lang: str, when: dt.datetime) -> pd.DataFrame:
    """The services matching ``chosen``, keeping those *closed* at ``when`` (they are answered with their
    next opening, not dropped), each with ``hours_state`` and ``opens_at``.

    In the timed modes (open now / at a time) open and closed services are kept, and services with
    unknown hours when ``chosen.include_unknown_hours``; the other modes filter as ``filters.apply``.
    ``hours_state`` is the state at ``when`` (Koper wall-clock time) in every mode; ``opens_at`` is the
    next opening (naive Koper time) of a closed service within two weeks, else None. Original order and
    index labels are kept.
    """
    timed = is_timed(chosen)
    result = filters.apply(services, dataclasses.replace(chosen, hours="any", at=None) if timed else chosen, lang)
    expressions = (result["opening_hours"] if "opening_hours" in result else pd.Series("", index=result.index))
    expressions = expressions.fillna("").astype(str)
    states = hours.states_at(expressions, when) if len(result) else pd.Series(dtype=object)
    states.index = result.index
    if timed:
        wanted = [hours.OPEN, hours.CLOSED] + ([hours.UNKNOWN] if chosen.include_unknown_hours else [])
        keep = states.isin(wanted)
        result, expressions, states = result.loc[keep], expressions.loc[keep], states.loc[keep]
    result[STATE_COLUMN] = states
    opens = {e: hours.next_opening(e, when) for e in expressions[states == hours.CLOSED].unique()}
    result[OPENS_COLUMN] = pd.Series([opens.get(e) for e in expressions], index=result.index, dtype=object)
    return result


def _column(services: pd.DataFrame, name: str) -> pd.Series:
    """A text column, '' where missing (old files have no delivery or record_kind)."""
    if name not in services.columns:
        return pd.Series("", index=services.index, dtype=object)
    return services[name].fillna("").astype(str)


def is_information(services: pd.DataFrame) -> pd.Series:
    """True for records that inform (a funding call) rather than serve: never listed as a service."""
    return _column(services, "record_kind") == INFORMATION


def comes_home(services: pd.DataFrame) -> pd.Series:
    """True for services delivered at the person's home (``location_type`` area, ``delivery`` home).

    Without a ``delivery`` column (an older file) every area service counts, as the app said before.
    """
    area = services["location_type"] == model.AREA
    if "delivery" not in services.columns:
        return area & ~is_information(services)
    return area & (_column(services, "delivery") == HOME) & ~is_information(services)


@dataclasses.dataclass(frozen=True)
class Parts:
    """The rows of an answer, each part in the input order (see ``split``)."""

    #: Placed services (site/office): open at the moment (all of them when the view is not timed).
    open: pd.DataFrame
    #: Placed services known to be closed at the moment (timed views only), with ``opens_at``.
    closed: pd.DataFrame
    #: Placed services whose hours are unknown at the moment (timed views only): call first.
    unknown: pd.DataFrame
    #: Services that come to the person's home.
    home: pd.DataFrame
    #: Area services that do not come to the home (changing places, accommodation without address).
    elsewhere: pd.DataFrame
    #: Confidential services: phone only, never a location.
    by_phone: pd.DataFrame
    #: Information records (never counted or listed as a service).
    information: pd.DataFrame
    #: Put the home-delivered services first, open, with their phones (see ``home_first``).
    home_first: bool


def split(found: pd.DataFrame, chosen: Filters) -> Parts:
    """Sort the rows of ``matching`` into the parts of the answer."""
    information = is_information(found)
    home = comes_home(found)
    kind = found["location_type"]
    placed = kind.isin(model.PLACED_TYPES) & ~information
    state = _column(found, STATE_COLUMN)
    timed = is_timed(chosen)
    parts = Parts(
        open=found[placed & (state == hours.OPEN)] if timed else found[placed],
        closed=found[placed & (state == hours.CLOSED)] if timed else found.iloc[0:0],
        unknown=found[placed & (state == hours.UNKNOWN)] if timed else found.iloc[0:0],
        home=found[home],
        elsewhere=found[(kind == model.AREA) & ~home & ~information],
        by_phone=found[(kind == model.CONFIDENTIAL) & ~information],
        information=found[information],
        home_first=False,
    )
    return dataclasses.replace(parts, home_first=home_first(chosen, parts))


def home_first(chosen: Filters, parts: Parts) -> bool:
    """True when the need is one that comes to the home: a home category is chosen, the services
    that come to the home are at least as many as the places to go to, or there is no place at all."""
    if parts.home.empty:
        return False
    if set(chosen.categories) & set(HOME_CATEGORIES):
        return True
    places = len(parts.open) + len(parts.closed) + len(parts.unknown)
    return places == 0 or (bool(chosen.text.strip() or chosen.categories) and len(parts.home) >= places)


def opening_text(moment: dt.datetime, lang: str, when: dt.datetime) -> str:
    """When a service opens, in the language: "Monday 07:00", "ponedeljek ob 07:00", "lunedì alle 07:00";
    the day with its date ("čet., 10. dec.") when it is more than six days after ``when``."""
    code = i18n.language(lang)
    if moment - when > WEEKDAY_ONLY:
        day = i18n.format_weekday_date(moment.date(), code)
    else:
        day = format_datetime(moment, "EEEE", locale=code)
    return i18n.t("answer.day_time", code, day=day, time=f"{moment:%H:%M}")


def state_text(record: dict, lang: str, when: dt.datetime) -> str:
    """A row's state at ``when`` for people: "Open", "closed, opens Monday 07:00", or "hours not
    published — call first". Reads ``hours_state``/``opens_at`` (from ``matching``) when present."""
    state = record.get(STATE_COLUMN) or hours.state_at(str(record.get("opening_hours") or ""), when)
    if state == hours.OPEN:
        return i18n.t("state.open", lang)
    if state == hours.CLOSED:
        opens = record.get(OPENS_COLUMN, None) if STATE_COLUMN in record else hours.next_opening(
            str(record.get("opening_hours") or ""), when)
        if isinstance(opens, dt.datetime):
            return i18n.t("answer.closed_opens", lang, when=opening_text(opens, lang, when))
        return i18n.t("answer.closed_later", lang)
    return i18n.t("answer.call_first", lang)

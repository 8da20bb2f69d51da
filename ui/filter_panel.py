"""The filter widgets (category, target group, hours, price, text) and the URL they live in.

Widgets start from the link's query parameters the first time a page shows them, and the page
writes the resulting ``Filters`` back to the URL, so every view can be shared as a link.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import streamlit as st

from geo import filters, hours, i18n, model
from geo.filters import Filters
from ui.widget_state import held, held_index

#: The query-string keys the filters own (the page writes them, and removes them when unused).
FILTER_PARAMS = tuple(filters.PARAM_KEYS.values())
ALL_FACETS = ("text", "category", "target_group", "hours", "price")
#: Minutes between the choices of the time picker.
TIME_STEP = dt.timedelta(minutes=15)


def _key(prefix: str, name: str) -> str:
    return f"{prefix}_{name}"


def _seed_widgets(prefix: str, start: Filters) -> None:
    """Put the link's values into widgets that are not on screen yet (first view, or back from another page)."""
    at = start.at or hours.now_to_minute()
    values = {
        "text": start.text,
        **{f"category_{c}": c in start.categories for c in model.CATEGORIES},
        **{f"target_group_{g}": g in start.target_groups for g in model.TARGET_GROUPS},
        **{f"price_{p}": p in start.price_types for p in model.PRICE_TYPES},
        "hours": start.hours,
        "day": at.date(),
        "time": at.time().replace(second=0, microsecond=0),
        "unknown": start.include_unknown_hours,
        "exempt": start.exemption_only,
    }
    for name, value in values.items():
        st.session_state.setdefault(_key(prefix, name), value)


def _label_with_count(label: str, n: int | None) -> str:
    return label if n is None else f"{label} ({n})"


def _checkbox_group(box, prefix: str, facet: str, vocabulary: tuple[str, ...], text_prefix: str,
                    counts: dict[str, int], lang: str) -> None:
    """A labelled group of checkboxes, one per value, each with its count.

    Checkboxes rather than a multiselect: their labels may change with the counts on every
    rerun (a multiselect keeps its value by label), and they are easier to read and to reach
    with the keyboard.
    """
    box.markdown(f"**{i18n.t(f'filters.{facet}', lang)}**")
    for value in vocabulary:
        key = _key(prefix, f"{facet}_{value}")
        box.checkbox(_label_with_count(i18n.t(f"{text_prefix}.{value}", lang), counts.get(value)), key=key,
                     value=bool(held(key)))


def _checked(prefix: str, facet: str, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v for v in vocabulary if st.session_state.get(_key(prefix, f"{facet}_{v}")))


def filter_widgets(
    services, lang: str, prefix: str, *, facets: tuple[str, ...] = ALL_FACETS, container=None,
    containers: dict | None = None, keep_closed: bool = False, shared_counts: bool = False,
) -> Filters:
    """Draw the filters (in the sidebar unless ``container`` is given) and return the chosen ``Filters``.

    ``containers`` may place single facets elsewhere (facet name → container, e.g. two columns).
    The counts beside each option say how many services that choice would show, given the
    other filters (so a zero warns before the click). ``keep_closed``: the page lists services
    closed at the chosen time too (``geo.answer.matching``), so the counts include them.
    ``shared_counts``: ``services`` is the whole directory (``ui.cache.load_directory``), so the counts
    come from ``ui.cache.filter_counts``, made once per view and minute for every session (issue 14).
    """
    default = container if container is not None else st.sidebar
    place = lambda facet: (containers or {}).get(facet, default)  # noqa: E731
    state = st.session_state
    current = chosen_without_widgets(prefix, facets)
    if services is None:
        tally = {}
    elif shared_counts and not (keep_closed and current.hours in filters.TIMED_MODES):
        from ui import cache  # here: the pages that count their own table need no cache

        tally = cache.filter_counts(current, lang, moment(current))
    else:
        tally = _counts(services, current, lang, keep_closed)

    if "text" in facets:
        place("text").text_input(
            i18n.t("filters.text", lang), key=_key(prefix, "text"), value=held(_key(prefix, "text"), ""),
            placeholder=i18n.t("filters.text_placeholder", lang), max_chars=filters.MAX_TEXT_LENGTH,
        )
    if "category" in facets:
        _checkbox_group(place("category"), prefix, "category", model.CATEGORIES, "category", tally.get("category", {}), lang)
    if "target_group" in facets:
        _checkbox_group(place("target_group"), prefix, "target_group", model.TARGET_GROUPS, "group", tally.get("target_group", {}), lang)
    if "hours" in facets:
        box = place("hours")
        box.radio(
            i18n.t("filters.hours", lang), filters.HOURS_MODES, key=_key(prefix, "hours"),
            index=held_index(_key(prefix, "hours"), filters.HOURS_MODES),
            format_func=lambda mode: i18n.t(f"filters.hours.{mode}", lang),
        )
        mode = state[_key(prefix, "hours")]
        if mode == "open_at":
            box.date_input(i18n.t("filters.day", lang), key=_key(prefix, "day"), format="DD.MM.YYYY",
                           value=held(_key(prefix, "day")))
            box.time_input(i18n.t("filters.time", lang), key=_key(prefix, "time"), step=TIME_STEP,
                           value=held(_key(prefix, "time")))
            day = state[_key(prefix, "day")]
            if isinstance(day, dt.date) and hours.is_public_holiday(day):
                box.caption(i18n.t("filters.holiday", lang, day=i18n.format_day(day, lang)))
        if mode != "any":
            box.checkbox(i18n.t("filters.include_unknown", lang), key=_key(prefix, "unknown"),
                         value=bool(held(_key(prefix, "unknown"), True)))
    if "price" in facets:
        box = place("price")
        _checkbox_group(box, prefix, "price", model.PRICE_TYPES, "price_type", tally.get("price_type", {}), lang)
        box.checkbox(i18n.t("filters.exemption", lang), key=_key(prefix, "exempt"),
                     value=bool(held(_key(prefix, "exempt"))))
    return _from_widgets(prefix, facets)


def chosen_without_widgets(prefix: str, facets: tuple[str, ...] = ALL_FACETS) -> Filters:
    """The ``Filters`` that :func:`filter_widgets` would return, without drawing them: the link's values
    (seeded into the widgets' state, as the widgets would be) and what this session chose before.
    For a run that draws the filters later (``ui.first_paint``)."""
    _seed_widgets(prefix, filters.from_query_params(st.query_params.to_dict()))
    return _from_widgets(prefix, facets)


def _counts(services, current: Filters, lang: str, keep_closed: bool) -> dict[str, dict[str, int]]:
    """``filters.counts``; with ``keep_closed`` at a chosen moment, services closed then count as shown."""
    if not (keep_closed and current.hours in filters.TIMED_MODES):
        return filters.counts(services, current, lang)
    states = hours.states_at(services, moment(current))
    kept = [hours.OPEN, hours.CLOSED] + ([hours.UNKNOWN] if current.include_unknown_hours else [])
    return filters.counts(services[states.isin(kept).to_numpy()], dataclasses.replace(current, hours="any", at=None),
                          lang)


def _from_widgets(prefix: str, facets: tuple[str, ...]) -> Filters:
    """The Filters the widgets describe (facets not on the page stay at their defaults)."""
    state = st.session_state
    get = lambda name, default=None: state.get(_key(prefix, name), default)  # noqa: E731
    mode = get("hours", "any") if "hours" in facets else "any"
    at = None
    if mode == "open_at":
        day, time = get("day"), get("time")
        if isinstance(day, dt.date) and isinstance(time, dt.time):
            at = dt.datetime.combine(day, time)
        else:  # a cleared picker: treat as now rather than failing
            mode = "open_now"
    return Filters(
        categories=_checked(prefix, "category", model.CATEGORIES) if "category" in facets else (),
        target_groups=_checked(prefix, "target_group", model.TARGET_GROUPS) if "target_group" in facets else (),
        hours=mode,
        at=at,
        include_unknown_hours=bool(get("unknown", True)) if mode != "any" else True,
        price_types=_checked(prefix, "price", model.PRICE_TYPES) if "price" in facets else (),
        exemption_only=bool(get("exempt", False)) if "price" in facets else False,
        text=str(get("text", "") or "") if "text" in facets else "",
    )


def moment(chosen: Filters) -> dt.datetime:
    """The local time the view is about: the chosen time for 'open at', else now (to the minute)."""
    if chosen.hours == "open_at" and chosen.at is not None:
        return chosen.at
    return hours.now_to_minute()


def reset(prefix: str) -> None:
    """Forget the filter widgets' values (a button callback; the URL is rewritten on the rerun)."""
    names = ["text", "hours", "day", "time", "unknown", "exempt"]
    names += [f"category_{c}" for c in model.CATEGORIES] + [f"target_group_{g}" for g in model.TARGET_GROUPS]
    names += [f"price_{p}" for p in model.PRICE_TYPES]
    for name in names:
        st.session_state.pop(_key(prefix, name), None)
    for key in FILTER_PARAMS:
        st.query_params.pop(key, None)

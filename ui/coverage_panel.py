"""The coverage pages' shared choices (measure, category, target group, time, gap thresholds) and their URL.

The coverage, area-profile and council pages read the same query parameters, so a link from one
to another keeps what the planner chose. Widgets start from the link the first time they show.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.parse
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import areas, choropleth, coverage, filters, hours, i18n, model
from ui import cache, urlstate

PREFIX = "cov"
#: Query keys the coverage pages own (written when set, removed when back at the default).
PARAMS = ("m", "cat", "grp", "at", "unk", "ks", "far", "r", "share", "min")
AT_FORMAT = "%Y-%m-%dT%H:%M"
TIME_STEP = dt.timedelta(minutes=15)
DEFAULTS = coverage.GapThresholds()


@dataclass(frozen=True)
class View:
    """What the planner is looking at."""

    measure: str = choropleth.DEFAULT_MEASURE
    category: str | None = None
    target_group: str | None = None
    at: dt.datetime | None = None
    include_unknown_hours: bool = True
    only_ks: bool = False
    thresholds: coverage.GapThresholds = DEFAULTS


def _float(text: str | None, low: float, high: float, default: float) -> float:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


def from_params(params: dict) -> View:
    """The view a link describes; anything unreadable falls back to its default."""
    at = filters.link_time(params.get("at"))  # bounded: an absurd or overflowing time is dropped
    return View(
        measure=choropleth.measure(params.get("m")).key,
        category=params.get("cat") if params.get("cat") in model.CATEGORIES else None,
        target_group=params.get("grp") if params.get("grp") in model.TARGET_GROUPS else None,
        at=at,
        include_unknown_hours=params.get("unk") != "0",
        only_ks=params.get("ks") == "1",
        thresholds=coverage.GapThresholds(
            max_mean_distance_km=_float(params.get("far"), 0.5, 50, DEFAULTS.max_mean_distance_km),
            share_radius_km=float(int(_float(params.get("r"), 1, 10, DEFAULTS.share_radius_km))),
            min_share=_float(params.get("share"), 0, 100, DEFAULTS.min_share * 100) / 100,
            min_services_in_area=int(_float(params.get("min"), 0, 20, DEFAULTS.min_services_in_area)),
        ),
    )


def to_params(view: View) -> dict[str, str]:
    """The query parameters of a view (defaults left out, so links stay short)."""
    params: dict[str, str] = {}
    if view.measure != choropleth.DEFAULT_MEASURE:
        params["m"] = view.measure
    if view.category:
        params["cat"] = view.category
    if view.target_group:
        params["grp"] = view.target_group
    if view.at is not None:
        params["at"] = view.at.strftime(AT_FORMAT)
        if not view.include_unknown_hours:
            params["unk"] = "0"
    if view.only_ks:
        params["ks"] = "1"
    th = view.thresholds
    if th.max_mean_distance_km != DEFAULTS.max_mean_distance_km:
        params["far"] = f"{th.max_mean_distance_km:g}"
    if th.share_radius_km != DEFAULTS.share_radius_km:
        params["r"] = f"{th.share_radius_km:g}"
    if th.min_share != DEFAULTS.min_share:
        params["share"] = f"{th.min_share * 100:g}"
    if th.min_services_in_area != DEFAULTS.min_services_in_area:
        params["min"] = str(th.min_services_in_area)
    return params


def _key(name: str) -> str:
    return f"{PREFIX}_{name}"


def _seed(start: View) -> None:
    now = hours.now_to_minute()
    at = start.at or now
    values = {
        "measure": start.measure, "category": start.category or coverage.ALL,
        "target_group": start.target_group or coverage.ALL, "open_at": start.at is not None,
        "day": at.date(), "time": at.time(), "unknown": start.include_unknown_hours, "only_ks": start.only_ks,
        "far": float(start.thresholds.max_mean_distance_km), "radius": int(start.thresholds.share_radius_km),
        "share": int(round(start.thresholds.min_share * 100)), "min": int(start.thresholds.min_services_in_area),
    }
    for name, value in values.items():
        st.session_state.setdefault(_key(name), value)


#: The widgets' session-state names (``_key``) and, for the thresholds, (low, high, default) of their values.
CHOICES = ("measure", "category", "target_group", "open_at", "day", "time", "unknown", "only_ks", "far", "radius",
           "share", "min")
THRESHOLD_BOUNDS = {"far": (0.5, 50.0, float(DEFAULTS.max_mean_distance_km)),
                    "radius": (1, 10, int(DEFAULTS.share_radius_km)),
                    "share": (0, 100, int(round(DEFAULTS.min_share * 100))),
                    "min": (0, 20, int(DEFAULTS.min_services_in_area))}


def _keep_choices() -> None:
    """Carry the choices over to this run as plain session state.

    The coverage pages draw the same widgets (same keys) on different pages, and some only on one
    (measure, category). Streamlit drops a widget's value when a run does not draw it, and a widget
    drawn on another page starts from its own default: a number_input's minimum (far=0.5 km, r=1,
    share=0). Re-assigning each value before any widget is drawn makes it state the next widget
    with that key starts from; a threshold that is missing or out of its range becomes the
    documented default (coverage.GapThresholds()), never a widget's minimum.
    """
    state = st.session_state
    for name in CHOICES:
        key = _key(name)
        if name in THRESHOLD_BOUNDS:
            low, high, default = THRESHOLD_BOUNDS[name]
            value = state.get(key)
            if key in state and not (isinstance(value, (int, float)) and low <= value <= high):
                state[key] = default
        if key in state:
            state[key] = state[key]


def controls(lang: str, *, with_measure: bool = True, with_category: bool = True) -> View:
    """The choices in the sidebar; returns the View they describe."""
    _keep_choices()
    _seed(from_params(st.query_params.to_dict()))
    box = st.sidebar
    state = st.session_state
    box.header(i18n.t("coverage.choices", lang))
    if with_measure:
        box.selectbox(i18n.t("coverage.measure", lang), tuple(choropleth.MEASURES), key=_key("measure"),
                      format_func=lambda k: i18n.t(f"measure.{k}", lang))
    if with_category:
        box.selectbox(i18n.t("filters.category", lang), (coverage.ALL, *model.CATEGORIES), key=_key("category"),
                      format_func=lambda c: i18n.t("coverage.all_categories", lang) if c == coverage.ALL else i18n.t(f"category.{c}", lang))
    box.selectbox(i18n.t("filters.target_group", lang), (coverage.ALL, *model.TARGET_GROUPS), key=_key("target_group"),
                  format_func=lambda g: i18n.t("coverage.all_groups", lang) if g == coverage.ALL else i18n.t(f"group.{g}", lang))
    box.toggle(i18n.t("coverage.open_at", lang), key=_key("open_at"))
    if state[_key("open_at")]:
        box.date_input(i18n.t("filters.day", lang), key=_key("day"), format="DD.MM.YYYY")
        box.time_input(i18n.t("filters.time", lang), key=_key("time"), step=TIME_STEP)
        day = state[_key("day")]
        if isinstance(day, dt.date):
            box.caption(i18n.format_weekday_date(day, lang))
            if hours.is_public_holiday(day):
                box.caption(i18n.t("filters.holiday", lang, day=i18n.format_day(day, lang)))
        box.checkbox(i18n.t("filters.include_unknown", lang), key=_key("unknown"))
    box.toggle(i18n.t("coverage.only_ks", lang), key=_key("only_ks"))
    with box.expander(i18n.t("coverage.thresholds", lang), expanded=False):
        st.number_input(i18n.t("coverage.th_far", lang), min_value=0.5, max_value=50.0, step=0.5, key=_key("far"))
        st.number_input(i18n.t("coverage.th_radius", lang), min_value=1, max_value=10, step=1, key=_key("radius"),
                        help=i18n.t("coverage.th_radius_help", lang))
        st.number_input(i18n.t("coverage.th_share", lang), min_value=0, max_value=100, step=5, key=_key("share"))
        # No th_min control: a service inside the boundary is a neutral fact, never a gap (issue 11);
        # "min" from an older link is still read into GapThresholds.min_services_in_area (below_min_in_area).
    view = _from_widgets()
    urlstate.write(to_params(view), PARAMS)
    return view


def _from_widgets() -> View:
    get = st.session_state.get
    at = None
    if get(_key("open_at")):
        day, time = get(_key("day")), get(_key("time"))
        if isinstance(day, dt.date) and isinstance(time, dt.time):
            at = dt.datetime.combine(day, time)
    category, group = get(_key("category")), get(_key("target_group"))
    return View(
        measure=choropleth.measure(get(_key("measure"))).key,
        category=None if category in (None, coverage.ALL) else category,
        target_group=None if group in (None, coverage.ALL) else group,
        at=at,
        include_unknown_hours=bool(get(_key("unknown"), True)),
        only_ks=bool(get(_key("only_ks"), False)),
        thresholds=coverage.GapThresholds(
            max_mean_distance_km=float(_threshold("far")),
            share_radius_km=float(_threshold("radius")),
            min_share=float(_threshold("share")) / 100,
            min_services_in_area=int(_threshold("min")),
        ),
    )


def _threshold(name: str) -> float:
    """A threshold widget's value, or its documented default when missing or out of range."""
    low, high, default = THRESHOLD_BOUNDS[name]
    value = st.session_state.get(_key(name))
    return value if isinstance(value, (int, float)) and low <= value <= high else default


def long_table(view: View) -> pd.DataFrame | None:
    """Area × category coverage for the view's target group, time and thresholds (cached; None without data).

    Rows whose only matching services are confidential (by phone) come marked ``phone_only`` and are
    not gaps (geo.coverage marks them itself, so every consumer says the same)."""
    return cache.coverage_table(view.target_group, view.at, view.include_unknown_hours, view.thresholds)


def area_table(long: pd.DataFrame, view: View, category: str | None = ...) -> pd.DataFrame:  # type: ignore[assignment]
    """One row per area for the view's category (or ``category``), limited to the 22 KS when chosen."""
    wanted = view.category if category is ... else category
    rows = long[long["category"] == (wanted or coverage.ALL)].drop(columns="category")
    rows = areas.filter_areas(rows, not view.only_ks).reset_index(drop=True)
    rows.attrs = dict(long.attrs)
    return rows


def profile_params(view: View, area_id: str, lang: str) -> dict[str, str]:
    """The query parameters of an area's profile with this view."""
    return {"lang": lang, **to_params(view), "area": area_id}


def profile_href(view: View, area_id: str, lang: str) -> str:
    """A link to the area's profile with this view, relative to the coverage pages ("area?lang=…")."""
    return "area?" + urllib.parse.urlencode(profile_params(view, area_id, lang))


def pdf_button(container, lang: str, view: View, *, table: pd.DataFrame, long: pd.DataFrame, boundaries: dict,
               services: pd.DataFrame, measure_key: str, selection: str, file_name: str, key: str,
               area_ids: list[str] | None = None) -> None:
    """The "PDF report" in ``container``: made when first asked for (a button), then offered as the
    bytes themselves (``cache.report_pdf``, shared per selection) under a stable key.

    Never a deferred callable: its file lives only until the next rerun, so a click arriving just
    after one fails (``MediaFileStorageError: Deferred file … not found``). A new selection asks again.
    """
    signature = (lang, measure_key, selection, tuple(area_ids or ()))
    asked = f"{key}_asked"
    if st.session_state.get(asked) != signature:
        container.button(i18n.t("coverage.make_pdf", lang), key=f"{key}_make", icon=":material/picture_as_pdf:",
                         on_click=lambda: st.session_state.update({asked: signature}))
        return
    with st.spinner(i18n.t("coverage.making_pdf", lang)):
        data = cache.report_pdf(table, long, boundaries, lang, hours.local_now().date(), measure_key, selection,
                                dataclasses.astuple(view.thresholds), None if area_ids is None else tuple(area_ids),
                                open_services(services, view))
    container.download_button(i18n.t("coverage.download_pdf", lang), data, file_name=file_name,
                              mime="application/pdf", key=key, icon=":material/picture_as_pdf:", type="primary")


def open_services(services: pd.DataFrame, view) -> pd.Series | None:
    """Which services count at the view's time (open then; unknown hours as the view says); None = any time."""
    if view.at is None:
        return None
    return pd.Series(coverage.open_at(services, view.at, view.include_unknown_hours), index=services.index)


#: How each coverage column is shown: (text key of its header, number style or None for text, width).
#: Number styles: (decimals, unit suffix); the numbers are written as the page's language writes them
#: (babel: ``19,3 km`` and ``1.262`` in sl/it, ``19.3 km`` and ``1,262`` in en) — Streamlit's own
#: number formats follow the browser's locale, not the page's language.
COLUMN_STYLES: dict[str, tuple[str, tuple[int, str] | None, str | None]] = {
    "rank": ("report.col.rank", (0, ""), "small"),
    "area": ("report.col.area", None, None),
    "category": ("report.col.category", None, None),
    "reach": ("coverage.col_reach", None, "medium"),
    "population": ("report.col.population", (0, ""), None),
    "population_date": ("report.col.population_date", None, None),
    "services_in_area": ("report.col.services_in_area", (0, ""), None),
    "area_wide_services": ("report.col.area_wide_services", (0, ""), None),
    "nearest": ("report.col.nearest", None, "medium"),
    "nearest_km": ("report.col.nearest_km", (1, " km"), None),
    "mean_distance_km": ("report.col.mean_distance_km", (1, " km"), None),
    "max_distance_km": ("report.col.max_distance_km", (1, " km"), None),
    "mean_road_distance_km": ("report.col.mean_road_distance_km", (1, " km"), None),
    "share_within_5km": ("report.col.share_within_5km", (0, " %"), None),
    "services_per_1000": ("report.col.services_per_1000", (2, ""), None),
    "gap_text": ("report.col.gap_text", None, "large"),
}
#: Number styles of a measure's unit (the ranking's value column).
UNIT_STYLES = {"km": (1, " km"), "pct": (0, " %"), "per1000": (2, ""), "count": (0, "")}
#: A number that does not apply (a distance to a service that comes to the residents) or is missing.
NO_NUMBER = "–"


def number_text(value: object, style: tuple[int, str], lang: str) -> str:
    """``value`` written in ``lang`` with ``style`` = (decimals, unit suffix); NO_NUMBER when missing."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return NO_NUMBER
    if number != number:  # NaN
        return NO_NUMBER
    decimals, suffix = style
    return i18n.format_number(number, lang, decimals) + suffix


def shown_frame(frame: pd.DataFrame, names: list[str], lang: str, **styles: tuple[int, str]) -> pd.DataFrame:
    """The columns ``names`` of ``frame`` for display: numbers as text in ``lang`` (``COLUMN_STYLES``;
    ``styles`` adds or overrides a column's (decimals, suffix))."""
    shown = frame[names].copy()
    for name in names:
        style = styles.get(name) or (COLUMN_STYLES[name][1] if name in COLUMN_STYLES else None)
        if style is not None:
            shown[name] = [number_text(v, style, lang) for v in frame[name]]
    return shown


def column_labels(configs: dict) -> dict[str, str]:
    """column → header of st.dataframe column configs (``column_config``), for the phone's cards."""
    return {name: config["label"] for name, config in configs.items()}


def column_config(names: list[str], lang: str, **special) -> dict:
    """st.dataframe column configs for coverage columns, headers in ``lang``; ``special`` adds or overrides.

    Number columns are right-aligned text (see ``shown_frame``)."""
    configs = {}
    for name in names:
        if name in special:
            configs[name] = special[name]
            continue
        key, number_style, width = COLUMN_STYLES[name]
        configs[name] = st.column_config.TextColumn(i18n.t(key, lang), width=width,
                                                    alignment="right" if number_style else None)
    return configs


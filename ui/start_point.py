"""The nearest page's starting point: a settlement, a local community, a typed address, a map click or the device.

Only a settlement or a local community goes into the link (``?from=settlement:<id>`` or
``?from=area:<area_id>``); a typed address, a clicked point or a device position stays in this
session. Widget state lives under the ``near_`` keys of ``st.session_state``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import geocode, i18n, nearest, safe, text
from ui import address_input, cache, frames, geolocation, map_frame
from ui.widget_state import held, held_index

METHODS = ("settlement", "area", "address", "map", "device")
#: Query keys the start point and the result count own.
PARAMS = ("from", "k")
K_CHOICES = (1, 3, 5, 10)
DEFAULT_K = 3
LINKED_METHODS = ("settlement", "area")


@dataclass(frozen=True)
class Start:
    """Where the search starts: WGS84 degrees, a label and a precision text in the page language."""

    lat: float
    lon: float
    label: str
    precision: str
    #: The ``from`` link value ("settlement:<id>", "area:<area_id>"), or "" when it must not be shared.
    link: str = ""


def parse_from(value: object) -> tuple[str, str]:
    """(kind, id) of a ``?from=`` value; ("", "") unless the kind is a settlement or an area."""
    kind, _, ident = str(value or "")[:100].partition(":")
    return (kind, ident.strip()) if kind in LINKED_METHODS else ("", "")


def parse_k(value: object) -> int:
    """The number of places from ``?k=`` (one of K_CHOICES, else DEFAULT_K)."""
    try:
        k = int(str(value))
    except ValueError:
        return DEFAULT_K
    return k if k in K_CHOICES else DEFAULT_K


def _seed(params, settlement_names: dict, area_names: dict) -> None:
    """Start the widgets from the link, once per session (no default place: the user says where they are)."""
    kind, ident = parse_from(params.get("from"))
    state = st.session_state
    if "near_method" not in state:
        state.near_method = kind or "settlement"
        state.near_k = parse_k(params.get("k", DEFAULT_K))
    state.setdefault("near_settlement", ident if kind == "settlement" and ident in settlement_names else None)
    state.setdefault("near_area", ident if kind == "area" and ident in area_names else None)


def choose(lang: str) -> Start | None:
    """The "where are you" widgets; returns the chosen start, or None while there is none."""
    settlements, area_table = cache.load_settlements(), cache.load_areas()
    settlement_names = {str(r.settlement_id): i18n.bilingual(r.name_sl, r.name_it) for r in settlements.itertuples()}
    area_names = {r["area_id"]: i18n.name_in(r, lang) for r in area_table.to_dict("records")}
    _seed(st.query_params, settlement_names, area_names)

    st.subheader(i18n.t("nearest.where", lang))
    method = st.radio(i18n.t("nearest.method", lang), METHODS, key="near_method", horizontal=True,
                      index=held_index("near_method", METHODS),
                      format_func=lambda m: i18n.t(f"nearest.method.{m}", lang))
    if method == "settlement":
        ids = settlements.sort_values("name_sl", key=lambda s: s.map(text.fold))["settlement_id"].astype(str).tolist()
        return _from_settlement(lang, ids, settlement_names, settlements)
    if method == "area":
        ids = area_table.sort_values("name_sl", key=lambda s: s.map(text.fold))["area_id"].tolist()
        return _from_area(lang, ids, area_names, area_table)
    if method == "address":
        return _from_address(lang)
    if method == "map":
        return _from_map(lang)
    return _from_device(lang)


def _from_settlement(lang: str, ids: list[str], names: dict, settlements: pd.DataFrame) -> Start | None:
    chosen = st.selectbox(i18n.t("nearest.settlement", lang), ids, key="near_settlement", format_func=names.get,
                          index=held_index("near_settlement", ids, None),
                          placeholder=i18n.t("nearest.choose_place", lang))
    if chosen is None:
        return None
    lat, lon, label, _ = nearest.start_from_settlement(chosen, settlements, lang)  # the name in the page language
    return Start(lat, lon, label, i18n.t("precision.settlement", lang), f"settlement:{chosen}")


def _from_area(lang: str, ids: list[str], names: dict, area_table: pd.DataFrame) -> Start | None:
    chosen = st.selectbox(i18n.t("nearest.area", lang), ids, key="near_area", format_func=names.get,
                          index=held_index("near_area", ids, None),
                          placeholder=i18n.t("nearest.choose_place", lang))
    if chosen is None:
        return None
    lat, lon, _, _ = nearest.start_from_area(chosen, area_table)
    return Start(lat, lon, names[chosen], i18n.t("precision.area_centre", lang), f"area:{chosen}")


def _from_address(lang: str) -> Start | None:
    # Says before anything is sent online, and offers the offline register instead (ui/address_input.py).
    asked, found = address_input.lookup_form(lang)
    if asked:
        # The typed text is used for this lookup only: not cached, not logged, not in the link.
        st.session_state.near_address_result = found if found is not None else "not_found"
    found = st.session_state.get("near_address_result")
    if found == "not_found":
        st.warning(i18n.t("nearest.address_not_found", lang))
        return None
    if found is None:
        return None
    precision = (i18n.t("precision.manual", lang, m=found.accuracy_m or "?") if found.precision == "manual"
                 else i18n.t(f"precision.{found.precision}", lang))
    note = address_input.note_text(found, lang)  # the geocoder's notes in the page language
    if note:
        st.caption(safe.md_text(note))
    return Start(found.lat, found.lon, start_label(found, lang), precision)


def start_label(found, lang: str) -> str:
    """The typed address's label in the page language (Italian register names for ``it``).

    A register result's label may end with a note in parentheses ("(settlement centroid)"); the
    precision is said next to the label in the page language, so the note is left out.
    """
    label = found.label
    if found.source == geocode.SOURCE_REGISTER:
        label = re.sub(r"\s*\([^()]*\)\s*$", "", label)
    sources = cache.geocode_sources()
    return nearest.label_in(label, lang, sources.streets, sources.settlements)


PICK_MAP_KEY, PICK_MAP_HEIGHT = "near_pick_map", 380


def _from_map(lang: str) -> Start | None:
    st.caption(i18n.t("nearest.click_hint", lang))
    clicked = st.session_state.get("near_clicked")
    mark = () if not clicked else ((clicked[0], clicked[1], i18n.t("nearest.start_marker", lang)),)
    returned = map_frame.show(pick_frame(lang, (), mark, key=PICK_MAP_KEY, height=PICK_MAP_HEIGHT), PICK_MAP_KEY)
    point = clicked_point(returned)
    if point is not None and point != (tuple(clicked) if clicked else None):
        st.session_state.near_clicked = point
        st.rerun()
    if not clicked:
        return None
    return Start(clicked[0], clicked[1], i18n.t("nearest.clicked_point", lang), i18n.t("precision.clicked", lang))


def pick_frame(lang: str, public: tuple[tuple[float, float, str], ...], private: tuple[tuple[float, float, str], ...],
               *, key: str, height: int) -> dict:
    """The frame of the map a point is clicked on (``frames.pick_map_args``), each mark (lat, lon, label)
    ringed: rendered once per view, not on every run (~0.3 s, issue 14).

    ``public`` marks (a what-if link's places) may be in a cache shared by every session; with a
    ``private`` mark (the user's own click) the frame is kept in this session only (:func:`session_frame`).
    """
    if not private:
        return frames.pick_map_frame(lang, public, key=key, height=height)
    marks = tuple((float(lat), float(lon), str(label)) for lat, lon, label in (*public, *private))
    return session_frame(f"{key}_frame", (cache.data_stamp(), lang, marks, key, height),
                         lambda: frames.pick_map_args(lang, marks, key=key, height=height))


def session_frame(state_key: str, view: tuple, build: Callable[[], dict]) -> dict:
    """A map frame kept in this session only, under ``state_key``: ``build()`` when ``view`` (whatever
    the frame shows, hashable) differs from the kept one's, else the kept frame. For maps that show the
    user's own point (a typed address, a click, the device): such a point never goes into a cache
    shared between sessions, whose keys would be a store of it (README "Offline and privacy")."""
    kept = st.session_state.get(state_key)
    if kept is not None and kept[0] == view:
        return kept[1]
    frame = build()
    st.session_state[state_key] = (view, frame)
    return frame


def clicked_point(returned: object) -> tuple[float, float] | None:
    """The (lat, lon) of st_folium's ``last_clicked`` rounded to 6 decimals (~0.1 m), or None."""
    last = returned.get("last_clicked") if isinstance(returned, dict) else None
    if not (isinstance(last, dict) and "lat" in last and "lng" in last):
        return None
    try:
        lat, lon = round(float(last["lat"]), 6), round(float(last["lng"]), 6)
    except (TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _from_device(lang: str) -> Start | None:
    st.caption(i18n.t("nearest.device_hint", lang))
    answer = geolocation.locate_button(i18n.t("nearest.device_button", lang), i18n.t("nearest.device_waiting", lang),
                                       "near_device")
    if answer is not None:
        st.session_state.near_device_answer = answer
    answer = st.session_state.get("near_device_answer")
    if isinstance(answer, str):
        st.warning(i18n.t(f"nearest.device_{answer}", lang))
        return None
    if answer is None:
        return None
    lat, lon, accuracy = answer
    precision = i18n.t("precision.device", lang, m=i18n.format_number(accuracy, lang) if accuracy is not None else "?")
    return Start(lat, lon, i18n.t("nearest.device_point", lang), precision)


def k_slider(lang: str, container=None) -> int:
    """How many places to show (in ``container``, else the main column), seeded from ``?k=`` by :func:`choose`."""
    st.session_state.setdefault("near_k", parse_k(st.query_params.get("k", DEFAULT_K)))
    box = container if container is not None else st
    return int(box.select_slider(i18n.t("nearest.k", lang), K_CHOICES, key="near_k", value=held("near_k")))


def link_params(start: Start | None, k: int) -> dict[str, str]:
    """The start point's and result count's query parameters (defaults and private starts left out)."""
    params = {"from": start.link} if start is not None and start.link else {}
    if k != DEFAULT_K:
        params["k"] = str(k)
    return params

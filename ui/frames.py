"""Map frames and what-if tables shared by every session: the second half of ``ui.cache`` (issue 14).

streamlit-folium's ``st_folium`` renders the whole folium map on every script run (~0.2–0.45 s);
these caches render each map once per view and hand ``ui.map_frame.show`` the arguments. The
service map's marker rows are files the map fetches (``map_rows_url``); a small view's markers
come inline in its frame as well (``mapping.rows.inline_markers``), drawn without waiting for a
fetch. Keys start with the data stamp (``ui.cache``), so an edited data file gives new frames on
the next run.

Only public points go into a shared key (a settlement or community centre, a what-if link's
places); a typed address, a clicked point or the device's position is kept in its session
(``ui.start_point.session_frame``), never in a cache every session shares.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import areas, coverage, filters, hours, mapping, settings
from ui.cache import (FILTERS_HASH, _area_index, _areas, _boundaries, _directory, _folder_and_stamp, _outline, _settlements,
                      load_boundaries, load_directory, load_outline, load_settlements)


# A resource, not cache_data: the rows are read only, and copying megabytes of JSON per hit is
# what the cache is meant to save. Not the folium Map itself: st_folium rewrites the ids of the
# map's elements (``_generate_leaflet_string`` sets ``m._id``), so one Map object must not be
# rendered by two sessions; building the Map around cached rows is cheap.
# Keyed by the minute only for "open now" (which addresses are shown changes with it).
@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=FILTERS_HASH)
def _map_layer(folder: str, stamp: tuple, chosen: filters.Filters, lang: str,
               now: dt.datetime | None) -> tuple[tuple[mapping.Location, ...], str]:
    services, _error = _directory(folder, stamp)
    if services is None:
        return (), mapping.script_json([])
    located = mapping.map_locations(filters.apply(services, chosen, lang))
    return tuple(located), mapping.rows.marker_json(located, lang)


def _layer_moment(chosen: filters.Filters, when: dt.datetime) -> dt.datetime | None:
    return when if chosen.hours == "open_now" else None


def map_layer(chosen: filters.Filters, lang: str, when: dt.datetime) -> tuple[tuple[mapping.Location, ...], str]:
    """The service map's addresses and marker rows for a view (``mapping.map_locations`` and
    ``mapping.rows.marker_json``), shared by every session: keyed by the data stamp, the filters and
    the language (and the minute for "open now"). Centre, zoom, selection and the areas layer are
    not part of the rows, so they do not split the cache. Read only: do not modify the records.
    """
    when = when.replace(second=0, microsecond=0)
    return _map_layer(*_folder_and_stamp(), chosen, lang, _layer_moment(chosen, when))


# The popups' details change with the day ("today" hours; ``today``: is that day today).
@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=FILTERS_HASH)
def _map_details(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, now: dt.datetime | None,
                 day: dt.date, today: dt.date) -> str:
    located, _markers = _map_layer(folder, stamp, chosen, lang, now)
    return mapping.rows.detail_json(list(located), lang, dt.datetime.combine(day, dt.time()))


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=FILTERS_HASH)
def _map_view(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, when: dt.datetime) -> tuple[str, str]:
    now = _layer_moment(chosen, when)
    located, markers = _map_layer(folder, stamp, chosen, lang, now)
    details = _map_details(folder, stamp, chosen, lang, now, when.date(), hours.local_now().date())
    static = settings.PROJECT_DIR / "static"
    # the markers and details files are only touched when they exist (same content, same name)
    view = mapping.rows.view_json(mapping.publish_rows(static, markers), mapping.publish_rows(static, details),
                                  list(located), lang, when)
    return mapping.publish_rows(static, view), view


def _map_rows_url(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, when: dt.datetime) -> str:
    return _map_view(folder, stamp, chosen, lang, when)[0]


def map_rows_url(chosen: filters.Filters, lang: str, when: dt.datetime) -> str:
    """The URL of the map's rows for a view and minute (``mapping.rows.view_json``: the open state of
    each service, naming the markers and popup details files), written once per view and minute
    (``mapping.publish_rows``; markers once per view, details once per view and day); the map
    fetches it. Raises OSError when ``static/`` cannot be written."""
    return _map_rows_url(*_folder_and_stamp(), chosen, lang, when.replace(second=0, microsecond=0))


#: Where the marker rows' URL goes in a cached frame layout (see _map_frame).
_ROWS_PLACEHOLDER = mapping.rows.ROWS_URL_PREFIX + "/rows-of-this-view.json"
#: Where a small view's inline markers (or ``null``) go in a cached frame layout: a JavaScript
#: string literal, so the layout is still a valid script (see _map_frame).
_MARKERS_PLACEHOLDER = '"koper-markers-of-this-view"'
#: Where the view file's own content goes with inline markers (else ``null``; see _map_frame).
_VIEW_PLACEHOLDER = '"koper-view-of-this-minute"'


# The frame without its minute: the marker rows' URL and the inline markers are placeholders,
# replaced per minute in _map_frame ("open now" markers change with the minute). The rows (open
# now / closed) change every minute; the rest of the frame (areas, names, legend) does not, and rendering it is the cost this cache exists to save (issue 14).
# ``_when`` (not hashed) is only the moment of the rows behind the markers the view may select.
@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=FILTERS_HASH)
def _map_frame_layout(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, show_areas: bool,
                      center: tuple | None, zoom: int | None, selected: str | None, key: str, height: int,
                      returned_objects: tuple[str, ...], _when: dt.datetime) -> dict | None:
    from ui import map_frame  # here: streamlit-folium is loaded only by the pages that draw a map

    services, _error = _directory(folder, stamp)
    if services is None:
        return None
    located, _rows = _map_layer(folder, stamp, chosen, lang, _layer_moment(chosen, _when))
    folium_map = mapping.build_map(
        filters.apply(services, chosen, lang), lang, boundaries=_boundaries(folder, stamp),
        outline=_outline(folder, stamp), settlements=_settlements(folder, stamp), when=_when, show_areas=show_areas,
        center=center, zoom=zoom, selected=selected, located=list(located), rows_url=_ROWS_PLACEHOLDER,
        markers_json=_MARKERS_PLACEHOLDER, view_json=_VIEW_PLACEHOLDER,
    )
    return map_frame.frame_args(folium_map, key=key, height=height, returned_objects=returned_objects)


# A resource: the arguments are read only (ui.map_frame.show copies what the component may change).
@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=FILTERS_HASH)
def _map_frame(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, when: dt.datetime, show_areas: bool,
               center: tuple | None, zoom: int | None, selected: str | None, key: str, height: int,
               returned_objects: tuple[str, ...]) -> dict | None:
    from ui import map_frame

    layout = _map_frame_layout(folder, stamp, chosen, lang, show_areas, center, zoom, selected, key, height,
                               returned_objects, when)
    if layout is None:
        return None
    _located, markers = _map_layer(folder, stamp, chosen, lang, _layer_moment(chosen, when))
    rows_url, view = _map_view(folder, stamp, chosen, lang, when)
    inline = mapping.rows.inline_markers(markers)
    framed = map_frame.with_rows_url(layout, _ROWS_PLACEHOLDER, rows_url, key)
    # with inline markers the view file's content too (one request less per visit); it holds only our
    # escaped texts and URLs. The markers last: a name in them may read like a placeholder (the same
    # replacement; the component's key follows the final script)
    framed = map_frame.with_rows_url(framed, _VIEW_PLACEHOLDER, view if inline else "null", key)
    return map_frame.with_rows_url(framed, _MARKERS_PLACEHOLDER, inline or "null", key)


def map_frame(chosen: filters.Filters, lang: str, when: dt.datetime, *, show_areas: bool,
              center: tuple[float, float] | None, zoom: int | None, selected: str | None, key: str, height: int,
              returned_objects: tuple[str, ...]) -> dict | None:
    """The service map's frame for a view, as ``ui.map_frame.frame_args`` (streamlit-folium's
    arguments, marker rows fetched from ``map_rows_url``; a small view's markers also inline, see
    ``mapping.rows.inline_markers``), shared by every session with that view:
    keyed by the data stamp, the filters, the language, the minute, the areas layer, the position
    and the selection. None without data. Draw it with ``ui.map_frame.show``.
    """
    return _map_frame(*_folder_and_stamp(), chosen, lang, when.replace(second=0, microsecond=0), bool(show_areas),
                      None if center is None else tuple(center), zoom, selected, key, int(height),
                      tuple(returned_objects))


# --- the nearest page's result map and the what-if page's tables and map (issue 14) ---------------
# Same idea as the service map's frame: st_folium rendered the folium map on every run (~0.2 s of a
# /nearest or /whatif run, py-spy), and the what-if tables were computed again on every rerun.

def nearest_frame_args(found: pd.DataFrame, start: tuple[float, float], start_label: str, lang: str,
                       when: dt.datetime, *, key: str, height: int) -> dict:
    """The nearest page's result map as ``ui.map_frame.frame_args`` (not cached): every place of ``found``
    (rows of the directory, WGS84 ``lat``/``lon``) as of ``when``, the start point (lat, lon) marked with
    ``start_label`` (plain text), framed to show them all. Raises geo.errors.AssetError without the map's code."""
    from ui import map_frame  # here: streamlit-folium is loaded only by the pages that draw a map

    folium_map = mapping.build_map(
        found, lang, boundaries=load_boundaries(), outline=load_outline(), settlements=None, when=when,
        show_areas=False, fit=[start, *zip(found["lat"], found["lon"])],
    )
    mapping.add_start_point(folium_map, start[0], start[1], start_label)
    return map_frame.frame_args(folium_map, key=key, height=height, returned_objects=())


# ``_found`` (not hashed) is the rows the ids name: the key is the data stamp and the ids in order.
@st.cache_resource(show_spinner=False, max_entries=128)
def _nearest_frame(folder: str, stamp: tuple, ids: tuple[str, ...], start: tuple[float, float], start_label: str,
                   lang: str, when: dt.datetime, key: str, height: int, _found: pd.DataFrame) -> dict:
    return nearest_frame_args(_found, start, start_label, lang, when, key=key, height=height)


def nearest_frame(found: pd.DataFrame, start: tuple[float, float], start_label: str, lang: str, when: dt.datetime,
                  *, key: str, height: int) -> dict:
    """``nearest_frame_args`` shared by every session with that view: keyed by the data stamp, the ids of
    ``found`` in order, the start point, its label, the language and the minute. Read only; draw it with
    ``ui.map_frame.show``.

    Only for public start points (a settlement or local community centre from the register): the
    key is kept in the server's memory, so a typed address's or a device's point must not go
    through here (ui.nearest_results keeps those frames in the session instead)."""
    minute = when.replace(second=0, microsecond=0)
    return _nearest_frame(*_folder_and_stamp(), tuple(found["id"].astype(str)), (float(start[0]), float(start[1])),
                          start_label, lang, minute, key, int(height), found)


# cache_data, not a resource: every caller gets its own copy (the tables are small; the PDF and the
# map are made from them), and the key is the places and the comparison, not the language.
@st.cache_data(show_spinner=False, max_entries=32)
def _whatif_tables(folder: str, stamp: tuple, places: tuple, category: str | None, target_group: str | None,
                   at: dt.datetime | None, include_unknown_hours: bool, include_ankaran: bool, thresholds: tuple,
                   radius_km: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
    from geo import scenario

    services, _error = _directory(folder, stamp)
    if services is None:
        return None
    index = _area_index(folder, stamp)
    demand = areas.load_demand_points(Path(folder))
    area_table = _areas(folder, stamp)
    choice = dict(category=category, target_group=target_group, at=at, include_unknown_hours=include_unknown_hours,
                  include_ankaran=include_ankaran, thresholds=coverage.GapThresholds(*thresholds), area_index=index)
    before = coverage.area_coverage(services, area_table, demand, **choice)
    after = coverage.area_coverage(scenario.with_places(services, places, index), area_table, demand, **choice)
    return before, after, scenario.compare(before, after, radius_km)


def whatif_tables(places: tuple, *, category: str | None, target_group: str | None, at: dt.datetime | None,
                  include_unknown_hours: bool, include_ankaran: bool, thresholds: coverage.GapThresholds,
                  radius_km: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
    """(before, after, comparison) of the what-if page: ``geo.coverage.area_coverage`` of the directory
    without and with ``places`` (geo.scenario.Place, in order) and ``geo.scenario.compare`` at
    ``radius_km``; computed once per data stamp, places and comparison, shared by every session and
    language (the numbers do not depend on it). None without data. The places are the ones in the
    page's link (rounded points, never a typed address)."""
    return _whatif_tables(*_folder_and_stamp(), tuple(places), category, target_group, at, bool(include_unknown_hours),
                          bool(include_ankaran), dataclasses.astuple(thresholds), float(radius_km))


@st.cache_resource(show_spinner=False, max_entries=64)
def _whatif_map_frame(folder: str, stamp: tuple, places: tuple, view_key: tuple, measure: str, lang: str,
                      title: str, names: tuple[str, ...], key: str, height: int, _after: pd.DataFrame) -> dict:
    from geo import choropleth
    from ui import map_frame

    fmap = choropleth.build_choropleth(_after, _boundaries(folder, stamp), measure, lang, title=title,
                                       outline=_outline(folder, stamp))
    for place, name in zip(places, names):
        mapping.add_start_point(fmap, place.lat, place.lon, name)
    return map_frame.frame_args(fmap, key=key, height=height, returned_objects=())


def whatif_map_frame(after: pd.DataFrame, places: tuple, view_key: tuple, measure: str, lang: str, title: str,
                     names: list[str], *, key: str, height: int) -> dict:
    """The what-if choropleth (``geo.choropleth.build_choropleth`` of ``after`` by ``measure``, each place
    marked with its name) as ``ui.map_frame.frame_args``, shared by every session: keyed by the data
    stamp, the places, ``view_key`` (whatever ``after`` was computed for: the same key must mean the
    same table), the measure, the language, the title and the names. Read only; draw it with
    ``ui.map_frame.show``."""
    return _whatif_map_frame(*_folder_and_stamp(), tuple(places), tuple(view_key), measure, lang, title, tuple(names),
                             key, int(height), after)


def pick_map_args(lang: str, marks: tuple[tuple[float, float, str], ...], *, key: str, height: int) -> dict:
    """The map a point is clicked on (/nearest and /whatif "on the map"): areas, settlement names and no
    service, each of ``marks`` ((lat, lon, plain-text label)) ringed, as ``ui.map_frame.frame_args``
    reporting ``last_clicked`` (not cached; ~0.3 s: the 227 settlement names). Raises
    geo.errors.AssetError without the map's code."""
    from geo import hours
    from ui import map_frame

    services, _error = load_directory()
    empty = services.iloc[0:0] if services is not None else pd.DataFrame()
    folium_map = mapping.build_map(empty, lang, boundaries=load_boundaries(), outline=load_outline(),
                                   settlements=load_settlements(), when=hours.local_now(), show_areas=True)
    for lat, lon, label in marks:
        mapping.add_start_point(folium_map, lat, lon, label)
    return map_frame.frame_args(folium_map, key=key, height=height, returned_objects=("last_clicked",))


@st.cache_resource(show_spinner=False, max_entries=32)
def _pick_map_frame(folder: str, stamp: tuple, lang: str, marks: tuple, key: str, height: int) -> dict:
    return pick_map_args(lang, marks, key=key, height=height)


def pick_map_frame(lang: str, marks: tuple[tuple[float, float, str], ...], *, key: str, height: int) -> dict:
    """``pick_map_args`` shared by every session: keyed by the data stamp, the language and ``marks``.
    Only for points that are public (none, or a what-if link's places): a clicked point is the
    user's own and is kept in the session instead. Read only; draw it with ``ui.map_frame.show``."""
    marks = tuple((float(lat), float(lon), str(label)) for lat, lon, label in marks)
    return _pick_map_frame(*_folder_and_stamp(), lang, marks, key, int(height))

"""Cached loaders: the one place where the geo package is wrapped in Streamlit's caches.

Cache keys include the data files' modification times (the ``stamp`` argument: it must not start
with an underscore, or Streamlit would leave it out of the key), so an edited file is read again
on the next rerun and a broken edit is reported while the last good data stays on screen.

This is the only module (besides the command-line entry points) that resolves the data directory
(``settings.data_dir()``), and the only home of caches: the geo package keeps no state between calls.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import areas, assets, coverage, directory, filters, geocode, hours, mapping, nearest, settings
from geo.errors import KoperMapError


def _stamp(folder: Path) -> tuple:
    """Names, sizes and modification times of the data files: changes when any file does."""
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


def data_folder() -> Path:
    """The data folder the app reads and the staff page writes (``KOPER_MAP_DATA_DIR`` or ``data/``)."""
    return settings.data_dir()


def _folder_and_stamp() -> tuple[str, tuple]:
    folder = data_folder()
    return str(folder), _stamp(folder)


class _LastGood:
    """The last located directory that loaded without error, per data folder (shared by all sessions)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, pd.DataFrame] = {}

    def keep(self, folder: str, services: pd.DataFrame) -> None:
        with self._lock:
            self._tables[folder] = services

    def get(self, folder: str) -> pd.DataFrame | None:
        with self._lock:
            return self._tables.get(folder)


@st.cache_resource(show_spinner=False)
def _last_good() -> _LastGood:
    # A resource, not cache_data: it must outlive the stamp a broken edit brings.
    return _LastGood()


# A resource, not cache_data: cache_data unpickled a copy of the table on every call (~10 ms per
# page run, issue 14). Callers get a shallow copy (load_directory): with pandas' copy-on-write a
# change to it never reaches the shared table.
@st.cache_resource(show_spinner=False, max_entries=8)
def _directory(folder: str, stamp: tuple) -> tuple[pd.DataFrame | None, str | None]:
    # Errors are kept as their message, as when this was cache_data (pickled).
    built = directory.build_directory(Path(folder))
    if built.error is None and built.services is not None:
        _last_good().keep(folder, built.services)
        return built.services, None
    # A broken file: show the last good data of this folder (if any) with the error.
    return _last_good().get(folder), str(built.error)


def load_directory() -> tuple[pd.DataFrame | None, str | None]:
    """The located services and the load error message, if any (cached until a file changes).

    Services may be present together with an error: then they are the last good data. The table
    is the caller's own (a copy-on-write copy of the shared one).
    """
    services, error = _directory(*_folder_and_stamp())
    return (None if services is None else services.copy(deep=False)), error


@st.cache_resource(show_spinner=False, max_entries=8)
def _geography_error(folder: str, stamp: tuple) -> str | None:
    try:
        _areas(folder, stamp)
        _boundaries(folder, stamp)
        _outline(folder, stamp)
        _settlements(folder, stamp)
    except KoperMapError as error:
        return str(error)
    return None


def geography_error() -> str | None:
    """Why a geography file (areas, boundaries, outline, settlements) cannot be read, or None; checked
    once per data stamp (reading them through cache_data on every run unpickled ~40 ms of copies)."""
    return _geography_error(*_folder_and_stamp())


@st.cache_data(show_spinner=False, max_entries=8)
def _areas(folder: str, stamp: tuple) -> pd.DataFrame:
    return areas.load_areas(Path(folder))


def load_areas() -> pd.DataFrame:
    """The 23 local areas with population and boundary error (cached until a file changes)."""
    return _areas(*_folder_and_stamp())


@st.cache_data(show_spinner=False, max_entries=8)
def _boundaries(folder: str, stamp: tuple) -> dict:
    return areas.load_boundaries(Path(folder))


def load_boundaries() -> dict:
    """Area boundaries as GeoJSON (official file if supplied, else the approximation)."""
    return _boundaries(*_folder_and_stamp())


@st.cache_resource(show_spinner=False, max_entries=8)
def _area_index(folder: str, stamp: tuple) -> areas.AreaIndex:
    return areas.area_index(_boundaries(folder, stamp))


def area_index() -> areas.AreaIndex:
    """The area polygons and their spatial index, for ``areas.area_of_point`` (built once per data stamp)."""
    return _area_index(*_folder_and_stamp())


def boundary_is_official() -> bool:
    """True when the data directory holds an official boundary file."""
    return areas.boundary_is_official(data_folder())


@st.cache_data(show_spinner=False, max_entries=8)
def _outline(folder: str, stamp: tuple) -> dict:
    return areas.load_outline(Path(folder))


def load_outline() -> dict:
    """The outline of Koper and Ankaran as GeoJSON."""
    return _outline(*_folder_and_stamp())


@st.cache_data(show_spinner=False, max_entries=8)
def _settlements(folder: str, stamp: tuple) -> pd.DataFrame:
    return mapping.settlements_with_population(areas.load_settlements(Path(folder)), areas.load_demand_points(Path(folder)))


def load_settlements() -> pd.DataFrame:
    """Settlements with register centroid, area and population (for labels and start points)."""
    return _settlements(*_folder_and_stamp())


@st.cache_resource(show_spinner=False, max_entries=4)
def _index(folder: str, stamp: tuple) -> nearest.LocationIndex | None:
    services, _error = _directory(folder, stamp)
    return nearest.build_index(services) if services is not None else None


def location_index() -> nearest.LocationIndex | None:
    """The spatial index of placed services (None when no data could be loaded)."""
    return _index(*_folder_and_stamp())


@st.cache_resource(show_spinner=False)
def _static_assets() -> str | None:
    try:
        assets.ensure_static_assets()
    except (KoperMapError, OSError) as error:
        return str(error)
    return None


def static_assets_error() -> str | None:
    """Copy the map's JavaScript/CSS to static/vendor once per server; the error text if that failed."""
    return _static_assets()


@st.cache_resource(show_spinner=False, max_entries=4)
def _geocode_sources(folder: str, stamp: tuple) -> geocode.GeocodeSources:
    return geocode.load_sources(Path(folder))


def geocode_sources() -> geocode.GeocodeSources:
    """The manual points, geocode cache and register tables the address search reads."""
    return _geocode_sources(*_folder_and_stamp())


@st.cache_resource(show_spinner=False)
def online_geocoder():
    """The server's one Nominatim client: every session shares its 1 request/s and its pause after a 429."""
    return geocode.make_online_geocoder()


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage(folder: str, stamp: tuple, target_group: str | None, at: dt.datetime | None,
              include_unknown_hours: bool, thresholds: tuple) -> pd.DataFrame | None:
    # ``stamp`` has no leading underscore on purpose: Streamlit does not hash such arguments,
    # and the table must be recomputed when a data file changes.
    services, _error = _directory(folder, stamp)
    if services is None:
        return None
    return coverage.coverage_by_category(
        services, _areas(folder, stamp), areas.load_demand_points(Path(folder)),
        target_group=target_group, at=at, include_unknown_hours=include_unknown_hours,
        thresholds=coverage.GapThresholds(*thresholds), area_index=_area_index(folder, stamp),
    )


def coverage_table(target_group: str | None, at: dt.datetime | None, include_unknown_hours: bool,
                   thresholds: coverage.GapThresholds) -> pd.DataFrame | None:
    """geo.coverage's area × category table for every area (cached per data stamp and choice; None without data)."""
    return _coverage(*_folder_and_stamp(), target_group, at, include_unknown_hours, dataclasses.astuple(thresholds))


# A resource, not cache_data: the rows are read only, and copying megabytes of JSON per hit is
# what the cache is meant to save. Not the folium Map itself: st_folium rewrites the ids of the
# map's elements (``_generate_leaflet_string`` sets ``m._id``), so one Map object must not be
# rendered by two sessions; building the Map around cached rows is cheap.
# Keyed by the minute only for "open now" (which addresses are shown changes with it).
@st.cache_resource(show_spinner=False, max_entries=16)
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
@st.cache_resource(show_spinner=False, max_entries=16)
def _map_details(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, now: dt.datetime | None,
                 day: dt.date, today: dt.date) -> str:
    located, _markers = _map_layer(folder, stamp, chosen, lang, now)
    return mapping.rows.detail_json(list(located), lang, dt.datetime.combine(day, dt.time()))


@st.cache_resource(show_spinner=False, max_entries=64)
def _map_rows_url(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, when: dt.datetime) -> str:
    now = _layer_moment(chosen, when)
    located, markers = _map_layer(folder, stamp, chosen, lang, now)
    details = _map_details(folder, stamp, chosen, lang, now, when.date(), hours.local_now().date())
    static = settings.PROJECT_DIR / "static"
    # the markers and details files are only touched when they exist (same content, same name)
    view = mapping.rows.view_json(mapping.publish_rows(static, markers), mapping.publish_rows(static, details),
                                  list(located), lang, when)
    return mapping.publish_rows(static, view)


def map_rows_url(chosen: filters.Filters, lang: str, when: dt.datetime) -> str:
    """The URL of the map's rows for a view and minute (``mapping.rows.view_json``: the open state of
    each service, naming the markers and popup details files), written once per view and minute
    (``mapping.publish_rows``; markers once per view, details once per view and day); the map
    fetches it. Raises OSError when ``static/`` cannot be written."""
    return _map_rows_url(*_folder_and_stamp(), chosen, lang, when.replace(second=0, microsecond=0))


#: Where the marker rows' URL goes in a cached frame layout (see _map_frame).
_ROWS_PLACEHOLDER = mapping.rows.ROWS_URL_PREFIX + "/rows-of-this-view.json"


# The frame without its minute: the marker rows' URL is a placeholder, replaced per minute in
# _map_frame. The rows (open now / closed) change every minute; the rest of the frame (areas,
# names, legend) does not, and rendering it is the cost this cache exists to save (issue 14).
# ``_when`` (not hashed) is only the moment of the rows behind the markers the view may select.
@st.cache_resource(show_spinner=False, max_entries=64)
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
    )
    return map_frame.frame_args(folium_map, key=key, height=height, returned_objects=returned_objects)


# A resource: the arguments are read only (ui.map_frame.show copies what the component may change).
@st.cache_resource(show_spinner=False, max_entries=64)
def _map_frame(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, when: dt.datetime, show_areas: bool,
               center: tuple | None, zoom: int | None, selected: str | None, key: str, height: int,
               returned_objects: tuple[str, ...]) -> dict | None:
    from ui import map_frame

    layout = _map_frame_layout(folder, stamp, chosen, lang, show_areas, center, zoom, selected, key, height,
                               returned_objects, when)
    if layout is None:
        return None
    return map_frame.with_rows_url(layout, _ROWS_PLACEHOLDER, _map_rows_url(folder, stamp, chosen, lang, when), key)


def map_frame(chosen: filters.Filters, lang: str, when: dt.datetime, *, show_areas: bool,
              center: tuple[float, float] | None, zoom: int | None, selected: str | None, key: str, height: int,
              returned_objects: tuple[str, ...]) -> dict | None:
    """The service map's frame for a view, as ``ui.map_frame.frame_args`` (streamlit-folium's
    arguments, marker rows fetched from ``map_rows_url``), shared by every session with that view:
    keyed by the data stamp, the filters, the language, the minute, the areas layer, the position
    and the selection. None without data. Draw it with ``ui.map_frame.show``.
    """
    return _map_frame(*_folder_and_stamp(), chosen, lang, when.replace(second=0, microsecond=0), bool(show_areas),
                      None if center is None else tuple(center), zoom, selected, key, int(height),
                      tuple(returned_objects))


@st.cache_resource(show_spinner=False, max_entries=64)
def _filter_counts(folder: str, stamp: tuple, chosen: filters.Filters, lang: str,
                   when: dt.datetime) -> dict[str, dict[str, int]]:
    services, _error = _directory(folder, stamp)
    return filters.counts(services, chosen, lang) if services is not None else {}


def filter_counts(chosen: filters.Filters, lang: str, when: dt.datetime) -> dict[str, dict[str, int]]:
    """``filters.counts`` of the whole directory for ``chosen``, shared by every session: keyed by the data
    stamp, the filters, the language and the minute (when "open now" is evaluated). Read only."""
    return _filter_counts(*_folder_and_stamp(), chosen, lang, when.replace(second=0, microsecond=0))


class _ListingTexts(Mapping):
    """``ui.listing.entry_texts`` by service id, each made the first time a page asks for it and then kept
    for every session of the same view (language, minute). A list shows at most ``listing.PAGE_SIZE``
    entries per section, so making all of a 10,000-service directory's texts each minute (3.6 s) was
    most of such a minute's first visit (issue 14). Safe across threads: two sessions may make the same
    entry at once; both get equal texts and one is kept."""

    def __init__(self, records: dict[str, dict], lang: str, when: dt.datetime, feedback: str | None) -> None:
        self._records, self._lang, self._when, self._feedback = records, lang, when, feedback
        self._made: dict[str, tuple[str, str, str]] = {}

    def __getitem__(self, service_id: str) -> tuple[str, str, str]:
        made = self._made.get(service_id)
        if made is None:
            from ui import listing  # here: ui.listing draws with Streamlit and is not needed by every caller

            made = listing.entry_texts(self._records[service_id], self._lang, self._when, self._feedback)
            self._made[service_id] = made
        return made

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._records

    def __iter__(self):
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


@st.cache_resource(show_spinner=False, max_entries=4)
def _records_by_id(folder: str, stamp: tuple) -> dict[str, dict]:
    services, _error = _directory(folder, stamp)
    return {} if services is None else {str(r.get("id")): r for r in services.to_dict("records")}


@st.cache_resource(show_spinner=False, max_entries=16)
def _listing_texts(folder: str, stamp: tuple, lang: str, when: dt.datetime, feedback: str | None) -> _ListingTexts:
    return _ListingTexts(_records_by_id(folder, stamp), lang, when, feedback)


def listing_texts(lang: str, when: dt.datetime) -> Mapping[str, tuple[str, str, str]]:
    """``ui.listing.entry_texts`` of every service of the directory by id, in ``lang`` at ``when`` (to the
    minute), shared by every session (the list under the map was half of a page run's CPU, issue 14);
    each entry is made when first asked for. Read only."""
    return _listing_texts(*_folder_and_stamp(), lang, when.replace(second=0, microsecond=0), settings.feedback_email())


@st.cache_data(show_spinner=False, max_entries=64)
def map_png(table: pd.DataFrame, boundaries: dict, key: str, lang: str, highlight: str | tuple[str, ...] | None = None,
            width_px: int = 1100, height_px: int = 700, label_px: float = 20.0) -> bytes:
    """The static choropleth as PNG (geo.report.map_png), cached per table and choice."""
    from geo import report  # here: matplotlib is loaded only by the pages that draw with it

    return report.map_png(table, boundaries, key, lang, highlight=highlight, width_px=width_px, height_px=height_px,
                          label_px=label_px)


@st.cache_data(show_spinner=False, max_entries=16)
def report_pdf(table: pd.DataFrame, long: pd.DataFrame, boundaries: dict, lang: str, day: dt.date, key: str,
               selection: str, thresholds: tuple, area_ids: tuple[str, ...] | None,
               available: pd.Series | None) -> bytes:
    """The council PDF (geo.report.build_pdf with the nearest service per category from each area's
    centre, among the ``available`` services), cached per input: the same bytes for every screen of
    one selection, so its download link stays valid across "Next" (the file id is the bytes' hash)."""
    from geo import report  # here: matplotlib is loaded only by the pages that draw with it

    index = location_index()
    nearest_rows = report.nearest_for_areas(index, load_areas(), lang, available) if index is not None else None
    return report.build_pdf(table, boundaries, lang, dt.datetime.combine(day, dt.time()), key=key, selection=selection,
                            thresholds=coverage.GapThresholds(*thresholds),
                            area_ids=None if area_ids is None else list(area_ids), by_category=long,
                            nearest_rows=nearest_rows)


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


def data_stamp() -> tuple:
    """The data folder and its files' names, sizes and modification times: changes when a file does
    (for keeping something per session until the data change)."""
    return _folder_and_stamp()


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

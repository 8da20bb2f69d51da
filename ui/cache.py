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
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import areas, assets, coverage, directory, filters, geocode, mapping, nearest, settings
from geo.errors import KoperMapError

#: How caches keyed by a ``filters.Filters`` hash it: by its repr (a frozen dataclass of strings, tuples
#: and a datetime: equal filters, equal text). Streamlit's own hashing of a dataclass took ~0.15 ms per
#: call, its repr 0.01 ms, and a page run makes several such calls (issue 14).
FILTERS_HASH = {filters.Filters: repr}


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


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=FILTERS_HASH)
def _filter_counts(folder: str, stamp: tuple, chosen: filters.Filters, lang: str,
                   when: dt.datetime) -> dict[str, dict[str, int]]:
    services, _error = _directory(folder, stamp)
    return filters.counts(services, chosen, lang) if services is not None else {}


def filter_counts(chosen: filters.Filters, lang: str, when: dt.datetime) -> dict[str, dict[str, int]]:
    """``filters.counts`` of the whole directory for ``chosen``, shared by every session: keyed by the data
    stamp, the filters, the language and the minute (when "open now" is evaluated). Read only."""
    return _filter_counts(*_folder_and_stamp(), chosen, lang, when.replace(second=0, microsecond=0))


@st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=FILTERS_HASH)
def _matching(folder: str, stamp: tuple, chosen: filters.Filters, lang: str, when: dt.datetime) -> pd.DataFrame | None:
    services, _error = _directory(folder, stamp)
    return filters.apply(services, chosen, lang) if services is not None else None


def matching_services(chosen: filters.Filters, lang: str, when: dt.datetime) -> pd.DataFrame | None:
    """``filters.apply`` of the whole directory for ``chosen`` (None without data), shared by every session:
    keyed like ``filter_counts``; filtering the table in every run was ~7 % of a visit's server CPU in
    py-spy (issue 14). Read only: copy before changing it."""
    return _matching(*_folder_and_stamp(), chosen, lang, when.replace(second=0, microsecond=0))


class _MadeOnFirstUse(Mapping):
    """A value per service id, each made (``make(service_id)``) the first time a page asks for it and then
    kept for every session of the same view (language, minute): ``ui.listing.entry_texts`` and
    ``ui.listing.entry_html``. A list shows at most ``listing.PAGE_SIZE`` entries per section, so making
    all of a 10,000-service directory's texts each minute (3.6 s) was most of such a minute's first visit
    (issue 14). Safe across threads: two sessions may make the same entry at once; both get equal
    values and one is kept."""

    def __init__(self, ids: Collection[str], make: Callable[[str], object]) -> None:
        self._ids, self._make = ids, make
        self._made: dict[str, object] = {}

    def __getitem__(self, service_id: str):
        made = self._made.get(service_id)
        if made is None:
            if service_id not in self._ids:
                raise KeyError(service_id)
            made = self._made[service_id] = self._make(service_id)
        return made

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._ids

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@st.cache_resource(show_spinner=False, max_entries=4)
def _records_by_id(folder: str, stamp: tuple) -> dict[str, dict]:
    services, _error = _directory(folder, stamp)
    return {} if services is None else {str(r.get("id")): r for r in services.to_dict("records")}


@st.cache_resource(show_spinner=False, max_entries=16)
def _listing_texts(folder: str, stamp: tuple, lang: str, when: dt.datetime, feedback: str | None) -> _MadeOnFirstUse:
    from ui import listing  # here: ui.listing draws with Streamlit and is not needed by every caller

    records = _records_by_id(folder, stamp)
    return _MadeOnFirstUse(records, lambda service_id: listing.entry_texts(records[service_id], lang, when, feedback))


def listing_texts(lang: str, when: dt.datetime) -> Mapping[str, tuple[str, str, str]]:
    """``ui.listing.entry_texts`` of every service of the directory by id, in ``lang`` at ``when`` (to the
    minute), shared by every session (the list under the map was half of a page run's CPU, issue 14);
    each entry is made when first asked for. Read only."""
    return _listing_texts(*_folder_and_stamp(), lang, when.replace(second=0, microsecond=0), settings.feedback_email())


@st.cache_resource(show_spinner=False, max_entries=16)
def _listing_html(folder: str, stamp: tuple, lang: str, when: dt.datetime, feedback: str | None) -> _MadeOnFirstUse:
    from ui import listing

    texts = _listing_texts(folder, stamp, lang, when, feedback)
    return _MadeOnFirstUse(texts, lambda service_id: listing.entry_html(texts[service_id], service_id))


def listing_html(lang: str, when: dt.datetime) -> Mapping[str, str]:
    """``ui.listing.entry_html`` of every service of the directory by id (closed; see ``listing.open_entry``),
    made from ``listing_texts`` when first asked for and shared by every session. Read only."""
    return _listing_html(*_folder_and_stamp(), lang, when.replace(second=0, microsecond=0), settings.feedback_email())


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


def data_stamp() -> tuple:
    """The data folder and its files' names, sizes and modification times: changes when a file does
    (for keeping something per session until the data change)."""
    return _folder_and_stamp()

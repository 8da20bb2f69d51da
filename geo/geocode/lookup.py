"""Placing an address: hand-placed point → cache → Nominatim (if asked) → register.

Offline (the default) everything comes from the GeocodeSources; online, Nominatim is asked
through ``geo._nominatim`` and any failure or implausible answer falls back to the register with a
note. Addresses typed by citizens are never written to disk or to logs: only ``store=True``
writes, and log lines carry failure categories, never the query.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from geo.errors import KoperMapError
from geo.geocode import files
from geo.geocode.address import parse_query
from geo.geocode.online import OUTSIDE_AREA, ask_online
from geo.geocode.result import NOT_CACHED, ONLINE_FAILED, SOURCE_MANUAL, GeocodeResult, Note, english, failure_key
from geo.geocode.register import Register
from geo.geocode.sources import GeocodeSources, RowIndex, load_sources
from geo.text import fold

logger = logging.getLogger(__name__)


def find_row(index: RowIndex, register: Register, query: str) -> dict | None:
    """The indexed row whose address matches the query after normalisation, or None."""
    if not index.records:
        return None
    key = register.address_key(query)
    positions = [index.by_text[k] for k in (fold(query), key) if k in index.by_text]
    if positions:
        return dict(index.records[min(positions)])  # the first row in the file that matches
    if parse_query(query).postcode is None:
        # "Krožna cesta 5" typed without a postcode: accept a single row for that street address.
        same = index.by_street.get(key, ())
        if len(same) == 1:
            return dict(index.records[same[0]])
    return None


def lookup_offline(query: str, sources: GeocodeSources) -> GeocodeResult | None:
    """Manual file first (hand-placed points beat everything), then the cache."""
    manual = find_row(sources.manual_index, sources.register, query)
    if manual is not None:
        return GeocodeResult(
            lat=float(manual["lat"]),
            lon=float(manual["lon"]),
            precision="manual",
            source=SOURCE_MANUAL,
            label=str(manual["address"]),
            retrieved_on=str(manual["placed_on"]) or None,
            note=str(manual.get("note") or ""),
            accuracy_m=int(manual["accuracy_m"]) if str(manual.get("accuracy_m") or "").strip() else None,
        )
    cached = find_row(sources.cache_index, sources.register, query)
    if cached is not None:
        return GeocodeResult(
            lat=float(cached["lat"]),
            lon=float(cached["lon"]),
            precision=str(cached["precision"]),
            source=str(cached["source"]),
            label=str(cached.get("display_name") or cached["query"]),
            retrieved_on=str(cached["retrieved_on"]) or None,
        )
    return None


def _store_in_cache(query: str, result: GeocodeResult, data_dir: Path | str) -> GeocodeResult:
    """Add an online result to the cache; a failed save becomes a note, the answer still stands."""
    try:
        cache = files.load_geocode_cache(data_dir)
        files.write_geocode_cache(files.upsert_cache_row(cache, files.cache_row(query, result)), data_dir)
    except (KoperMapError, OSError) as error:
        # The cache is written atomically, so the old file is still whole; only this result is lost.
        reason = "the cache file is invalid" if isinstance(error, KoperMapError) else f"cannot write the file, {type(error).__name__}"
        logger.warning("Geocoding result not saved to the cache (%s)", reason)
        return _with_notes(result, after=(Note.of(NOT_CACHED, reason=reason),))
    return result


def geocode(
    query: str,
    *,
    online: bool = False,
    store: bool = False,
    data_dir: Path | str | None = None,
    geocoder: Any = None,
    today: dt.date | str | None = None,
    sources: GeocodeSources | None = None,
) -> GeocodeResult | None:
    """Place an address: manual file → cache → Nominatim (if ``online``) → register; None if unknown.

    None as well, before any lookup, when the text names a postcode or town outside Koper and
    Ankaran (``Register.names_place_outside``), as for an online answer outside the area.

    Pass ``sources`` (``load_sources(folder)``, kept while the files do not change), or
    ``data_dir`` to load them for this one call. ``geocoder`` (needed when ``online``) is any
    object with ``geocode(query, **kwargs)``, normally the process's one
    ``make_online_geocoder()``. Only ``store=True`` writes (the online result, to the cache of
    ``data_dir``). Never raises because of the online service; raises ValueError when neither
    sources nor data_dir is given, ``online`` without ``geocoder``, or ``store`` without ``data_dir``.
    """
    if not str(query or "").strip():
        return None
    if sources is None and data_dir is None:
        raise ValueError("geocode() needs sources=load_sources(folder) or data_dir=folder")
    if online and geocoder is None:
        raise ValueError("geocode(online=True) needs geocoder=, e.g. the process's one make_online_geocoder()")
    if store and data_dir is None:
        raise ValueError("geocode(store=True) needs data_dir, the folder whose geocode cache is written")
    src = sources if sources is not None else load_sources(data_dir)
    if src.register.names_place_outside(query):
        # "Ljubljanska cesta 1, Ljubljana": not the Koper street of that name, and no question online
        # (the online path's canonical form drops the town). Not found, as an online answer outside
        # Koper and Ankaran is.
        logger.info("Address not placed (%s)", OUTSIDE_AREA)
        return None
    found = lookup_offline(query, src)
    if found is not None:
        return found
    failure_notes: tuple[Note, ...] = ()
    if online:
        canonical = src.register.canonical_address(query) or query
        result, failure = ask_online(canonical, geocoder, today, src.served_area)
        if result is not None:
            return _store_in_cache(canonical, result, data_dir) if store else result
        logger.info("Online geocoder failed (%s); using the offline register", failure)
        # ``failure`` keys the translated reason; ``reason`` is the English text (with any detail).
        failure_notes = (Note.of(ONLINE_FAILED, failure=failure_key(failure), reason=failure),)
    result = src.register.resolve(query)
    if result is not None and failure_notes:
        result = _with_notes(result, before=failure_notes)
    return result


def _with_notes(result: GeocodeResult, before: tuple[Note, ...] = (), after: tuple[Note, ...] = ()) -> GeocodeResult:
    """``result`` with more notes, in ``notes`` and in the English ``note``."""
    english_before, english_after = english(before), english(after)
    return replace(result, notes=(*before, *result.notes, *after),
                   note=" ".join(filter(None, [english_before, result.note, english_after])))

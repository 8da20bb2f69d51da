"""Geocoding of service and citizen addresses: hand-placed point → cache → Nominatim (optional) → register.

One module per job; this package re-exports the public names, so callers write ``geocode.geocode``:

- ``address``  — address text: words, stems, abbreviations ("c." → cesta, "v." → via), house
  numbers ("58/a" = "58 A"), cutting a query into street, village and postcode parts;
- ``register`` — the GURS register of settlements and streets as a matcher (``Register``):
  settlement centroids and the canonical spelling of an address;
- ``files``    — the data files: hand-placed points and the geocode cache (read, validate, write),
  the register tables;
- ``sources``  — everything a lookup reads, loaded and indexed once (``load_sources``);
- ``online``   — asking Nominatim (through ``geo._nominatim``) and rejecting implausible answers;
- ``lookup``   — the chain itself (``geocode``, ``lookup_offline``);
- ``cache_refresh`` — ``make geocode`` (its command line is ``python -m geo geocode``, in ``geo.cli``).

Addresses typed by citizens are never written to disk or to logs.
"""
from geo.geocode.address import POSTCODES, split_house_number
from geo.geocode.files import (
    CACHE_COLUMNS,
    MANUAL_COLUMNS,
    load_geocode_cache,
    load_manual_coordinates,
    load_register,
    read_csv,
    typed_empty,
    validate_geocode_cache,
    validate_manual_coordinates,
    write_geocode_cache,
)
from geo.geocode.lookup import geocode, lookup_offline
from geo.geocode.online import NO_NETWORK_FAILURES, ask_online, make_online_geocoder, precision_from_nominatim
from geo.geocode.cache_refresh import refresh
from geo.geocode.register import (
    Register,
    address_key,
    canonical_address,
    normalise_street_address,
    resolve_in_register,
)
from geo.geocode.result import PRECISIONS, SOURCE_MANUAL, SOURCE_NOMINATIM, SOURCE_REGISTER, GeocodeResult
from geo.geocode.sources import GeocodeSources, load_sources

__all__ = [
    "CACHE_COLUMNS", "MANUAL_COLUMNS", "NO_NETWORK_FAILURES", "POSTCODES", "PRECISIONS", "SOURCE_MANUAL",
    "SOURCE_NOMINATIM", "SOURCE_REGISTER", "GeocodeResult", "GeocodeSources", "Register", "address_key",
    "ask_online", "canonical_address", "geocode", "load_geocode_cache", "load_manual_coordinates",
    "load_register", "load_sources", "lookup_offline", "make_online_geocoder", "normalise_street_address", "read_csv",
    "precision_from_nominatim", "refresh", "resolve_in_register", "split_house_number", "typed_empty",
    "validate_geocode_cache", "validate_manual_coordinates", "write_geocode_cache",
]

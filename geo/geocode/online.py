"""Asking Nominatim about one address and checking its answer; never raises, never logs the query.

An answer is accepted only when it is a finite point in Slovenia and inside the municipalities
the service map covers (Koper and Ankaran, within OUTLINE_TOLERANCE_M of their outline), whatever
Nominatim says about its bounding box (``bounded=1``, ``countrycodes=si``): checked against
settings.KOPER_BBOX alone, an answer in Muggia (Italy) and one in Croatia were taken as addresses.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping
from typing import Any

import shapely
from geopy import exc as geopy_exc

from geo import _nominatim, settings
from geo.errors import GeocoderBusy, GeocoderPaused, GeocodingError
from geo.geocode.result import FAILURES, SOURCE_NOMINATIM, GeocodeResult

logger = logging.getLogger(__name__)

#: The outline (municipality.geojson) is an approximation built from the register; coastal and
#: border addresses may lie just outside it (Debeli rtič: ~40 m). Muggia and Croatia are > 900 m away.
OUTLINE_TOLERANCE_M = 300.0
_METRES_PER_DEGREE = 111_320.0
#: Failures that mean Nominatim could not be reached at all.
NO_NETWORK_FAILURES = frozenset({FAILURES["timeout"], FAILURES["unavailable"], FAILURES["network"]})
#: Failure categories of answers that were received but rejected.
OUTSIDE_COUNTRY = FAILURES["outside_country"]
OUTSIDE_AREA = FAILURES["outside_area"]


def make_online_geocoder(*, interactive: bool = True) -> _nominatim.RateLimitedGeocoder:
    """A Nominatim client for ``geocode(..., geocoder=...)``: interactive (one try, back within 5 s)
    or batch (``interactive=False``: retries, waits for its turn).

    Keep one per process and pass it to every lookup: its request slots (1 per second, Nominatim's
    usage policy) and its pause after a 429 only hold for the calls that share it. The app keeps
    its one in ``ui/cache.py``.
    """
    return _nominatim.make_geocoder(interactive=interactive)


def precision_from_nominatim(raw: Mapping[str, Any]) -> str:
    """Precision of a Nominatim hit from its ``addresstype``/``type``/``class``."""
    addresstype = str(raw.get("addresstype") or "").lower()
    kind = str(raw.get("type") or "").lower()
    category = str(raw.get("class") or raw.get("category") or "").lower()
    details = raw.get("address") if isinstance(raw.get("address"), Mapping) else {}
    if addresstype in {"house", "building"} or kind == "house" or category == "building" or details.get("house_number"):
        return "address"
    if addresstype == "road" or category == "highway":
        return "street"
    # village/town/hamlet/suburb and anything vaguer: claim no more than the settlement.
    return "settlement"


def nominatim_viewbox() -> list[tuple[float, float]]:
    """settings.KOPER_BBOX as geopy's viewbox: two (lat, lon) corners."""
    south, west, north, east = settings.KOPER_BBOX
    return [(south, west), (north, east)]


def failure_category(error: BaseException) -> str:
    """A short, query-free reason for an online failure."""
    # Order matters: the specific geopy errors subclass GeocoderServiceError.
    if isinstance(error, GeocoderPaused):
        return FAILURES["paused"]
    if isinstance(error, GeocoderBusy):
        return FAILURES["busy"]
    if isinstance(error, geopy_exc.GeocoderTimedOut):
        return FAILURES["timeout"]
    if isinstance(error, geopy_exc.GeocoderRateLimited):
        return FAILURES["rate_limited"]
    if isinstance(error, geopy_exc.GeocoderUnavailable):
        return FAILURES["unavailable"]
    if isinstance(error, geopy_exc.GeocoderParseError):
        return FAILURES["malformed"]
    if isinstance(error, (geopy_exc.GeocoderAuthenticationFailure, geopy_exc.GeocoderInsufficientPrivileges)):
        return FAILURES["refused"]
    if isinstance(error, geopy_exc.GeocoderQuotaExceeded):
        return FAILURES["quota"]
    if isinstance(error, geopy_exc.GeocoderQueryError):
        return FAILURES["query_rejected"]
    if isinstance(error, geopy_exc.GeocoderServiceError):
        return FAILURES["service_error"]
    if isinstance(error, geopy_exc.GeopyError):
        return FAILURES["geocoder_error"]
    if isinstance(error, OSError):
        return FAILURES["network"]
    return FAILURES["malformed"]


def _distance_outside_m(lat: float, lon: float, area: shapely.Geometry) -> float:
    """Metres from the point to ``area`` (0 inside); degrees scaled by the latitude, ample for 300 m."""
    point = shapely.Point(lon, lat)
    if area.covers(point):
        return 0.0
    degrees = shapely.distance(area, point)
    # A degree of longitude is cos(lat) of a degree of latitude: scaling by the shorter one gives a
    # lower bound of the true distance, so only a point surely beyond the tolerance is rejected.
    return degrees * _METRES_PER_DEGREE * math.cos(math.radians(lat))


def outside_reason(lat: float, lon: float, raw: Mapping[str, Any], served_area: shapely.Geometry | None) -> str:
    """Why a point cannot be an address of the map ("" when it can): not Slovenia, or not Koper/Ankaran."""
    details = raw.get("address") if isinstance(raw.get("address"), Mapping) else {}
    country = str(details.get("country_code") or "").strip().lower()
    if country and country != settings.NOMINATIM_COUNTRY_CODES:
        return OUTSIDE_COUNTRY
    south, west, north, east = settings.KOPER_BBOX
    if not (south <= lat <= north and west <= lon <= east):
        return OUTSIDE_AREA
    if served_area is not None and _distance_outside_m(lat, lon, served_area) > OUTLINE_TOLERANCE_M:
        return OUTSIDE_AREA
    return ""


def iso_day(today: dt.date | str | None) -> str:
    """``today`` as YYYY-MM-DD (the real date when None)."""
    if today is None:
        return dt.date.today().isoformat()
    return today if isinstance(today, str) else today.isoformat()


def ask_online(
    query: str,
    geocoder: Any,
    today: dt.date | str | None = None,
    served_area: shapely.Geometry | None = None,
) -> tuple[GeocodeResult | None, str]:
    """Ask the online geocoder; returns (result, "") or (None, failure category). Never raises.

    ``served_area`` is the outline of Koper and Ankaran in (lon, lat) degrees; without it the
    answer is checked against the country and settings.KOPER_BBOX only.
    """
    try:
        location = geocoder.geocode(
            query,
            exactly_one=True,
            country_codes=settings.NOMINATIM_COUNTRY_CODES,
            viewbox=nominatim_viewbox(),
            bounded=True,
            addressdetails=True,
        )
    except (GeocodingError, geopy_exc.GeopyError, OSError, ValueError, TypeError, KeyError, AttributeError,
            IndexError) as error:
        # Malformed JSON makes geopy raise ValueError/TypeError while parsing.
        return None, failure_category(error)
    except Exception as error:  # noqa: BLE001 - a citizen's lookup must never fail because of the geocoder
        logger.warning("Online geocoder raised an unexpected %s", type(error).__name__)
        return None, f"{FAILURES['unexpected']}, {type(error).__name__}"
    if isinstance(location, (list, tuple)):
        location = location[0] if location else None
    if location is None:
        return None, FAILURES["no_result"]
    try:
        lat, lon = float(location.latitude), float(location.longitude)
        raw = location.raw if isinstance(getattr(location, "raw", None), Mapping) else {}
        label = str(getattr(location, "address", "") or raw.get("display_name") or "")
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None, FAILURES["malformed"]
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None, FAILURES["malformed"]
    reason = outside_reason(lat, lon, raw, served_area)
    if reason:
        return None, reason
    return (
        GeocodeResult(
            lat=lat,
            lon=lon,
            precision=precision_from_nominatim(raw),
            source=SOURCE_NOMINATIM,
            label=label,
            retrieved_on=iso_day(today),
        ),
        "",
    )

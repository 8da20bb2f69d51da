"""Online geocoding client: geopy's Nominatim behind a rate limiter, with the query kept out of logs.

This is the only module that talks to the network. ``geo.geocode`` takes any object with a
``geocode(query, **kwargs)`` method, so tests pass fakes and never reach this code's network path.
"""
from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from geopy import exc as geopy_exc
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo import settings

#: Retries after a service error (timeout, 429, 5xx). Kept low: a citizen is waiting for the answer.
MAX_RETRIES = 1
#: Pause before a retry; geopy requires it to be at least the minimum delay between requests.
ERROR_WAIT_SECONDS = 2.0
#: Longest pause a server's Retry-After header can impose (a broken header must not silence us for days).
MAX_PAUSE_SECONDS = 3600.0


class GeocoderPaused(geopy_exc.GeocoderUnavailable):
    """Nominatim was not asked: it failed a moment ago (429, timeout, unreachable) and is left alone."""


class _Redacted(str):
    """A query string whose repr hides its text, so geopy's retry warnings cannot log the address."""

    def __repr__(self) -> str:
        return "'<address withheld>'"


class _PrivacyFilter(logging.Filter):
    """Rewrite log records that may carry a typed address (geopy logs request URLs and call args)."""

    def __init__(self, only_if_contains: tuple[str, ...] = ()):
        super().__init__()
        self.only_if_contains = only_if_contains

    def filter(self, record: logging.LogRecord) -> bool:
        if self.only_if_contains:
            try:
                text = record.getMessage()
            except Exception:  # a broken record is not worth crashing a lookup for
                text = str(record.msg)
            if not any(marker in text for marker in self.only_if_contains):
                return True
        # Keep the fact that something happened (level, logger) but drop message, args and traceback.
        record.msg = "geocoder request log withheld (it may contain an address)"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def _install_privacy_filters() -> None:
    """Attach the redacting filters once; idempotent so re-imports do not stack filters."""
    targets = (
        # Every geopy module logs through this one logger (geopy.util.logger).
        (logging.getLogger("geopy"), ()),
        # urllib3 logs the request line, query string included, at DEBUG.
        (logging.getLogger("urllib3.connectionpool"), ("/search?", "/reverse?")),
    )
    for logger, markers in targets:
        if not any(isinstance(f, _PrivacyFilter) for f in logger.filters):
            logger.addFilter(_PrivacyFilter(markers))


_install_privacy_filters()


class _InjectableRateLimiter(RateLimiter):
    """geopy's RateLimiter with the clock and sleeper passed in, so tests never sleep for real."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        clock: Callable[[], float],
        sleeper: Callable[[float], None],
        **kwargs: Any,
    ):
        super().__init__(func, **kwargs)
        self._clock_fn = clock
        self._sleep_fn = sleeper

    def _clock(self) -> float:
        return self._clock_fn()

    def _sleep(self, seconds: float) -> None:
        self._sleep_fn(seconds)


class RateLimitedGeocoder:
    """An object with ``geocode(query, **kwargs)`` that spaces requests and retries service errors.

    After a rate limit (HTTP 429), a timeout or an unreachable server it pauses: for
    ``pause_seconds``, or as long as the server's Retry-After asks (at most MAX_PAUSE_SECONDS).
    While paused, calls raise GeocoderPaused at once, so a citizen without a network is not
    kept waiting for a timeout on every search, and a busy server is not asked again.
    """

    def __init__(
        self,
        backend: Any,
        limiter: RateLimiter,
        *,
        pause_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.backend = backend
        self.limiter = limiter
        self.pause_seconds = pause_seconds
        self._clock = clock
        self._paused_until = -math.inf
        self._pause_reason = ""

    def paused_for(self) -> float:
        """Seconds until the geocoder will be asked again (0 when it is not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def _pause(self, seconds: float, reason: str) -> None:
        seconds = min(max(seconds, 0.0), MAX_PAUSE_SECONDS)
        if seconds > 0:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._pause_reason = reason

    def geocode(self, query: str, **kwargs: Any) -> Any:
        """Geocode one query through the rate limiter; geopy exceptions propagate to the caller."""
        remaining = self.paused_for()
        if remaining > 0:
            raise GeocoderPaused(f"not asked for another {remaining:.0f} s after {self._pause_reason}")
        try:
            return self.limiter(_Redacted(query), **kwargs)
        except geopy_exc.GeocoderRateLimited as error:
            retry_after = error.retry_after if isinstance(error.retry_after, (int, float)) else 0
            self._pause(max(float(retry_after), self.pause_seconds), "a rate limit (HTTP 429)")
            raise
        except (geopy_exc.GeocoderTimedOut, geopy_exc.GeocoderUnavailable):
            self._pause(self.pause_seconds, "a timeout or an unreachable server")
            raise


def make_geocoder(
    *,
    backend: Any = None,
    adapter_factory: Callable[..., Any] | None = None,
    max_retries: int = MAX_RETRIES,
    error_wait_seconds: float = ERROR_WAIT_SECONDS,
    pause_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleeper: Callable[[float], None] = time.sleep,
) -> RateLimitedGeocoder:
    """Build Nominatim (own user agent, timeout) wrapped in a RateLimiter of ≥ 1 request/s.

    ``backend`` replaces Nominatim (tests); ``adapter_factory`` is passed to Nominatim so tests
    can answer its HTTP requests with recorded JSON. ``pause_seconds`` (default
    settings.NOMINATIM_PAUSE_AFTER_FAILURE_SECONDS) is how long to leave Nominatim alone after a
    429, a timeout or an unreachable server.
    """
    if backend is None:
        options: dict[str, Any] = {}
        if adapter_factory is not None:
            options["adapter_factory"] = adapter_factory
        backend = Nominatim(
            user_agent=settings.NOMINATIM_USER_AGENT,
            timeout=settings.NOMINATIM_TIMEOUT_SECONDS,
            **options,
        )
    limiter = _InjectableRateLimiter(
        backend.geocode,
        clock=clock,
        sleeper=sleeper,
        min_delay_seconds=settings.NOMINATIM_MIN_DELAY_SECONDS,
        max_retries=max_retries,
        error_wait_seconds=max(error_wait_seconds, settings.NOMINATIM_MIN_DELAY_SECONDS),
        # geo.geocode turns failures into a note; swallowing here would hide why it failed.
        swallow_exceptions=False,
    )
    if pause_seconds is None:
        pause_seconds = settings.NOMINATIM_PAUSE_AFTER_FAILURE_SECONDS
    return RateLimitedGeocoder(backend, limiter, pause_seconds=pause_seconds, clock=clock)


@functools.lru_cache(maxsize=1)
def default_geocoder() -> RateLimitedGeocoder:
    """The process-wide geocoder: one rate limiter shared by every caller keeps us at ≤ 1 request/s."""
    return make_geocoder()

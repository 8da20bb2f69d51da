"""Online geocoding client: geopy's Nominatim behind a rate limiter, with the query kept out of logs.

This is the only module that talks to the network. ``geo.geocode`` takes any object with a
``geocode(query, **kwargs)`` method, so tests pass fakes and never reach this code's network path.
"""
from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo import settings

#: Retries after a service error (timeout, 429, 5xx). Kept low: a citizen is waiting for the answer.
MAX_RETRIES = 1
#: Pause before a retry; geopy requires it to be at least the minimum delay between requests.
ERROR_WAIT_SECONDS = 2.0


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
    """An object with ``geocode(query, **kwargs)`` that spaces requests and retries service errors."""

    def __init__(self, backend: Any, limiter: RateLimiter):
        self.backend = backend
        self.limiter = limiter

    def geocode(self, query: str, **kwargs: Any) -> Any:
        """Geocode one query through the rate limiter; geopy exceptions propagate to the caller."""
        return self.limiter(_Redacted(query), **kwargs)


def make_geocoder(
    *,
    backend: Any = None,
    adapter_factory: Callable[..., Any] | None = None,
    max_retries: int = MAX_RETRIES,
    error_wait_seconds: float = ERROR_WAIT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleeper: Callable[[float], None] = time.sleep,
) -> RateLimitedGeocoder:
    """Build Nominatim (own user agent, timeout) wrapped in a RateLimiter of ≥ 1 request/s.

    ``backend`` replaces Nominatim (tests); ``adapter_factory`` is passed to Nominatim so tests
    can answer its HTTP requests with recorded JSON.
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
    return RateLimitedGeocoder(backend, limiter)


@functools.lru_cache(maxsize=1)
def default_geocoder() -> RateLimitedGeocoder:
    """The process-wide geocoder: one rate limiter shared by every caller keeps us at ≤ 1 request/s."""
    return make_geocoder()

"""Online geocoding client: geopy's Nominatim, ≥ 1 s between requests, a hard deadline, no hidden retries.

This is the only module that talks to the network. ``geo.geocode`` takes any object with a
``geocode(query, **kwargs)`` method, so tests pass fakes or point this client at a local server.

Why not geopy's RateLimiter and its default HTTP adapter: the adapter retries timeouts and, with
urllib3, sleeps for a 429's ``Retry-After`` before retrying (120 s, twice), and the RateLimiter then
retries the whole call again; a citizen once waited 483 s. Here an interactive lookup makes one
request, waits at most MAX_SLOT_WAIT_SECONDS for its turn, and gives up after
INTERACTIVE_DEADLINE_SECONDS whatever the server does; a 429's Retry-After, a timeout or an
unreachable server becomes a pause during which later lookups are answered by the register at once.
"""
from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from geopy import exc as geopy_exc
from geopy.adapters import RequestsAdapter
from geopy.geocoders import Nominatim

from geo import settings
from geo.errors import GeocoderBusy, GeocoderPaused

#: Retries after a service error in batch use (``make geocode``); an interactive lookup never retries.
BATCH_MAX_RETRIES = 2
#: Pause before a batch retry; at least the minimum delay between requests.
ERROR_WAIT_SECONDS = 2.0
#: Longest pause a server's Retry-After header can impose (a broken header must not silence us for days).
MAX_PAUSE_SECONDS = 3600.0
#: An interactive lookup gives Nominatim at most this long in all, its wait for a request slot
#: included; the register's own work is milliseconds, so the citizen has an answer within 5 s.
INTERACTIVE_DEADLINE_SECONDS = 4.0
#: Longest wait for a free request slot (requests are ≥ 1 s apart); beyond it the lookup is not sent.
MAX_SLOT_WAIT_SECONDS = 1.0


class _Redacted(str):
    """A query string whose repr hides its text, so no log line or traceback can show the address."""

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


def _call_with_deadline(func: Callable[[], Any], seconds: float) -> Any:
    """``func()``, or GeocoderTimedOut once ``seconds`` (real time) have passed without an answer.

    The call runs in a daemon thread; one that overruns is abandoned, and ends at the HTTP timeout.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = func()
        except BaseException as error:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="nominatim-lookup", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise geopy_exc.GeocoderTimedOut(f"no answer within {seconds:.1f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class RateLimitedGeocoder:
    """An object with ``geocode(query, **kwargs)`` that spaces requests, bounds waiting and pauses after failures.

    Requests start at least ``min_delay_seconds`` apart (one slot each, thread-safe). With
    ``max_wait_seconds`` a call that would wait longer for its slot is not sent (GeocoderBusy);
    with ``deadline_seconds`` a call gets no more than that in all (GeocoderTimedOut). Service
    errors are retried ``max_retries`` times, ``error_wait_seconds`` apart. After a rate limit
    (HTTP 429), a timeout or an unreachable server it pauses for ``pause_seconds`` or as long as
    the server's Retry-After asks (at most MAX_PAUSE_SECONDS); while paused, calls raise
    GeocoderPaused at once. Other geopy errors propagate unchanged.
    """

    def __init__(
        self,
        backend: Any,
        *,
        min_delay_seconds: float = settings.NOMINATIM_MIN_DELAY_SECONDS,
        max_retries: int = 0,
        error_wait_seconds: float = ERROR_WAIT_SECONDS,
        deadline_seconds: float | None = None,
        max_wait_seconds: float | None = None,
        pause_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleeper: Callable[[float], None] = time.sleep,
    ):
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, not {max_retries}")
        self.backend = backend
        self.min_delay_seconds = min_delay_seconds
        self.max_retries = max_retries
        self.error_wait_seconds = max(error_wait_seconds, min_delay_seconds)
        self.deadline_seconds = deadline_seconds
        self.max_wait_seconds = max_wait_seconds
        self.pause_seconds = pause_seconds
        self._clock = clock
        self._sleep = sleeper
        self._lock = threading.Lock()
        self._next_slot = -math.inf
        self._paused_until = -math.inf
        self._pause_reason = ""

    def paused_for(self) -> float:
        """Seconds until the geocoder will be asked again (0 when it is not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def _pause(self, seconds: float, reason: str) -> None:
        seconds = min(max(seconds, 0.0), MAX_PAUSE_SECONDS)
        if seconds > 0:
            with self._lock:
                self._paused_until = max(self._paused_until, self._clock() + seconds)
                self._pause_reason = reason

    def _reserve_slot(self) -> float:
        """Take the next request slot; returns the seconds to wait for it (GeocoderBusy if too long)."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_slot)
            wait = start - now
            if self.max_wait_seconds is not None and wait > self.max_wait_seconds:
                raise GeocoderBusy(f"not asked: the next free request slot is {wait:.1f} s away")
            self._next_slot = start + self.min_delay_seconds
            return wait

    def retry_wait(self, error: BaseException, attempt: int) -> float:
        """Seconds before batch retry number ``attempt + 1``: ``error_wait_seconds`` doubling per
        attempt (exponential back-off), and after a 429 at least its Retry-After (capped at
        MAX_PAUSE_SECONDS) — Nominatim's usage policy asks clients to back off, not to hammer."""
        wait = self.error_wait_seconds * (2 ** attempt)
        retry_after = getattr(error, "retry_after", None)
        if isinstance(error, geopy_exc.GeocoderRateLimited) and isinstance(retry_after, (int, float)):
            wait = max(wait, min(float(retry_after), MAX_PAUSE_SECONDS))
        return wait

    def geocode(self, query: str, **kwargs: Any) -> Any:
        """Geocode one query; raises GeocoderPaused/GeocoderBusy (not asked) or geopy's errors."""
        remaining = self.paused_for()
        if remaining > 0:
            raise GeocoderPaused(f"not asked for another {remaining:.0f} s after {self._pause_reason}", remaining)
        redacted = _Redacted(query)
        for attempt in range(self.max_retries + 1):
            wait = self._reserve_slot()
            if wait > 0:
                self._sleep(wait)
            try:
                call = functools.partial(self.backend.geocode, redacted, **kwargs)
                if self.deadline_seconds is None:
                    return call()
                return _call_with_deadline(call, self.deadline_seconds - wait)
            except geopy_exc.GeocoderServiceError as error:
                if attempt < self.max_retries:
                    self._sleep(self.retry_wait(error, attempt))
                    continue
                if isinstance(error, geopy_exc.GeocoderRateLimited):
                    retry_after = error.retry_after if isinstance(error.retry_after, (int, float)) else 0
                    self._pause(max(float(retry_after), self.pause_seconds), "a rate limit (HTTP 429)")
                elif isinstance(error, (geopy_exc.GeocoderTimedOut, geopy_exc.GeocoderUnavailable)):
                    self._pause(self.pause_seconds, "a timeout or an unreachable server")
                raise
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


def make_geocoder(
    *,
    interactive: bool = True,
    backend: Any = None,
    adapter_factory: Callable[..., Any] | None = None,
    domain: str | None = None,
    scheme: str | None = None,
    max_retries: int | None = None,
    error_wait_seconds: float = ERROR_WAIT_SECONDS,
    pause_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleeper: Callable[[float], None] = time.sleep,
) -> RateLimitedGeocoder:
    """Build Nominatim (own user agent, timeout, no HTTP-level retries) behind a RateLimitedGeocoder.

    ``interactive`` (a citizen is waiting): one request, at most MAX_SLOT_WAIT_SECONDS of waiting
    for a slot, INTERACTIVE_DEADLINE_SECONDS in all. Not interactive (``make geocode``): up to
    BATCH_MAX_RETRIES retries, waits as long as the rate limit needs, settings' HTTP timeout.
    ``backend`` replaces Nominatim (tests); ``adapter_factory``, ``domain`` and ``scheme`` are
    passed to Nominatim, so tests answer its HTTP requests from a fake transport or a local server.
    ``pause_seconds`` (default settings.NOMINATIM_PAUSE_AFTER_FAILURE_SECONDS) is how long to leave
    Nominatim alone after a 429, a timeout or an unreachable server.
    """
    deadline = INTERACTIVE_DEADLINE_SECONDS if interactive else None
    if backend is None:
        options: dict[str, Any] = {
            # No retries below us: urllib3 would otherwise sleep through a 429's Retry-After.
            "adapter_factory": adapter_factory or functools.partial(RequestsAdapter, max_retries=0),
        }
        if domain is not None:
            options["domain"] = domain
        if scheme is not None:
            options["scheme"] = scheme
        timeout = settings.NOMINATIM_TIMEOUT_SECONDS
        if deadline is not None:
            timeout = min(timeout, deadline - MAX_SLOT_WAIT_SECONDS)
        backend = Nominatim(user_agent=settings.NOMINATIM_USER_AGENT, timeout=timeout, **options)
    if max_retries is None:
        max_retries = 0 if interactive else BATCH_MAX_RETRIES
    if pause_seconds is None:
        pause_seconds = settings.NOMINATIM_PAUSE_AFTER_FAILURE_SECONDS
    return RateLimitedGeocoder(
        backend,
        max_retries=max_retries,
        error_wait_seconds=error_wait_seconds,
        deadline_seconds=deadline,
        max_wait_seconds=MAX_SLOT_WAIT_SECONDS if interactive else None,
        pause_seconds=pause_seconds,
        clock=clock,
        sleeper=sleeper,
    )

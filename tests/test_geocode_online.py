"""geo.geocode.online and geo._nominatim: online answers, failures as notes, pauses, the rate limiter, privacy.

No test touches the network: online geocoders are fakes, or geopy's Nominatim answered by a fake
HTTP adapter or transport (sockets are blocked); the rate limiter runs on a fake clock. The same
client against a real local HTTP server: tests/test_nominatim_server.py.
"""
from __future__ import annotations

import json
import logging
import types
import urllib.parse

from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError
import pytest
import requests

from geo import _nominatim, settings
from geo import geocode as g
from geocode_support import (  # noqa: F401 - fixtures too
    TODAY, KOPER, geocode, location, FakeGeocoder, FakeClock, nominatim_with, recorded, nominatim_over,
    answer, fail_with, data_dir,
)

# Fail loudly if anything here tries to open a connection or resolve a name (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("no_network")


def test_online_result_and_request_parameters(data_dir):
    online = FakeGeocoder(answer=location(45.5412, 13.7395, addresstype="building", display_name="5, Krožna cesta"))
    result = geocode("Krožna cesta 5, 6000 Koper – Capodistria", online=True, geocoder=online, today=TODAY)
    assert result == g.GeocodeResult(45.5412, 13.7395, "address", "nominatim", "5, Krožna cesta", "2026-11-23")
    (query, kwargs), = online.calls
    assert query == "Krožna cesta 5, 6000 Koper"  # the canonical spelling is what goes online
    south, west, north, east = settings.KOPER_BBOX
    assert kwargs["country_codes"] == "si"
    assert kwargs["bounded"] is True and kwargs["addressdetails"] is True
    assert kwargs["viewbox"] == [(south, west), (north, east)]


def test_online_through_geopy_nominatim_with_a_recorded_answer(data_dir):
    client, adapters = nominatim_with(lambda url: recorded("krozna_cesta_5_koper.handwritten.json"))
    result = geocode("Krožna cesta 5, 6000 Koper", online=True, geocoder=client, today=TODAY)
    assert (result.lat, result.lon, result.precision, result.source) == (45.5412, 13.7395, "address", "nominatim")
    assert result.label.startswith("5, Krožna cesta, Koper")
    (url, headers), = adapters[0].requests
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert params["q"] == ["Krožna cesta 5, 6000 Koper"]
    assert params["countrycodes"] == ["si"]
    assert params["bounded"] == ["1"] and params["addressdetails"] == ["1"]
    assert params["viewbox"] == ["13.6,45.42,14.02,45.62"]
    assert headers["User-Agent"] == settings.NOMINATIM_USER_AGENT


FAILING_GEOCODERS = {
    "timeout": (FakeGeocoder(error=geopy_exc.GeocoderTimedOut("Service timed out")), "timed out"),
    "429": (FakeGeocoder(error=geopy_exc.GeocoderRateLimited("Non-successful status code 429")), "rate limited"),
    "500": (FakeGeocoder(error=geopy_exc.GeocoderServiceError("Non-successful status code 500")), "service error"),
    "unavailable": (FakeGeocoder(error=geopy_exc.GeocoderUnavailable("Connection refused")), "unavailable"),
    "parse": (FakeGeocoder(error=geopy_exc.GeocoderParseError("bad JSON")), "malformed"),
    "no result": (FakeGeocoder(answer=None), "no result"),
    "empty list": (FakeGeocoder(answer=[]), "no result"),
    "malformed": (FakeGeocoder(answer=object()), "malformed"),
    "outside": (FakeGeocoder(answer=location(46.05, 14.50, addresstype="building")), "outside"),
    "unexpected": (FakeGeocoder(error=RuntimeError("a bug in the client")), "unexpected error, RuntimeError"),
    "huge number": (FakeGeocoder(answer=types.SimpleNamespace(latitude=10**400, longitude=13.7, raw={})), "malformed"),
}


@pytest.mark.parametrize("case", FAILING_GEOCODERS)
def test_online_failure_falls_back_to_the_register_with_a_note(case, data_dir):
    geocoder, reason = FAILING_GEOCODERS[case]
    result = geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=geocoder)
    assert (result.lat, result.lon, result.precision, result.source) == (*KOPER, "settlement", "gurs-rpe")
    assert result.note.startswith("Online geocoder failed (")
    assert reason in result.note
    assert "Levja" not in result.note


def respond_http(status: int):
    def responder(url):
        raise AdapterHTTPError(f"Non-successful status code {status}", status_code=status, headers={}, text="")
    return responder


NOMINATIM_FAILURES = {
    "429": (respond_http(429), "rate limited"),
    "500": (respond_http(500), "service error"),
    "503": (respond_http(503), "timed out"),  # geopy maps 503 to GeocoderTimedOut
    "timeout": (lambda url: (_ for _ in ()).throw(geopy_exc.GeocoderTimedOut("Service timed out")), "timed out"),
    "no result": (lambda url: [], "no result"),
    "bad lat": (lambda url: [{"lat": "not a number", "lon": "13.7", "display_name": "x"}], "malformed"),
    "error object": (lambda url: {"error": "Internal error"}, "query rejected"),
    "not json": (lambda url: (_ for _ in ()).throw(geopy_exc.GeocoderParseError("Could not deserialize")), "malformed"),
}


@pytest.mark.parametrize("case", NOMINATIM_FAILURES)
def test_geopy_nominatim_failures_never_raise(case, data_dir):
    responder, reason = NOMINATIM_FAILURES[case]
    clock = FakeClock()
    client, _ = nominatim_with(responder, clock)
    result = geocode("Gažon 39, 6274 Šmarje", online=True, geocoder=client)
    assert result.label == "Gažon (settlement centroid)"
    assert reason in result.note
    assert sum(clock.sleeps) < 60  # retries waited on the fake clock only


WIRE_FAILURES = {
    "429 with Retry-After": (answer(429, b"Too many requests", **{"Retry-After": "30"}), "rate limited, HTTP 429"),
    "500": (answer(500, b"<html>Internal Server Error</html>"), "service error"),
    "502": (answer(502, b"Bad Gateway"), "service error"),
    "503": (answer(503), "timed out"),
    "504": (answer(504), "timed out"),
    "403": (answer(403, b"blocked"), "request refused"),
    "400": (answer(400, b'{"error": "bad request"}'), "query rejected"),
    "dns failure": (fail_with(requests.exceptions.ConnectionError("Name or service not known")), "no network"),
    "connect timeout": (fail_with(requests.exceptions.ConnectTimeout("connect timed out")), "no network"),
    "read timeout": (fail_with(requests.exceptions.ReadTimeout("read timed out")), "timed out"),
    "transport bug": (fail_with(RuntimeError("boom")), "service error"),
    "html page": (answer(200, b"<html><body>Service temporarily down</body></html>"), "malformed"),
    "empty body": (answer(200, b""), "malformed"),
    "truncated json": (answer(200, b'[{"lat": "45.54", "lon": "13.7'), "malformed"),
    "not utf-8": (answer(200, b"\xff\xfe\xfa garbage"), "malformed"),
    "json string": (answer(200, b'"just a string"'), "malformed"),
    "json number": (answer(200, b"42"), "malformed"),
    "list of numbers": (answer(200, b"[1, 2, 3]"), "malformed"),
    "object without lon": (answer(200, b'{"lat": "45.54"}'), "malformed"),
    "lat is NaN": (answer(200, b'[{"lat": "NaN", "lon": "13.73"}]'), "malformed"),
    "lat is infinite": (answer(200, b'[{"lat": "1e999", "lon": "13.73"}]'), "malformed"),
    "lat is a list": (answer(200, b'[{"lat": [45.5], "lon": "13.73"}]'), "malformed"),
    "unable to geocode": (answer(200, b'{"error": "Unable to geocode"}'), "no result"),
    "empty list": (answer(200, b"[]"), "no result"),
    "no display_name": (answer(200, b'[{"lat": "45.54", "lon": "13.73"}]'), "malformed"),
    "far away": (answer(200, b'[{"lat": "46.05", "lon": "14.50", "display_name": "Ljubljana"}]'), "outside"),
}


@pytest.mark.parametrize("case", WIRE_FAILURES)
def test_http_failures_fall_back_to_the_register_with_a_note(case, data_dir):
    respond, reason = WIRE_FAILURES[case]
    client, transport, clock = nominatim_over(respond)
    result = geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=client)
    assert transport.urls, "the fake transport was not reached"
    assert (result.lat, result.lon, result.precision, result.source) == (*KOPER, "settlement", "gurs-rpe")
    assert result.note.startswith("Online geocoder failed (")
    assert reason in result.note
    assert "Levja" not in result.note
    assert sum(clock.sleeps) < 60


def test_an_odd_but_usable_answer_is_accepted(data_dir):
    body = b'[{"lat": "45.5412", "lon": "13.7395", "display_name": "x", "address": "not an object", "addresstype": 7}]'
    client, _, _ = nominatim_over(answer(200, body))
    result = geocode("Krožna cesta 5, 6000 Koper", online=True, geocoder=client)
    assert (result.lat, result.lon, result.source, result.precision) == (45.5412, 13.7395, "nominatim", "settlement")


def test_after_a_429_nominatim_is_left_alone_for_its_retry_after(data_dir):
    client, transport, clock = nominatim_over(answer(429, b"", **{"Retry-After": "120"}))
    first = geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=client)
    assert "rate limited" in first.note
    asked = len(transport.urls)
    second = geocode("Krožna cesta 5, 6000 Koper", online=True, geocoder=client)
    assert len(transport.urls) == asked  # not asked again
    assert "not asked, paused after a recent failure" in second.note
    assert second.source == "gurs-rpe"
    clock.now += 121
    transport.respond = lambda url: (200, json.dumps(recorded("krozna_cesta_5_koper.handwritten.json")).encode(), None)
    third = geocode("Krožna cesta 5, 6000 Koper", online=True, geocoder=client)
    assert third.source == "nominatim" and len(transport.urls) == asked + 1


def test_after_a_timeout_nominatim_is_paused_for_the_setting(data_dir):
    client, transport, clock = nominatim_over(fail_with(requests.exceptions.ReadTimeout("read timed out")))
    geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=client)
    assert client.paused_for() == pytest.approx(settings.NOMINATIM_PAUSE_AFTER_FAILURE_SECONDS)
    clock.now += settings.NOMINATIM_PAUSE_AFTER_FAILURE_SECONDS - 1
    asked = len(transport.urls)
    assert "paused" in geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=client).note
    assert len(transport.urls) == asked
    clock.now += 2
    geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=client)
    assert len(transport.urls) > asked


def test_other_failures_do_not_pause_and_a_huge_retry_after_is_capped(data_dir):
    client, _, _ = nominatim_over(answer(500))
    geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=client)
    assert client.paused_for() == 0
    client, _, _ = nominatim_over(answer(200, b"[]"))
    geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=client)
    assert client.paused_for() == 0
    client, _, _ = nominatim_over(answer(429, b"", **{"Retry-After": "99999999"}))
    geocode("Levja ulica 7, 6000 Koper", online=True, geocoder=client)
    assert client.paused_for() == _nominatim.MAX_PAUSE_SECONDS


def test_online_failure_and_nothing_in_the_register_is_none(data_dir):
    failing = FakeGeocoder(error=geopy_exc.GeocoderTimedOut("Service timed out"))
    assert geocode("asdf qwerty", online=True, geocoder=failing) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"addresstype": "house"}, "address"),
        ({"addresstype": "building", "class": "building"}, "address"),
        ({"addresstype": "place", "class": "place", "type": "house"}, "address"),
        ({"addresstype": "amenity", "address": {"house_number": "5"}}, "address"),
        ({"addresstype": "road", "class": "highway"}, "street"),
        ({"addresstype": "village", "class": "place"}, "settlement"),
        ({"addresstype": "town"}, "settlement"),
        ({"addresstype": "hamlet"}, "settlement"),
        ({"addresstype": "suburb"}, "settlement"),
        ({}, "settlement"),
    ],
)
def test_precision_from_nominatim(raw, expected):
    assert g.precision_from_nominatim(raw) == expected


class RecordingBackend:
    """Stands in for geopy's Nominatim: records the fake time of each request."""

    def __init__(self, clock: FakeClock, errors: list[BaseException] | None = None):
        self.clock = clock
        self.errors = list(errors or [])
        self.times: list[float] = []

    def geocode(self, query, **kwargs):
        self.times.append(self.clock.now)
        if self.errors:
            raise self.errors.pop(0)
        self.clock.now += 0.05  # the request itself takes a little time
        return location(45.54, 13.73)


def test_rate_limiter_spaces_requests_at_least_one_second():
    clock = FakeClock()
    backend = RecordingBackend(clock)
    client = _nominatim.make_geocoder(backend=backend, clock=clock.clock, sleeper=clock.sleep)
    for query in ("a", "b", "c", "d"):
        client.geocode(query)
    gaps = [later - earlier for earlier, later in zip(backend.times, backend.times[1:])]
    assert len(gaps) == 3
    assert all(gap >= settings.NOMINATIM_MIN_DELAY_SECONDS for gap in gaps)
    assert clock.sleeps  # it waited, on the fake clock


def test_rate_limiter_retries_a_429_then_succeeds_without_real_sleep():
    clock = FakeClock()
    backend = RecordingBackend(clock, errors=[geopy_exc.GeocoderRateLimited("429")])
    client = _nominatim.make_geocoder(backend=backend, clock=clock.clock, sleeper=clock.sleep, max_retries=1)
    assert client.geocode("a").latitude == 45.54
    assert len(backend.times) == 2
    assert backend.times[1] - backend.times[0] >= settings.NOMINATIM_MIN_DELAY_SECONDS


def test_batch_retry_after_a_429_waits_its_retry_after_and_backs_off():
    clock = FakeClock()
    errors = [geopy_exc.GeocoderRateLimited("429", retry_after=30), geopy_exc.GeocoderServiceError("503")]
    backend = RecordingBackend(clock, errors=errors)
    client = _nominatim.make_geocoder(backend=backend, clock=clock.clock, sleeper=clock.sleep, max_retries=2)
    assert client.geocode("a").latitude == 45.54
    first, second, third = backend.times
    assert second - first >= 30  # the server asked for 30 s: not 2 s later
    assert third - second >= 2 * _nominatim.ERROR_WAIT_SECONDS  # doubling back-off after the 503
    huge = geopy_exc.GeocoderRateLimited("429", retry_after=10**9)
    assert client.retry_wait(huge, 0) == _nominatim.MAX_PAUSE_SECONDS


def test_rate_limiter_reraises_after_the_last_retry():
    clock = FakeClock()
    backend = RecordingBackend(clock, errors=[geopy_exc.GeocoderServiceError("500")] * 5)
    client = _nominatim.make_geocoder(backend=backend, clock=clock.clock, sleeper=clock.sleep, max_retries=2)
    with pytest.raises(geopy_exc.GeocoderServiceError):
        client.geocode("a")
    assert len(backend.times) == 3


def test_make_geocoder_builds_a_polite_nominatim():
    client = _nominatim.make_geocoder()
    assert client.backend.headers["User-Agent"] == settings.NOMINATIM_USER_AGENT
    # Interactive (the default): a shorter HTTP timeout inside the deadline, no retries, bounded waiting.
    assert client.backend.timeout <= settings.NOMINATIM_TIMEOUT_SECONDS
    assert client.backend.timeout + _nominatim.MAX_SLOT_WAIT_SECONDS <= _nominatim.INTERACTIVE_DEADLINE_SECONDS < 5
    assert client.min_delay_seconds == settings.NOMINATIM_MIN_DELAY_SECONDS
    assert client.max_retries == 0 and client.max_wait_seconds == _nominatim.MAX_SLOT_WAIT_SECONDS
    batch = _nominatim.make_geocoder(interactive=False)
    assert batch.backend.timeout == settings.NOMINATIM_TIMEOUT_SECONDS
    assert batch.min_delay_seconds == settings.NOMINATIM_MIN_DELAY_SECONDS
    assert batch.max_retries == _nominatim.BATCH_MAX_RETRIES and batch.deadline_seconds is None
    # Failures are not swallowed: they reach geo.geocode, which turns them into a note.
    assert client.backend.adapter.session.adapters["https://"].max_retries.total == 0
    # The process's one shared client is ui.cache.online_geocoder (tests/test_address_input.py).
    assert isinstance(g.make_online_geocoder(), _nominatim.RateLimitedGeocoder)


def test_logs_never_contain_the_query(data_dir, caplog):
    caplog.set_level(logging.DEBUG)
    query = "Levja ulica 7, 6000 Koper"
    secret_forms = {query.lower(), "levja", urllib.parse.quote_plus("Levja ulica 7").lower(),
                    urllib.parse.quote("Levja ulica 7").lower()}
    for geocoder, _ in FAILING_GEOCODERS.values():
        geocode(query, online=True, geocoder=geocoder)
    # Through real geopy too: it logs request URLs at DEBUG and retry warnings with the call args.
    for responder, _ in NOMINATIM_FAILURES.values():
        client, _ = nominatim_with(responder)
        geocode(query, online=True, geocoder=client)
    for respond, _ in WIRE_FAILURES.values():
        client, _, _ = nominatim_over(respond)
        geocode(query, online=True, geocoder=client)
    client, _ = nominatim_with(lambda url: recorded("krozna_cesta_5_koper.handwritten.json"))
    geocode(query, online=True, geocoder=client)
    assert caplog.records, "expected some log records (geopy's, withheld) to check"
    logged = caplog.text.lower() + " ".join(repr(r.args).lower() + str(r.msg).lower() for r in caplog.records)
    for secret in secret_forms:
        assert secret not in logged

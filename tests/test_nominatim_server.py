"""The geocoder never makes a citizen wait: real geopy Nominatim against a local fake Nominatim server.

The fake server (started here on a free port of 127.0.0.1, nothing else is contacted) answers
HTTP 429 with ``Retry-After: 120``, answers slower than the timeout, trickles its answer byte by
byte, answers garbage, and answers places outside Slovenia or outside Koper and Ankaran. Every
interactive lookup is timed on the real clock and must be back within 5 s.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

import fake_nominatim
from fake_nominatim import FakeNominatim, reply
from geo import _nominatim, settings
from geo import geocode as g

FIXTURES = Path(__file__).parent / "fixtures" / "nominatim"
#: The bound the issue sets for a citizen's lookup, in seconds.
CITIZEN_WAIT_LIMIT = 5.0
#: Far longer than any timeout of the client: only a hidden wait or retry could sit through it.
SLOW_SECONDS = 30.0
QUERY = "Krožna cesta 5, 6000 Koper"


@pytest.fixture
def fake() -> Iterator[FakeNominatim]:
    """A fake Nominatim on a free local port; its behaviour is set per test through ``fake.respond``."""
    with fake_nominatim.serve() as state:
        yield state


@pytest.fixture(scope="module")
def sources() -> g.GeocodeSources:
    """The real register and outline of the repository's data directory, no hand-placed points or cache
    (so every lookup here goes online)."""
    real = g.load_sources(settings.PROJECT_DIR / "data")
    return g.GeocodeSources(g.typed_empty(g.MANUAL_COLUMNS), g.typed_empty(g.CACHE_COLUMNS),
                            real.settlements, real.streets, real.served_area)


def client_for(fake: FakeNominatim) -> _nominatim.RateLimitedGeocoder:
    """The app's interactive client, real clock and sleeper, pointed at the fake server."""
    return _nominatim.make_geocoder(domain=fake.domain, scheme="http")


def timed_lookup(query: str, client, sources) -> tuple[g.GeocodeResult | None, float]:
    started = time.monotonic()
    result = g.geocode(query, online=True, geocoder=client, sources=sources)
    return result, time.monotonic() - started


def place(lat: float, lon: float, country_code: str = "si", **extra) -> bytes:
    """A Nominatim search answer (JSON list with one building) at the given point."""
    return json.dumps([{
        "lat": str(lat), "lon": str(lon), "class": "building", "type": "yes", "addresstype": "building",
        "display_name": extra.pop("display_name", "somewhere"),
        "address": {"house_number": "5", "country_code": country_code, **extra},
    }]).encode()


def test_a_good_answer_comes_through_the_real_client(fake, sources):
    body = (FIXTURES / "krozna_cesta_5_koper.handwritten.json").read_bytes()
    fake.respond = lambda h: reply(h, 200, body)
    result, seconds = timed_lookup(QUERY, client_for(fake), sources)
    assert (result.source, result.precision, result.lat, result.lon) == ("nominatim", "address", 45.5412, 13.7395)
    assert seconds < CITIZEN_WAIT_LIMIT
    (path,) = fake.requests
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert params["q"] == [QUERY] and params["countrycodes"] == ["si"] and params["bounded"] == ["1"]


def test_429_with_retry_after_120_is_one_request_then_a_pause(fake, sources):
    fake.respond = lambda h: reply(h, 429, b"Too many requests", Retry_After="120")
    client = client_for(fake)
    first, seconds = timed_lookup(QUERY, client, sources)
    assert seconds < CITIZEN_WAIT_LIMIT
    assert len(fake.requests) == 1  # no hidden retry: not by urllib3, not by the rate limiter
    assert first.source == "gurs-rpe" and "rate limited, HTTP 429" in first.note
    assert 100 < client.paused_for() <= 120  # Retry-After became a pause for later lookups
    for _ in range(3):
        later, seconds = timed_lookup("Levja ulica 7, 6000 Koper", client, sources)
        assert seconds < 0.5  # answered by the register at once
        assert "not asked, paused after a recent failure" in later.note
    assert len(fake.requests) == 1


def test_a_server_slower_than_the_timeout(fake, sources):
    def slow(handler):
        fake.stop.wait(SLOW_SECONDS)
        reply(handler, 200, b"[]")

    fake.respond = slow
    client = client_for(fake)
    result, seconds = timed_lookup(QUERY, client, sources)
    assert seconds < CITIZEN_WAIT_LIMIT
    assert result.source == "gurs-rpe" and "timed out" in result.note
    assert len(fake.requests) == 1
    assert client.paused_for() > 0  # later lookups do not wait for it again
    again, seconds = timed_lookup(QUERY, client, sources)
    assert seconds < 0.5 and "paused" in again.note and len(fake.requests) == 1


def test_an_answer_trickled_byte_by_byte_meets_the_hard_deadline(fake, sources):
    body = (FIXTURES / "krozna_cesta_5_koper.handwritten.json").read_bytes()

    def trickle(handler):
        # Each byte well within the socket timeout, the whole answer far beyond it.
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:
            if fake.stop.wait(0.5):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    fake.respond = trickle
    result, seconds = timed_lookup(QUERY, client_for(fake), sources)
    assert seconds < CITIZEN_WAIT_LIMIT
    assert result.source == "gurs-rpe" and "timed out" in result.note


GARBAGE = {
    "html": (200, b"<html><body>Bad gateway, try later</body></html>", "malformed answer"),
    "truncated json": (200, b'[{"lat": "45.54", "lon": ', "malformed answer"),
    "wrong shape": (200, b'[{"lat": "north", "lon": "13.7", "display_name": "x"}]', "malformed answer"),
    "random bytes": (200, bytes(range(256)) * 4, "malformed answer"),
    "error object": (200, b'{"error": "Internal error"}', "query rejected"),
    "500": (500, b"<html>Internal Server Error</html>", "service error"),
    "empty": (200, b"", "malformed answer"),
}


@pytest.mark.parametrize("case", GARBAGE)
def test_garbage_falls_back_to_the_register_quickly(case, fake, sources):
    status, body, reason = GARBAGE[case]
    fake.respond = lambda h: reply(h, status, body)
    result, seconds = timed_lookup(QUERY, client_for(fake), sources)
    assert seconds < CITIZEN_WAIT_LIMIT
    assert result.source == "gurs-rpe" and result.label.startswith("Krožna cesta, Koper")
    assert reason in result.note
    assert len(fake.requests) == 1


OUTSIDE = {
    # Muggia, Italy: inside settings.KOPER_BBOX, so the bounding box alone let it through.
    "Muggia, with its country": (place(45.6045, 13.7676, "it", town="Muggia"), "result outside Slovenia"),
    "Muggia, country not given": (place(45.6045, 13.7676, ""), "result outside Koper and Ankaran"),
    "Croatia, with its country": (place(45.4440, 13.7100, "hr"), "result outside Slovenia"),
    "Croatia, country not given": (place(45.4440, 13.7100, ""), "result outside Koper and Ankaran"),
    "Izola, Slovenia but not served": (place(45.5380, 13.6600, "si", town="Izola"), "result outside Koper and Ankaran"),
    "Ljubljana": (place(46.05, 14.50, "si"), "result outside Koper and Ankaran"),
}


@pytest.mark.parametrize("case", OUTSIDE)
def test_answers_outside_slovenia_or_the_municipalities_are_rejected_with_a_note(case, fake, sources):
    body, reason = OUTSIDE[case]
    fake.respond = lambda h: reply(h, 200, body)
    result, seconds = timed_lookup(QUERY, client_for(fake), sources)
    assert seconds < CITIZEN_WAIT_LIMIT
    assert result.source == "gurs-rpe"
    assert f"Online geocoder failed ({reason})" in result.note


@pytest.mark.parametrize(("lat", "lon"), [(45.5412, 13.7395), (45.5897, 13.7030), (45.5793, 13.7379)])
def test_answers_in_koper_and_ankaran_are_accepted_near_the_approximate_outline_too(lat, lon, fake, sources):
    # Krožna cesta (Koper), Debeli rtič (Ankaran, just outside the approximate outline), Ankaran.
    fake.respond = lambda h: reply(h, 200, place(lat, lon, "si"))
    result, _ = timed_lookup(QUERY, client_for(fake), sources)
    assert (result.source, result.lat, result.lon) == ("nominatim", lat, lon)


def test_many_citizens_at_once_against_a_slow_server_each_within_the_limit(fake, sources):
    def slow(handler):
        fake.stop.wait(SLOW_SECONDS)
        reply(handler, 200, b"[]")

    fake.respond = slow
    client = client_for(fake)
    times: list[float] = []
    notes: list[str] = []

    def citizen():
        result, seconds = timed_lookup(QUERY, client, sources)
        times.append(seconds)
        notes.append(result.note)

    crowd = [threading.Thread(target=citizen) for _ in range(6)]
    for thread in crowd:
        thread.start()
    for thread in crowd:
        thread.join(30)
    assert len(times) == 6 and max(times) < CITIZEN_WAIT_LIMIT
    # At most one request per second reached the server; the others were not sent at all.
    assert 1 <= len(fake.requests) <= 2
    assert all(note.startswith("Online geocoder failed (") for note in notes)
    assert any("busy" in note for note in notes)


def test_no_log_line_carries_the_typed_address_over_real_sockets(fake, sources, caplog):
    """urllib3 logs each request line (query string included) at DEBUG; geopy logs failures."""
    caplog.set_level(logging.DEBUG)
    typed = "Levja ulica 7, 6000 Koper"
    secrets = {"levja", urllib.parse.quote_plus("Levja ulica 7").lower(), urllib.parse.quote("Levja ulica 7").lower()}
    for status, body, _ in GARBAGE.values():
        fake.respond = lambda h, status=status, body=body: reply(h, status, body)
        g.geocode(typed, online=True, geocoder=client_for(fake), sources=sources)
    fake.respond = lambda h: reply(h, 429, b"", Retry_After="120")
    g.geocode(typed, online=True, geocoder=client_for(fake), sources=sources)
    assert len(fake.requests) == len(GARBAGE) + 1
    assert caplog.records, "expected some log records (urllib3's, withheld) to check"
    logged = caplog.text.lower() + " ".join(repr(r.args).lower() + str(r.msg).lower() for r in caplog.records)
    for secret in secrets:
        assert secret not in logged

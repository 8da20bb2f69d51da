"""The typed-address form (ui/address_input.py) on the nearest page, through AppTest.

Before an address can go to the online geocoder the page says so in the user's language and
offers the offline register; choosing the register sends nothing. The online geocoder is a fake
here (no test reaches the network).
"""
from __future__ import annotations

import pytest
from geopy.location import Location

from apptest_support import run_page, texts
from geo import _nominatim, i18n, settings
from geo import geocode as g
from geo.geocode import result as geocode_result
from ui import address_input, cache

PAGE = "pages/nearest.py"
#: Not a hand-placed point nor in the cache, so only the register or the geocoder can place it.
TYPED = "Mladinska ulica 3, 6000 Koper"


class RecordingGeocoder:
    """Stands in for the process-wide Nominatim client; answers a point in Koper's old town."""

    def __init__(self):
        self.queries: list[str] = []

    def geocode(self, query, **kwargs):
        self.queries.append(str(query))
        raw = {"lat": "45.5470", "lon": "13.7290", "addresstype": "building", "display_name": "3, Mladinska ulica, Koper",
               "address": {"country_code": "si", "house_number": "3"}}
        return Location(raw["display_name"], (45.547, 13.729), raw)


@pytest.fixture
def online(monkeypatch) -> RecordingGeocoder:
    """Online geocoding switched on for the app, answered by a recording fake."""
    monkeypatch.setenv(settings.ONLINE_GEOCODING_ENV, "1")
    fake = RecordingGeocoder()
    monkeypatch.setattr(cache, "online_geocoder", lambda: fake)
    return fake


def test_the_server_has_one_interactive_nominatim_client():
    client = cache.online_geocoder()
    assert cache.online_geocoder() is client  # shared by every session: one rate limit, one pause
    assert isinstance(client, _nominatim.RateLimitedGeocoder)
    assert client.max_retries == 0 and client.deadline_seconds == _nominatim.INTERACTIVE_DEADLINE_SECONDS


def _open_address_form(lang: str):
    app = run_page(PAGE, lang)
    app.radio(key="near_method").set_value("address").run()
    assert not app.exception
    return app


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_page_says_before_sending_and_offers_the_register(lang, data_dir, online):
    app = _open_address_form(lang)
    assert i18n.t("address.online_notice", lang) in [c.value for c in app.caption]
    choice = app.radio(key="near_address_lookup")
    assert choice.label == i18n.t("address.lookup_choice", lang)
    assert choice.options == [i18n.t("address.lookup.online", lang), i18n.t("address.lookup.offline", lang)]
    assert online.queries == []  # nothing sent just by showing the form


def test_online_choice_sends_the_canonical_address_once(data_dir, online):
    app = _open_address_form("en")
    app.text_input(key="near_address").input(TYPED)
    app.button(key="near_find").click().run()
    assert not app.exception
    assert online.queries == [TYPED]
    assert "Starting from: **3, Mladinska ulica, Koper**" in texts(app)


def test_choosing_the_register_sends_nothing(data_dir, online):
    app = _open_address_form("sl")
    app.radio(key="near_address_lookup").set_value("offline")
    app.text_input(key="near_address").input(TYPED)
    app.button(key="near_find").click().run()
    assert not app.exception
    assert online.queries == []
    assert "Mladinska ulica, Koper" in texts(app)  # placed by the register (settlement centroid)


def test_with_online_geocoding_off_there_is_no_online_choice(data_dir, monkeypatch):
    monkeypatch.setenv(settings.ONLINE_GEOCODING_ENV, "0")
    app = _open_address_form("it")
    assert i18n.t("address.offline_only", "it") in [c.value for c in app.caption]
    assert i18n.t("address.online_notice", "it") not in [c.value for c in app.caption]
    assert not [r for r in app.radio if r.key == "near_address_lookup"]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_geocoder_note_and_failure_has_a_translation(lang):
    for key in geocode_result.NOTE_TEXTS:
        assert i18n.t(f"geocode.note.{key}", lang, name="x", places="x", chosen="x", reason="x")
    for key in geocode_result.FAILURES:
        assert i18n.t(f"geocode.failure.{key}", lang)


class Failing:
    def geocode(self, query, **kwargs):
        from geopy import exc
        raise exc.GeocoderTimedOut("no answer")


def test_notes_are_shown_in_the_page_language(data_dir):
    sources = g.load_sources(data_dir)
    found = g.geocode("Mladinska ulica 3, 6000 Koper", online=True, geocoder=Failing(), sources=sources)
    assert "Online geocoder failed (timed out)" in found.note  # English for the command line and logs
    assert address_input.note_text(found, "sl") == (
        "Spletna storitev naslova ni našla (ni odgovorila pravočasno); postavljeno po registru brez povezave.")
    assert address_input.note_text(found, "it").startswith("Il servizio online non ha trovato l'indirizzo (nessuna")
    # An ambiguous street: the places are data, the sentence is translated.
    ambiguous = g.geocode("Oljčna pot 3", sources=sources)  # in Koper and in Ankaran
    assert address_input.note_text(ambiguous, "sl") == (
        "Oljčna pot je v več naseljih (Ankaran, Koper); izbrano naselje: Koper. "
        "Za drugo dodajte poštno številko ali naselje.")


def test_a_hand_placed_points_own_note_stays_with_staff_and_the_citizen_reads_a_translated_one(data_dir):
    # The staff's note is English developer text ("Street-level only … confirm with make geocode"),
    # never shown on a citizen's page (issue 12); the citizen reads that the point was placed by hand.
    staff_note = "Street-level only. Local community follows from the estimated position: confirm with make geocode."
    manual = g.GeocodeResult(45.5, 13.7, "manual", g.SOURCE_MANUAL, "Krožna cesta 5", "2026-11-23", note=staff_note)
    assert address_input.note_text(manual, "sl") == (
        "Točka je postavljena ročno po opisu vira, zato sta položaj in krajevna skupnost le oceni.")
    assert address_input.note_text(manual, "it").startswith("Il punto è stato collocato a mano")
    for lang in i18n.LANGUAGES:
        said = address_input.note_text(manual, lang)
        assert "make geocode" not in said and "Street-level" not in said


def test_an_online_failure_is_said_on_the_page_in_its_language(data_dir, monkeypatch):
    monkeypatch.setenv(settings.ONLINE_GEOCODING_ENV, "1")
    monkeypatch.setattr(cache, "online_geocoder", lambda: Failing())
    app = _open_address_form("it")
    app.text_input(key="near_address").input(TYPED)
    app.button(key="near_find").click().run()
    assert not app.exception
    captions = [c.value for c in app.caption]
    assert any(c.startswith("Il servizio online non ha trovato l") and "nessuna risposta in tempo" in c
               for c in captions), captions
    assert not any("Online geocoder failed" in c for c in captions)  # no English on an Italian page

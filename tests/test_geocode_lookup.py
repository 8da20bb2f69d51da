"""geo.geocode.lookup: the order of sources (manual → cache → online → register), and what storing writes."""
from __future__ import annotations

from geopy import exc as geopy_exc
import pytest

from geo import atomic, settings
from geo import geocode as g
from geo.errors import DataFileError
from geocode_support import (  # noqa: F401 - fixtures too
    TODAY, KOPER, data_dir, geocode, register, write_manual, write_cache, location, FakeGeocoder,
    snapshot,
)

# Fail loudly if anything here tries to open a connection or resolve a name (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("no_network")


def test_manual_beats_cache_beats_register(data_dir):
    write_manual(data_dir, '"Krožna cesta 5, 6000 Koper",45.5411,13.7401,koper-center,10,map,2026-11-20,main door')
    write_cache(
        data_dir,
        "\"Krožna cesta 5, 6000 Koper\",45.5400,13.7300,address,nominatim,2026-11-01,\"5, Krožna cesta, Koper\"",
        "\"Levja ulica 7, 6000 Koper\",45.5470,13.7290,address,nominatim,2026-11-01,\"7, Levja ulica, Koper\"",
    )
    online = FakeGeocoder(answer=location(45.5, 13.7))

    manual = geocode("Krožna cesta 5, 6000 Koper – Capodistria", online=True, geocoder=online)
    assert (manual.lat, manual.lon, manual.precision, manual.source) == (45.5411, 13.7401, "manual", "manual")
    assert manual.retrieved_on == "2026-11-20"
    assert manual.note == "main door"

    cached = geocode("na Levji ulici 7, 6000 Koper", online=True, geocoder=online)
    assert (cached.lat, cached.lon, cached.precision, cached.source) == (45.547, 13.729, "address", "nominatim")
    assert cached.retrieved_on == "2026-11-01"

    assert online.calls == []  # the manual file and the cache answered without going online

    register = geocode("Krpanova 13, 6000 Koper")
    assert (register.lat, register.lon, register.precision) == (*KOPER, "settlement")


def test_manual_matches_other_spellings_of_the_same_address(data_dir):
    write_manual(data_dir, '"Krpanova ulica 13, 6000 Koper",45.5450,13.7310,koper-center,20,map,2026-11-20,')
    for query in ("Krpanova 13, 6000 Koper – Capodistria", "Zveza društev upokojencev, Krpanova 13, 6000 Koper",
                  "krpanova ulica 13, 6000 koper", "Krpanova ulica 13"):
        assert geocode(query).source == "manual", query


def test_geocode_accepts_preloaded_sources(data_dir):
    sources = g.load_sources(data_dir)
    assert geocode("Gažon 39", sources=sources).label == "Gažon (settlement centroid)"


def test_geocode_without_register_files_says_how_to_fix(tmp_path):
    with pytest.raises(DataFileError, match="make data"):
        geocode("Gažon 39", data_dir=tmp_path)


def test_store_false_writes_nothing_anywhere(data_dir, tmp_path):
    write_cache(data_dir, "\"Prisoje 1, 6000 Koper\",45.54,13.73,address,nominatim,2026-11-01,x")
    before = snapshot(tmp_path)
    online = FakeGeocoder(answer=location(45.5470, 13.7290, addresstype="building"))
    result = geocode("Levja ulica 7, 6000 Koper", online=True, store=False, geocoder=online, today=TODAY)
    assert result.source == "nominatim"
    geocode("Gažon 39", online=True, geocoder=FakeGeocoder(error=geopy_exc.GeocoderTimedOut("t")))
    assert snapshot(tmp_path) == before


def test_store_true_writes_the_cache(data_dir):
    online = FakeGeocoder(answer=location(45.5470, 13.7290, addresstype="building", display_name="7, Levja ulica"))
    geocode("na Levji ulici 7, 6000 Koper – Capodistria", online=True, store=True, geocoder=online, today=TODAY)
    cache = g.load_geocode_cache(data_dir)
    assert cache.to_dict("records") == [
        {"query": "Levja ulica 7, 6000 Koper", "lat": 45.547, "lon": 13.729, "precision": "address",
         "source": "nominatim", "retrieved_on": "2026-11-23", "display_name": "7, Levja ulica"}
    ]
    again = geocode("Levja ulica 7, 6000 Koper")  # offline now: answered from the cache
    assert (again.source, again.precision) == ("nominatim", "address")
    assert [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_a_crash_while_writing_the_cache_leaves_the_old_cache_whole(data_dir, monkeypatch):
    old = write_cache(data_dir, "\"Prisoje 1, 6000 Koper\",45.54,13.73,address,nominatim,2026-11-01,x")
    old_bytes = old.read_bytes()

    def crash_halfway(handle, data):
        handle.write(data[: len(data) // 2])
        handle.flush()
        raise OSError("simulated crash in the middle of the write")

    monkeypatch.setattr(atomic, "_write_payload", crash_halfway)
    online = FakeGeocoder(answer=location(45.5470, 13.7290, addresstype="building"))
    # The answer still reaches the caller, with a note that it was not kept.
    result = geocode("Levja ulica 7, 6000 Koper", online=True, store=True, geocoder=online, today=TODAY)
    assert (result.lat, result.lon, result.source) == (45.547, 13.729, "nominatim")
    assert "Not saved to the geocode cache (cannot write the file, OSError)" in result.note
    assert "Levja" not in result.note
    assert old.read_bytes() == old_bytes
    assert sorted(p.name for p in data_dir.iterdir()) == [
        "geocode_cache.csv", settings.MUNICIPALITY_OUTLINE_FILE, "settlements.csv", "streets.csv"]
    assert len(g.load_geocode_cache(data_dir)) == 1


def test_a_broken_cache_file_does_not_lose_the_online_answer(data_dir):
    broken = write_cache(data_dir, "\"Prisoje 1, 6000 Koper\",45.54,13.73,exact,nominatim,2026-11-01,x")
    before = broken.read_bytes()
    online = FakeGeocoder(answer=location(45.5470, 13.7290, addresstype="building"))
    sources = g.GeocodeSources(g.typed_empty(g.MANUAL_COLUMNS), g.typed_empty(g.CACHE_COLUMNS), *g.load_register(data_dir))
    result = geocode("Levja ulica 7, 6000 Koper", online=True, store=True, geocoder=online, sources=sources, today=TODAY)
    assert result.source == "nominatim"
    assert "the cache file is invalid" in result.note
    assert broken.read_bytes() == before  # never overwritten with a cache that drops its rows


@pytest.mark.parametrize(
    "query", ["Piazza Tito 1, Trieste", "Ljubljanska cesta 1, Ljubljana", "Krožna cesta 5, 1000 Ljubljana"])
def test_an_address_in_another_town_is_not_found_offline_or_online(query):
    # The data folder's register has Titov trg (Piazza Tito), Ljubljanska and Krožna cesta in Koper.
    sources = g.load_sources(settings.PROJECT_DIR / "data")
    assert g.geocode(query, sources=sources) is None
    online = FakeGeocoder(answer=location(*KOPER))  # an online answer in Koper is not even asked for
    assert g.geocode(query, sources=sources, online=True, geocoder=online) is None
    assert online.calls == []


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("Ljubljanska cesta 1, Koper", "Ljubljanska cesta, Koper"),
        ("Piazza Tito 1, Capodistria", "Titov trg, Koper"),
        ("Vicolo degli Olivi 5, Ancarano", "Oljčna pot, Ankaran"),
    ],
)
def test_a_koper_or_ankaran_address_with_its_town_is_still_found(query, label):
    sources = g.load_sources(settings.PROJECT_DIR / "data")
    sources = type(sources)(sources.manual.iloc[0:0], sources.cache.iloc[0:0], sources.settlements, sources.streets,
                            sources.served_area)  # the register alone answers
    assert g.geocode(query, sources=sources).label.startswith(label)


def test_strada_circolare_in_capodistria_is_found(data_dir):
    write_cache(data_dir,
                "\"Krožna cesta 5, 6000 Koper\",45.5400,13.7300,address,nominatim,2026-11-01,\"5, Krožna cesta, Koper\"")
    found = geocode("Strada Circolare 5, Capodistria")
    assert (found.lat, found.lon, found.precision) == (45.54, 13.73, "address")
    assert geocode("Strada Circolare 5").precision == "address"
    assert geocode("Strada Circolare 5, Trieste") is None

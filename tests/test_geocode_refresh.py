"""``python -m geo geocode refresh|lookup`` (geo.geocode.cache_refresh and geo.cli): the geocode cache from Nominatim."""
from __future__ import annotations

import os
import subprocess
import sys
import types

from geopy import exc as geopy_exc
import pytest

from geo import cli, settings
from geo import geocode as g
from geocode_support import (  # noqa: F401 - fixtures too
    PROJECT_DIR, TODAY, data_dir, location, FakeGeocoder, snapshot, nominatim_over,
)

# Fail loudly if anything here tries to open a connection or resolve a name (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("no_network")


def test_refresh_after_a_429_reports_the_rest_as_failed_not_as_no_network(data_dir, capsys):
    calls = []

    def respond(url):
        calls.append(url)
        return (429, b"", {"Retry-After": "600"}) if len(calls) <= 2 else (200, b"[]", None)

    client, _, _ = nominatim_over(respond)
    before = snapshot(data_dir)
    code = cli.run_geocode(["refresh", "--address", "Levja ulica 7, 6000 Koper", "--address", "Krožna cesta 5, 6000 Koper"],
                  geocoder=client, data_dir=data_dir)
    captured = capsys.readouterr()
    assert code == 1 and "No network" not in captured.err
    assert "failed: rate limited, HTTP 429" in captured.out
    assert "failed: not asked, paused after a recent failure" in captured.out
    assert snapshot(data_dir) == before


def test_refresh_stores_results_and_prints_changes(data_dir, capsys):
    answers = {
        "Krožna cesta 5, 6000 Koper": location(45.5412, 13.7395, addresstype="building", display_name="Krožna 5"),
        "Gažon 39, 6274 Šmarje": location(45.5160, 13.6990, addresstype="village", display_name="Gažon"),
    }
    online = FakeGeocoder(answer=lambda q: answers.get(str(q)))
    code = cli.run_geocode(
        ["refresh", "--address", "Krožna cesta 5, 6000 Koper – Capodistria", "--address", "Gažon 39, 6274 Šmarje",
         "--address", "Krožna cesta 5, 6000 Koper"],  # the duplicate spelling is geocoded once
        geocoder=online, today=TODAY, data_dir=data_dir,
    )
    out = capsys.readouterr().out
    assert code == 0
    assert len(online.calls) == 2
    cache = g.load_geocode_cache(data_dir).set_index("query")
    assert cache.loc["Krožna cesta 5, 6000 Koper", "precision"] == "address"
    assert cache.loc["Gažon 39, 6274 Šmarje", "precision"] == "settlement"
    assert set(cache["retrieved_on"]) == {"2026-11-23"}
    assert out.count(" new ") == 2

    answers["Krožna cesta 5, 6000 Koper"] = location(45.5420, 13.7395, addresstype="building")
    assert cli.run_geocode(["refresh", "--address", "Krožna cesta 5, 6000 Koper"], geocoder=online, data_dir=data_dir) == 0
    assert "moved 89 m" in capsys.readouterr().out

    calls = len(online.calls)
    assert cli.run_geocode(["refresh", "--only-missing", "--address", "Krožna cesta 5, 6000 Koper"],
                  geocoder=online, data_dir=data_dir) == 0
    assert len(online.calls) == calls
    assert "skipped" in capsys.readouterr().out


def test_refresh_without_network_exits_non_zero_and_changes_nothing(data_dir, capsys):
    before = snapshot(data_dir)
    offline = FakeGeocoder(error=geopy_exc.GeocoderUnavailable("Failed to establish a new connection"))
    code = cli.run_geocode(["refresh", "--address", "Krožna cesta 5, 6000 Koper"], geocoder=offline, data_dir=data_dir)
    assert code != 0
    assert "No network" in capsys.readouterr().err
    assert snapshot(data_dir) == before


def test_refresh_reads_addresses_from_a_csv(data_dir, tmp_path, capsys):
    listing = tmp_path / "addresses.csv"
    listing.write_text("address\n\"Prisoje 1, 6000 Koper – Capodistria\"\n", encoding="utf-8")
    online = FakeGeocoder(answer=location(45.5440, 13.7330, addresstype="building"))
    assert cli.run_geocode(["refresh", "--from-csv", str(listing)], geocoder=online, data_dir=data_dir, today=TODAY) == 0
    assert online.calls[0][0] == "Prisoje 1, 6000 Koper"


def test_refresh_uses_provider_addresses_from_geo_load(data_dir, monkeypatch, capsys):
    fake_load = types.ModuleType("geo.load")
    fake_load.provider_addresses = lambda data_dir=None: ["Verdijeva 10, 6000 Koper – Capodistria"]
    monkeypatch.setitem(sys.modules, "geo.load", fake_load)
    monkeypatch.setattr("geo.load", fake_load, raising=False)
    online = FakeGeocoder(answer=location(45.5480, 13.7300, addresstype="building"))
    assert cli.run_geocode(["refresh"], geocoder=online, data_dir=data_dir, today=TODAY) == 0
    assert online.calls[0][0] == "Verdijeva ulica 10, 6000 Koper"


def test_lookup_prints_and_never_stores(data_dir, tmp_path, capsys):
    before = snapshot(tmp_path)
    assert cli.run_geocode(["lookup", "Gažon 39, 6274 Šmarje"], data_dir=data_dir) == 0
    out = capsys.readouterr().out
    assert "Gažon (settlement centroid)" in out and "settlement" in out
    assert cli.run_geocode(["lookup", "asdf qwerty"], data_dir=data_dir) == 1
    online = FakeGeocoder(answer=location(45.5470, 13.7290, addresstype="building"))
    assert cli.run_geocode(["lookup", "--online", "Levja ulica 7, 6000 Koper"], geocoder=online, data_dir=data_dir) == 0
    assert snapshot(tmp_path) == before


def test_module_runs_as_a_script_offline(data_dir):
    env = {**os.environ, settings.DATA_DIR_ENV: str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "geo", "geocode", "lookup", "Levja ulica 7, 6000 Koper"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Levja ulica, Koper" in done.stdout

"""Shared by the geocoding tests: a register subset, data-directory fixtures and fake geocoders.

No test touches the network: online geocoders are fakes, or geopy's Nominatim answered by a fake
HTTP adapter or transport; the rate limiter runs on a fake clock.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from geopy.adapters import BaseSyncAdapter, RequestsAdapter
from geopy.location import Location
import pandas as pd
import pytest
import requests

from geo import _nominatim, settings
from geo import geocode as g

FIXTURES = Path(__file__).parent / "fixtures" / "nominatim"


PROJECT_DIR = Path(__file__).resolve().parent.parent


TODAY = dt.date(2026, 11, 23)


# A subset of the GURS register (shared/reference/rpe), in the data directory's column layout.
SETTLEMENTS_CSV = """\
settlement_id,name_sl,name_it,municipality,area_id,lon,lat
10101310,Ankaran,Ancarano,Ankaran,ankaran,13.737922,45.579307
10101352,Bertoki,Bertocchi,Koper,bertoki,13.766874,45.54453
10101476,Cerej,Cerei,Koper,hrvatini,13.760097,45.590618
10101565,Dvori,,Koper,podgorje,13.932688,45.457736
10101590,Gažon,,Koper,smarje,13.699291,45.515894
10101743,Koper,Capodistria,Koper,koper-center,13.729435,45.546549
10101999,Pobegi,,Koper,pobegi,13.79412,45.539962
10102081,Sv. Anton,,Koper,sv-anton,13.835383,45.526082
10102251,Šmarje,,Koper,smarje,13.71817,45.501251
10102405,Prade,Prade,Koper,prade,13.77495,45.538228
"""


STREETS_CSV = """\
street_id,name_sl,name_it,settlement_id,municipality
10926882,Dvori,,10102081,Koper
16194522,Na Logu,Al Boschetto,10101310,Ankaran
16194573,Cesta na Prisojo,Strada per Prisoje,10101310,Ankaran
16194590,Oljčna pot,Vicolo degli Olivi,10101310,Ankaran
16194859,Pobeška cesta,Strada di Pobeghi,10101352,Koper
16194867,Pobeška cesta,Strada di Pobeghi,10101743,Koper
16194875,Pobeška cesta,Strada di Pobeghi,10102405,Koper
16195065,Cankarjeva ulica,Via Ivan Cankar,10101743,Koper
16195278,Gramšijev trg,Piazzale Antonio Gramsci,10101743,Koper
16195405,Kolaričeva ulica,Via Natale Kolarič,10101743,Koper
16195413,Kolarska ulica,Via dei Carreri,10101743,Koper
16195456,Krpanova ulica,Via Martin Krpan,10101743,Koper
16195502,Levja ulica,Calle del Leone,10101743,Koper
16195570,Mladinska ulica,Via della Gioventu,10101743,Koper
16195588,Muzejski trg,Piazzale del Museo,10101743,Koper
16195669,Oljčna pot,Vicolo degli Olivi,10101743,Koper
16196118,Ulica Pri velikih vratih,Via Porta Maggiore,10101743,Koper
16196177,Verdijeva ulica,Via Giuseppe Verdi,10101743,Koper
16196274,Dolinska cesta,Strada della Valle,10101743,Koper
16196738,Krožna cesta,Strada Circolare,10101743,Koper
16196746,Prisoje,Prisoje,10101743,Koper
16196843,Cesta Zore Perello-Godina,Strada Zora Perello-Godina,10101743,Koper
16196860,Kolodvorska cesta,Strada della Stazione,10101743,Koper
16197017,Sončna pot,,10101999,Koper
16197025,Sončna pot,Vicolo Assolato,10102405,Koper
16518093,Sončna ulica,Via Soleggiata,10101743,Koper
"""


MANUAL_HEADER = "address,lat,lon,area_id,accuracy_m,method,placed_on,note\n"


CACHE_HEADER = "query,lat,lon,precision,source,retrieved_on,display_name\n"


KOPER = (45.546549, 13.729435)


ANKARAN = (45.579307, 13.737922)


GAZON = (45.515894, 13.699291)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A data directory holding the register subset; the env var points the package at it."""
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / settings.SETTLEMENTS_FILE).write_text(SETTLEMENTS_CSV, encoding="utf-8")
    (directory / settings.STREETS_FILE).write_text(STREETS_CSV, encoding="utf-8")
    # The real outline of Koper and Ankaran: online answers are checked against it.
    (directory / settings.MUNICIPALITY_OUTLINE_FILE).write_bytes(
        (PROJECT_DIR / "data" / settings.MUNICIPALITY_OUTLINE_FILE).read_bytes())
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(directory))
    return directory


def geocode(query, **kwargs):
    """g.geocode on the data directory the fixture set (resolving it is the entry point's job in the app)."""
    kwargs.setdefault("data_dir", settings.data_dir())
    return g.geocode(query, **kwargs)


@pytest.fixture
def register() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(settlements, streets) as loaded from the data directory."""
    settlements = pd.read_csv(io.StringIO(SETTLEMENTS_CSV), dtype=str, keep_default_na=False)
    streets = pd.read_csv(io.StringIO(STREETS_CSV), dtype=str, keep_default_na=False)
    return settlements.astype({"lat": float, "lon": float}), streets


def write_manual(directory: Path, *rows: str) -> Path:
    path = directory / settings.MANUAL_COORDINATES_FILE
    path.write_text(MANUAL_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def write_cache(directory: Path, *rows: str) -> Path:
    path = directory / settings.GEOCODE_CACHE_FILE
    path.write_text(CACHE_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def location(lat: float, lon: float, **raw) -> Location:
    """A geopy Location as Nominatim would return it."""
    raw = {"lat": str(lat), "lon": str(lon), "display_name": raw.pop("display_name", "somewhere"), **raw}
    return Location(raw["display_name"], (lat, lon), raw)


class FakeGeocoder:
    """An online geocoder at the geopy boundary: answers or raises, and records every call."""

    def __init__(self, answer=None, error: BaseException | None = None):
        self.answer = answer
        self.error = error
        self.calls: list[tuple[str, dict]] = []

    def geocode(self, query, **kwargs):
        self.calls.append((str(query), kwargs))
        if self.error is not None:
            raise self.error
        return self.answer(query) if callable(self.answer) else self.answer


class FakeClock:
    """Time that only moves when the code sleeps (or a test advances it)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class RecordedAdapter(BaseSyncAdapter):
    """geopy HTTP adapter that answers from a function instead of the network."""

    def __init__(self, responder, *, proxies=None, ssl_context=None):
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.responder = responder
        self.requests: list[tuple[str, dict]] = []

    def get_json(self, url, *, timeout, headers):
        self.requests.append((url, headers))
        return self.responder(url)

    def get_text(self, url, *, timeout, headers):
        return json.dumps(self.get_json(url, timeout=timeout, headers=headers))


def nominatim_with(responder, clock: FakeClock | None = None):
    """Real geopy Nominatim + RateLimiter, answered by ``responder``; returns (geocoder, adapters)."""
    clock = clock or FakeClock()
    adapters: list[RecordedAdapter] = []

    def factory(**kwargs):
        adapters.append(RecordedAdapter(responder, **kwargs))
        return adapters[-1]

    client = _nominatim.make_geocoder(adapter_factory=factory, clock=clock.clock, sleeper=clock.sleep)
    return client, adapters


def recorded(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``directory`` with its bytes and modification time."""
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


class FakeTransport(requests.adapters.BaseAdapter):
    """A requests transport that answers from a function: (status, body bytes, headers) or an exception."""

    def __init__(self, respond):
        super().__init__()
        self.respond = respond
        self.urls: list[str] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.urls.append(request.url)
        outcome = self.respond(request.url)
        if isinstance(outcome, BaseException):
            raise outcome
        status, body, headers = outcome
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers.update(headers or {"Content-Type": "application/json; charset=utf-8"})
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def nominatim_over(respond, clock: FakeClock | None = None):
    """Real geopy Nominatim over requests, the transport faked; returns (geocoder, transport, clock)."""
    clock = clock or FakeClock()
    transport = FakeTransport(respond)

    def factory(**kwargs):
        adapter = RequestsAdapter(**kwargs)
        adapter.session.mount("https://", transport)
        adapter.session.mount("http://", transport)
        return adapter

    client = _nominatim.make_geocoder(adapter_factory=factory, clock=clock.clock, sleeper=clock.sleep)
    return client, transport, clock


def answer(status: int, body: bytes = b"", **headers):
    return lambda url: (status, body, headers or None)


def fail_with(error: BaseException):
    return lambda url: error


def resolve(query, register):
    settlements, streets = register
    return g.resolve_in_register(query, settlements, streets)

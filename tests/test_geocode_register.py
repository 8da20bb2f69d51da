"""geo.geocode.register: placing a query at a settlement centroid; the whole register and the source page."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from geo import geocode as g
from geo import settings, text
from geocode_support import KOPER, ANKARAN, GAZON, register, resolve  # noqa: F401 - fixtures too

# Fail loudly if anything here tries to open a connection or resolve a name (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("no_network")


def test_village_address_goes_to_the_settlement_centroid(register):
    for query in ("Gažon 39", "Gažon 39, 6274 Šmarje", "gazon 39"):
        result = resolve(query, register)
        assert (result.lat, result.lon) == GAZON
        assert result.precision == "settlement"
        assert result.source == "gurs-rpe"
        assert result.label == "Gažon (settlement centroid)"
        assert result.retrieved_on is None


def test_street_address_goes_to_its_settlement_centroid(register):
    result = resolve("Levja ulica 7, 6000 Koper", register)
    assert (result.lat, result.lon) == KOPER
    assert result.precision == "settlement"
    assert result.label.startswith("Levja ulica, Koper")
    assert "no street geometry" in result.label
    assert result.note == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Via Ivan Cankar 6", KOPER),
        ("Calle del Leone 7, 6000 Capodistria", KOPER),
        ("Capodistria", KOPER),
        ("Ancarano", ANKARAN),
        ("Vicolo degli Olivi 5, 6280 Ancarano", ANKARAN),
    ],
)
def test_italian_names(query, expected, register):
    result = resolve(query, register)
    assert (result.lat, result.lon) == expected
    assert result.precision == "settlement"


@pytest.mark.parametrize(
    "query",
    ["LEVJA ULICA 7, 6000 KOPER", "levja ulica 7, 6000 koper", "Krozna cesta 5", "KROŽNA CESTA 5", "na Levji ulici 7"],
)
def test_accents_and_case_do_not_matter(query, register):
    result = resolve(query, register)
    assert (result.lat, result.lon) == KOPER


@pytest.mark.parametrize(
    "query",
    [
        "Oljčna pot 65, 6280 Ankaran",
        "Oljčna pot 65, 6280 Ankaran – Ancarano",
        "Oljcna pot 65, Ankaran",
        "Oljčna pot 65, 6280",
    ],
)
def test_ambiguous_street_follows_the_named_settlement(query, register):
    result = resolve(query, register)
    assert (result.lat, result.lon) == ANKARAN
    assert result.label.startswith("Oljčna pot, Ankaran")
    assert result.note == ""


def test_ambiguous_street_without_a_settlement_prefers_koper_with_a_note(register):
    result = resolve("Oljčna pot 65", register)
    assert (result.lat, result.lon) == KOPER
    assert "Ankaran" in result.note and "Koper" in result.note
    with_postcode = resolve("Oljčna pot 65, 6000 Koper – Capodistria", register)
    assert (with_postcode.lat, with_postcode.lon) == KOPER
    assert with_postcode.note == ""


def test_street_in_several_villages_follows_the_postcode(register):
    result = resolve("Sončna pot 3, 6276 Pobegi", register)
    assert result.label.startswith("Sončna pot, Pobegi")


def test_postcode_suffix_and_organisation_prefix(register):
    result = resolve("Obalni dom upokojencev Koper, Krožna cesta 5, 6000 Koper – Capodistria", register)
    assert result.label.startswith("Krožna cesta, Koper")


def test_village_address_beats_a_same_named_street_elsewhere(register):
    # "Dvori" is a village and also a street in Sv. Anton: a bare "Dvori 5" is the village.
    assert resolve("Dvori 5", register).label == "Dvori (settlement centroid)"
    assert resolve("Dvori 5, Sv. Anton", register).label.startswith("Dvori, Sv. Anton")


def test_locative_settlement_name(register):
    assert resolve("v Kopru", register).label == "Koper (settlement centroid)"


def test_unknown_street_with_a_known_postcode_is_placed_by_the_postcode(register):
    result = resolve("Neznana ulica 4, 6000 Koper", register)
    assert (result.lat, result.lon) == KOPER
    assert "not found" in result.note


@pytest.mark.parametrize(
    "query", ["asdf qwerty", "xyzzy 12", "", "   ", "Obrtna cona Logatec 21, 1370 Logatec", "12345"]
)
def test_nonsense_is_none(query, register):
    assert resolve(query, register) is None


RPE = settings.REFERENCE_DIR / "rpe"


SEED = settings.SEEDS_DIR / "000_8a7edbb9f3e1913f.txt"


@pytest.fixture
def full_register() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole GURS register of Koper and Ankaran, reshaped to the data directory's columns."""
    if not (RPE / "streets_koper_ankaran.csv").is_file():
        pytest.skip("shared/reference/rpe is not beside the repository")
    names = {"11027776": "Koper", "24063526": "Ankaran"}
    raw = pd.read_csv(RPE / "settlements_obalno_kraska.csv", dtype=str, keep_default_na=False)
    raw = raw[raw["OB_MID"].isin(list(names))]
    settlements = pd.DataFrame({
        "settlement_id": raw["NA_MID"], "name_sl": raw["NA_UIME"], "name_it": raw["NA_DJ"],
        "municipality": raw["OB_MID"].map(names), "area_id": "", "lon": raw["lon"].astype(float),
        "lat": raw["lat"].astype(float),
    })
    raw_streets = pd.read_csv(RPE / "streets_koper_ankaran.csv", dtype=str, keep_default_na=False)
    streets = pd.DataFrame({
        "street_id": raw_streets["UL_MID"], "name_sl": raw_streets["UL_UIME"], "name_it": raw_streets["UL_DJ"],
        "settlement_id": raw_streets["NA_MID"], "municipality": raw_streets["OB_MID"].map(names),
    })
    return settlements, streets


def test_every_provider_address_on_the_source_page_resolves(full_register):
    settlements, streets = full_register
    text = SEED.read_text(encoding="utf-8")
    addresses = set(re.findall(r", ([^,\n]+ \d+(?: [A-Z])?, 6\d{3} [^\n]+?)\s*$", text, flags=re.MULTILINE))
    assert len(addresses) >= 10
    for address in addresses:
        result = g.resolve_in_register(address, settlements, streets)
        assert result is not None, address
        assert "not found" not in result.note, address
    assert g.resolve_in_register("Gažon 39, 6274 Šmarje", settlements, streets).label == "Gažon (settlement centroid)"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("na Levji ulici 7", "Levja ulica 7"),
        ("Kolodvorski ulici", "Kolodvorska cesta"),
        ("Kolarski ulici 10", "Kolarska ulica 10"),
        ("Cesta Zore Perello – Godina 3", "Cesta Zore Perello-Godina 3"),
        ("Ulica pri Velikih vratih 6", "Ulica Pri velikih vratih 6"),
        ("Krpanova 13", "Krpanova ulica 13"),
        ("Cankarjeva 6", "Cankarjeva ulica 6"),
        ("Verdijeva 10", "Verdijeva ulica 10"),
    ],
)
def test_normalisation_against_the_full_register(raw, expected, full_register):
    _, streets = full_register
    assert g.normalise_street_address(raw, streets) == expected


@pytest.fixture(scope="module")
def data_register() -> g.Register:
    """The register of the data folder (data/settlements.csv, data/streets.csv)."""
    return g.Register.from_tables(*g.load_register(settings.PROJECT_DIR / "data"))


@pytest.mark.parametrize(
    "query",
    [
        "Piazza Tito 1, Trieste",  # the reviewer's: was Titov trg, Koper
        "Ljubljanska cesta 1, Ljubljana",  # the reviewer's: was Ljubljanska cesta, Koper
        "Ljubljanska cesta 1, 1000 Ljubljana",
        "Piazza Tito 1, 34121 Trieste",
        "Piazza Tito 1, Trieste, Italia",
        "Piazza Tito, Trieste",
        "Titov trg 3, Izola",
        "Titov trg 3, 6310 Izola",
    ],
)
def test_an_address_in_another_town_is_not_placed_on_a_koper_street(query, data_register):
    assert data_register.resolve("Piazza Tito 1").label.startswith("Titov trg, Koper")  # the street does exist
    assert data_register.names_place_outside(query)
    assert data_register.resolve(query) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Strada Circolare 5, Capodistria", "Krožna cesta, Koper"),
        ("Piazza Tito 1, Capodistria", "Titov trg, Koper"),
        ("Titov trg 3, 6000 Koper – Capodistria", "Titov trg, Koper"),
        ("Titov trg 3, Koper – Capodistria", "Titov trg, Koper"),
        ("Titov trg 3, v Kopru", "Titov trg, Koper"),
        ("Ljubljanska cesta 1, Koper", "Ljubljanska cesta, Koper"),
        ("Ljubljanska cesta 1, Koper center", "Ljubljanska cesta, Koper"),
        ("Levja ulica 7, Semedela", "Levja ulica, Koper"),
        ("Levja ulica 7, 2. nadstropje", "Levja ulica, Koper"),
        ("Oljčna pot 65, ANKARAN", "Oljčna pot, Ankaran"),
        ("Vicolo degli Olivi 5, 6280 Ancarano", "Oljčna pot, Ankaran"),
        ("Vicolo degli Olivi 5, Ancarano", "Oljčna pot, Ankaran"),
        ("Gažon 39, 6274 Šmarje", "Gažon"),
        ("Gažon 39, Smarje", "Gažon"),
        ("Pobeška cesta 5, Prade", "Pobeška cesta, Prade"),
        ("Krožna cesta 5", "Krožna cesta, Koper"),
    ],
)
def test_koper_and_ankaran_addresses_with_their_town_still_resolve(query, expected, data_register):
    assert not data_register.names_place_outside(query)
    assert data_register.resolve(query).label.startswith(expected)


@pytest.mark.parametrize("postcode", ["6000 Koper", "6271 Dekani", "6272 Gračišče", "6273 Marezige", "6274 Šmarje",
                                      "6275 Črni Kal", "6276 Pobegi", "6280 Ankaran", "6281 Škofije"])
def test_every_post_office_of_the_area_is_inside(postcode, data_register):
    assert not data_register.names_place_outside(f"Levja ulica 7, {postcode}")
    assert not data_register.names_place_outside(f"Levja ulica 7, {postcode.split(maxsplit=1)[1]}")

"""Addresses in Italian come from the register's official Italian names, or not at all."""
from __future__ import annotations

import pytest

from geo import areas, bilingual, settings


@pytest.fixture(scope="module")
def register():
    return areas.load_streets(settings.data_dir()), areas.load_settlements(settings.data_dir())


@pytest.mark.parametrize("address,italian", [
    ("Krožna cesta 5, 6000 Koper", "Strada Circolare 5, 6000 Capodistria"),
    ("Ulica Pri velikih vratih 6, 6000 Koper", "Via Porta Maggiore 6, 6000 Capodistria"),
    ("Oljčna pot 65 A, 6000 Koper", "Vicolo degli Olivi 65 A, 6000 Capodistria"),
    ("Kolodvorska cesta, 6000 Koper", "Strada della Stazione, 6000 Capodistria"),
])
def test_register_names_give_the_italian_address(register, address, italian):
    assert bilingual.italian_address(address, *register) == italian


@pytest.mark.parametrize("address", [
    "Gažon 39, 6274 Šmarje",  # Šmarje has no Italian name in the register
    "Obrtna cona Logatec 21, 1370 Logatec",  # outside Koper
    "",
    "<script>alert(1)</script>",
])
def test_without_an_italian_name_there_is_no_italian_address(register, address):
    assert bilingual.italian_address(address, *register) == ""


def test_slovene_street_names_in_an_italian_text_are_found_with_their_italian_form(register):
    check = bilingual.SloveneStreetCheck(register[0])
    found = check.find("Sede in Krpanova 13 e in dolinska  cesta 58 A; poi Kolodvorska cesta.")
    assert sorted(found) == [("Dolinska cesta", "Strada della Valle"), ("Kolodvorska cesta", "Strada della Stazione"),
                             ("Krpanova ulica", "Via Martin Krpan")]
    assert check.find("Cesta Zore Perello – Godina 3") == [("Cesta Zore Perello-Godina", "Strada Zora Perello-Godina")]


def test_italian_names_quoted_source_words_and_streets_without_italian_names_pass(register):
    check = bilingual.SloveneStreetCheck(register[0])
    assert check.find("Strada della Valle 58 A, Via Martin Krpan 13; la fonte scrive «Kolodvorska ulica 1».") == []
    assert check.find("Krpanova è un cognome; Dolinska senza numero.") == []  # short forms need a house number
    assert check.find("") == [] and check.find(None) == []

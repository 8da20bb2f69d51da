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

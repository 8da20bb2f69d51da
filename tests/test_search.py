"""Free-text search: accents and case ignored, word prefixes, AND of words, Slovene fallback."""
from __future__ import annotations

import pandas as pd
import pytest

from geo import directory, search, settings
from geo import text as geo_text


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return directory.directory_table(settings.data_dir())


def _ids(services: pd.DataFrame, query: str, lang: str) -> list[str]:
    return services.loc[search.search(services, query, lang), "id"].tolist()


SMALL = pd.DataFrame(
    {
        "id": ["tea", "day", "legal", "djurdja"],
        "name_sl": ["Čajanke – druženja", "Dnevni center Oljka", "Pravno svetovanje", "Društvo Đurđa"],
        "name_en": ["Tea afternoons", "Oljka day centre", "Legal advice", "Đurđa society"],
        "description_sl": ["", "Dnevno varstvo starejših", "Brezplačno", ""],
        "description_en": ["", "Day care for older people", "Free of charge", ""],
        "provider": ["Mali princ", "Obalni dom upokojencev", "Odvetniška zbornica", "ŽUPNIJA ŠMARJE"],
    },
    index=[10, 11, 12, 13],
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Čajanke", "cajanke"), ("ŠMARJE", "smarje"), ("Đurđa", "durda"), ("Straße", "strasse"), (None, "")],
)
def test_fold_removes_accents_case_and_handles_d_with_stroke(text, folded):
    # search folds with the project's one folding function (more cases in test_text.py).
    assert search.fold is geo_text.fold
    assert geo_text.fold(text) == folded


def test_accent_and_case_insensitive_both_ways():
    assert _ids(SMALL, "cajanke", "en") == ["tea"]
    assert _ids(SMALL, "ČAJANKE", "en") == ["tea"]
    assert _ids(SMALL, "durda", "en") == ["djurdja"]
    assert _ids(SMALL, "Đurđa", "sl") == ["djurdja"]


def test_words_match_prefixes_of_words_not_the_middle():
    assert _ids(SMALL, "dnevn", "sl") == ["day"]
    assert _ids(SMALL, "enter", "sl") == []  # "center" contains it, but no word starts with it
    assert _ids(SMALL, "svet", "sl") == ["legal"]


def test_all_words_must_match():
    assert _ids(SMALL, "dnevni oljka", "sl") == ["day"]
    assert _ids(SMALL, "dnevni pravno", "sl") == []


def test_providers_and_descriptions_are_searched():
    assert _ids(SMALL, "smarje", "en") == ["djurdja"]
    assert _ids(SMALL, "older", "en") == ["day"]
    assert _ids(SMALL, "starejsih", "en") == ["day"]  # Slovene description found from English


def test_slovene_is_a_fallback_but_other_languages_are_not():
    assert _ids(SMALL, "pravno", "en") == ["legal"]
    assert _ids(SMALL, "legal", "sl") == []


def test_empty_or_punctuation_query_matches_everything_and_keeps_the_index():
    for query in ("", "   ", "–,.", None):
        result = search.search(SMALL, query, "sl")
        assert result.tolist() == [True] * 4
        assert list(result.index) == [10, 11, 12, 13]


def test_regex_characters_in_the_query_are_literal():
    assert _ids(SMALL, "oljka.*", "sl") == ["day"]
    assert _ids(SMALL, "(", "sl") == ["tea", "day", "legal", "djurdja"]


def test_missing_language_columns_are_tolerated():
    assert _ids(SMALL, "oljka", "it") == ["day"]


def test_real_directory_examples(table):
    assert _ids(table, "cajanke", "en") == ["cajanke"]
    assert _ids(table, "prostofer", "it") == ["prostofer"]
    assert "day-care-oljka" in _ids(table, "dnevn", "en")
    assert _ids(table, "dnevni center oljka", "it") == ["day-care-oljka"]
    assert _ids(table, "anziani cajanke", "it") == ["cajanke"]
    assert _ids(table, "anziani cajanke", "en") == []  # Italian text is not searched in English

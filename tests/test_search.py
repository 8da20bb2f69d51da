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


# --- the words people use: lemmas (simplemma) and the reviewed synonym table ----------------------

@pytest.mark.parametrize(("query", "lang", "expected"), [
    # Slovene: the data say "kosila", "hrane", "brezdomne osebe", "brezdomcem"
    ("kosilo", "sl", {"meals-on-wheels", "municipal-financial-aid"}),
    ("hrana", "sl", {"red-cross-material-aid", "meals-on-wheels", "municipal-financial-aid", "homeless-shelter"}),
    ("brezdomec", "sl", {"homeless-shelter", "homeless-housing-support", "caritas-help-for-homeless"}),
    ("brezdomci", "sl", {"homeless-shelter", "homeless-housing-support", "caritas-help-for-homeless"}),
    ("Brezdomcem", "sl", {"homeless-shelter", "homeless-housing-support", "caritas-help-for-homeless"}),
    ("odvetnik", "sl", {"free-legal-advice"}),
    # English: the data say "legal advice", "meals", "food parcels"
    ("lawyer", "en", {"free-legal-advice"}),
    ("food", "en", {"red-cross-material-aid", "meals-on-wheels", "municipal-financial-aid", "homeless-shelter"}),
    # Italian: the data say "pasti", "pranzi", "consulenza legale", "alimenti", "senzatetto"
    ("pranzo", "it", {"meals-on-wheels", "municipal-financial-aid"}),
    ("pasto", "it", {"meals-on-wheels", "municipal-financial-aid", "homeless-shelter"}),
    ("avvocato", "it", {"free-legal-advice"}),
    ("cibo", "it", {"red-cross-material-aid", "meals-on-wheels", "municipal-financial-aid", "homeless-shelter"}),
    ("senzatetto", "it", {"homeless-shelter", "homeless-housing-support", "caritas-help-for-homeless"}),
])
def test_the_words_people_use_find_their_services(table, query, lang, expected):
    assert set(_ids(table, query, lang)) == expected


def test_before_lemmas_and_synonyms_these_words_found_nothing(table):
    # The plain prefix search (the old behaviour) on the folded text: proves the examples are real.
    haystack = search.searchable_text(table, "sl")
    for word in ("kosilo", "hrana", "brezdomec", "brezdomci"):
        assert not haystack.str.contains(r"\b" + word).any()
    english = search.searchable_text(table, "en")
    assert not english.str.contains(r"\blawyer").any()


def test_lemmas_stay_accent_blind_and_need_a_whole_lemma(table):
    # "starejši" (lemma "star") finds services for older people but not "starši" (parents, lemma "starš").
    older = _ids(table, "starejši", "sl")
    assert "day-care-oljka" in older and "birth-grant" not in older
    assert set(_ids(table, "KOSILO", "sl")) == set(_ids(table, "kosilo", "sl"))
    assert _ids(table, "brezdomcem kosilo", "sl") == []  # still an AND of words


def test_lemma_is_folded_and_knows_each_language():
    assert search.lemma("kosila", "sl") == "kosilo"
    assert search.lemma("pranzi", "it") == "pranzo"
    assert search.lemma("meals", "en") == "meal"
    assert search.lemma("Čajanke", "de") == "cajanke"  # no lemmatizer: just folded


def test_synonyms_are_read_folded_transitively_and_one_way_for_also(tmp_path):
    path = tmp_path / "syn.csv"
    path.write_text("lang,kind,words,reason\n"
                    "sl,same,Brezdomec;brezdomci,forms\n"
                    "sl,also,hrana;kosilo,broader\n"
                    "sl,also,žlica;hrana,chain\n", encoding="utf-8")
    table = search.load_synonyms(path)
    assert set(table["sl"]["brezdomci"]) == {"brezdomec"}
    assert set(table["sl"]["brezdomec"]) == {"brezdomci"}
    assert set(table["sl"]["zlica"]) == {"hrana", "kosilo"}  # followed through "hrana", accents folded
    assert "kosilo" not in table["sl"]  # "also" is one way
    found = search.alternatives("Žlica", "sl", table)
    assert "kosilo" in found.starts and "zlica" in found.starts
    # an empty table turns synonyms off; lemmas still work
    none = {"sl": {}, "it": {}, "en": {}}
    assert "kosilo" in search.alternatives("kosila", "sl", none).lemmas


@pytest.mark.parametrize("bad", ["xx,same,a;b,r\n", "sl,maybe,a;b,r\n", "sl,same,a,r\n", "sl,same,;;,r\n"])
def test_a_bad_synonym_row_names_the_file_and_line(tmp_path, bad):
    path = tmp_path / "syn.csv"
    path.write_text("lang,kind,words,reason\nsl,same,a;b,ok\n" + bad, encoding="utf-8")
    with pytest.raises(ValueError, match=r"syn\.csv, line 3"):
        search.load_synonyms(path)


def test_the_shipped_synonym_table_is_valid_and_every_row_gives_a_reason():
    import csv

    path = settings.PROJECT_DIR / "data" / search.SYNONYMS_FILE
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert rows and all(row["reason"].strip() for row in rows)
    assert search.load_synonyms(path) == search.DEFAULT_SYNONYMS


def test_synonyms_do_not_leak_into_another_language(table):
    # "lawyer" is an English synonym; a Slovene page searches Slovene and finds nothing for it.
    assert _ids(table, "lawyer", "sl") == []

"""Every UI text exists in every language; formatting follows each language."""
from __future__ import annotations

import datetime as dt
import re
import string

import pytest

from geo import i18n, model


def test_every_key_exists_in_every_language():
    keys = set(i18n.SL)
    for lang, table in i18n.TABLES.items():
        assert set(table) == keys, f"{lang}: missing {keys - set(table)}, extra {set(table) - keys}"


def test_placeholders_match_across_languages():
    def fields(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    def all_fields(entry):
        forms = entry.values() if isinstance(entry, dict) else [entry]
        return set().union(*(fields(form) for form in forms))

    for key, text in i18n.SL.items():
        for lang in ("it", "en"):
            assert all_fields(i18n.TABLES[lang][key]) == all_fields(text), (lang, key)


def test_plural_entries_have_every_cldr_form_their_language_needs():
    needed = {"sl": {"one", "two", "few", "other"}, "it": {"one", "other"}, "en": {"one", "other"}}
    for lang, table in i18n.TABLES.items():
        for key, entry in table.items():
            if isinstance(entry, dict):
                assert needed[lang] <= set(entry), (lang, key, needed[lang] - set(entry))


def test_plural_picks_the_cldr_form(monkeypatch):
    forms = {"sl": {"one": "{n} storitev", "two": "{n} storitvi", "few": "{n} storitve", "other": "{n} storitev"},
             "it": {"one": "{n} servizio", "other": "{n} servizi"},
             "en": {"one": "{n} service", "other": "{n} services"}}
    for lang, entry in forms.items():
        monkeypatch.setitem(i18n.TABLES[lang], "test.services", entry)
    assert [i18n.plural("test.services", "sl", n) for n in (1, 2, 3, 5, 101, 102, 1262)] == [
        "1 storitev", "2 storitvi", "3 storitve", "5 storitev", "101 storitev", "102 storitvi", "1.262 storitev"]
    assert i18n.plural("test.services", "it", 1) == "1 servizio"
    assert i18n.plural("test.services", "it", 0) == "0 servizi"
    assert i18n.plural("test.services", "en", 1262) == "1,262 services"


def test_every_vocabulary_value_has_a_label():
    for lang in i18n.LANGUAGES:
        for value in model.CATEGORIES:
            assert i18n.t(f"category.{value}", lang)
        for value in model.TARGET_GROUPS:
            assert i18n.t(f"group.{value}", lang)
        for value in model.LOCATION_TYPES:
            assert i18n.t(f"location_type.{value}", lang)
        for value in model.PRICE_TYPES:
            assert i18n.t(f"price_type.{value}", lang)


def test_unknown_language_falls_back_to_slovene():
    assert i18n.language("de") == "sl" and i18n.language(None) == "sl"
    assert i18n.t("field.provider", "xx") == "Izvajalec"


def test_translated_data_field_falls_back_to_slovene():
    record = {"name_sl": "Čajanke", "name_it": "", "name_en": "Tea afternoons"}
    assert i18n.field(record, "name", "it") == "Čajanke"
    assert i18n.field(record, "name", "en") == "Tea afternoons"


def test_dates_and_numbers_per_language():
    day = dt.date(2026, 11, 23)
    assert i18n.format_day(day, "sl") == "23. nov. 2026"
    assert i18n.format_day(day, "it") == "23 nov 2026"
    assert i18n.format_day(day, "en") == "23 Nov 2026"
    assert i18n.format_number(54252, "sl") == "54.252"
    assert i18n.format_number(54252, "en") == "54,252"
    assert i18n.format_number(2.5, "it", 1) == "2,5"


def test_name_in_gives_the_place_name_in_the_chosen_language():
    import pandas as pd

    koper = {"name_sl": "Koper", "name_it": "Capodistria"}
    assert i18n.name_in(koper, "it") == "Capodistria"
    assert i18n.name_in(koper, "sl") == "Koper"
    assert i18n.name_in(koper, "en") == "Koper"  # places have no English names: Slovene is official
    assert i18n.name_in({"name_sl": "Marezige", "name_it": ""}, "it") == "Marezige"
    assert i18n.name_in(pd.Series({"name_sl": "Gračišče", "name_it": float("nan")}), "it") == "Gračišče"
    assert i18n.name_in({"name": "Koper"}, "it") == "Koper"  # GeoJSON outline properties
    assert i18n.name_in({}, "sl") == ""


def test_bilingual_label_only_when_the_names_differ():
    assert i18n.bilingual("Koper", "Capodistria") == "Koper / Capodistria"
    assert i18n.bilingual("Gažon", "Gažon") == "Gažon"
    assert i18n.bilingual("Gažon", "") == "Gažon"
    assert i18n.bilingual("Gažon", None) == "Gažon"
    assert i18n.bilingual(" Ankaran ", "Ancarano ") == "Ankaran / Ancarano"


def test_a_count_text_through_t_takes_its_plural_form_and_refuses_a_formatted_count():
    assert [i18n.t("directory.count", "sl", n=n) for n in (1, 2, 3, 5, 101)] == [
        "1 storitev", "2 storitvi", "3 storitve", "5 storitev", "101 storitev"]
    assert i18n.t("directory.count", "en", n=1) == "1 service"
    assert i18n.t("areas.total", "it", n=57501) == "Totale 57.501 abitanti"
    assert i18n.t("council.people", "sl", n=2) == "2 prebivalca"
    with pytest.raises(TypeError, match="whole number"):
        i18n.t("directory.count", "sl", n="1.234")  # already formatted: its plural form is unknowable
    with pytest.raises(TypeError, match="count text"):
        i18n.t("directory.count", "sl")


def test_no_count_is_pasted_into_one_form():
    """A text that puts a number right before a word that changes with it must be a plural entry.

    Slovene, Italian and English all inflect the noun after a count, so "{n} services" in a plain
    string is "1 services" one day. Counts in parentheses or after a colon ("Najbližja mesta ({n})",
    "Težava: {n}") do not inflect and may stay plain.
    """
    counted = re.compile(r"(\*\*)?\{(n|count|rows|days|people|added|changed|removed|unchanged)\}(\*\*)? [^\W\d]", re.UNICODE)
    offenders = [(lang, key) for lang, table in i18n.TABLES.items() for key, text in table.items()
                 if isinstance(text, str) and any(m.group(0)[-1] != "m" or not text[m.end() - 1:].startswith("more")
                                                  for m in counted.finditer(text))]  # "{n} more" does not inflect
    assert not offenders, offenders


def test_month_names_and_the_long_date_template_follow_cldr():
    assert i18n.month_names("sl")[0] == "januar" and i18n.month_names("it")[11] == "dicembre"
    assert i18n.month_names("en")[4] == "May"
    assert i18n.date_template("sl") == "{d}. {month} {y}"
    assert i18n.date_template("it") == "{d} {month} {y}"

"""geo.text.fold: the one folding function (what search.fold and geocode.fold each did, together)."""
from __future__ import annotations

import math

import pytest

from geo import text


# search.fold's cases: accents, case, letters NFKD keeps whole, non-text.
@pytest.mark.parametrize(
    ("raw", "folded"),
    [("Čajanke", "cajanke"), ("ŠMARJE", "smarje"), ("Đurđa", "durda"), ("Straße", "strasse"), (None, ""),
     (math.nan, ""), ("Łódź", "lodz"), ("Ørsted", "orsted"), ("DIYARBAKIR ı", "diyarbakir i")],
)
def test_accents_case_and_letters_with_a_stroke(raw, folded):
    assert text.fold(raw) == folded


# geocode.fold's cases: dashes with or without spaces around them, and runs of white space.
@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Perello – Godina", "perello-godina"),
        ("Perello-Godina", "perello-godina"),
        ("Perello \u2014Godina", "perello-godina"),
        ("Perello\u2011Godina", "perello-godina"),
        ("6000 Koper − Capodistria", "6000 koper-capodistria"),
        ("  Krožna\tcesta\u00a0 5\n", "krozna cesta 5"),
        ("  ŠMARJE  ", "smarje"),
    ],
)
def test_dashes_and_spaces(raw, folded):
    assert text.fold(raw) == folded


def test_the_two_old_behaviours_together():
    assert text.fold("Društvo  Đurđa – Šmarje") == "drustvo durda-smarje"
    assert text.fold("Čajanke") == text.fold("cajanke") == "cajanke"


@pytest.mark.parametrize("raw", ["Ulica Pri velikih vratih 6", "Đ – ł\u00a0Ø", "İstanbul", "ﬁ ligature", "", "58/a"])
def test_fold_is_idempotent(raw):
    assert text.fold(text.fold(raw)) == text.fold(raw)


def test_numbers_are_folded_as_text():
    assert text.fold(6000) == "6000"

"""What the browser says about the device's position is checked before it is used."""
from __future__ import annotations

import pytest

from ui.geolocation import parse_position


def test_a_position_with_accuracy():
    assert parse_position({"lat": 45.55, "lon": 13.81, "accuracy": 35}) == (45.55, 13.81, 35.0)
    assert parse_position('{"lat": 45.55, "lon": 13.81}') == (45.55, 13.81, None)


@pytest.mark.parametrize("word", ["denied", "unavailable", "unsupported"])
def test_browser_refusals_become_words(word):
    assert parse_position({"error": word}) == word


@pytest.mark.parametrize("junk", [None, "", "not json", [], {"lat": "x", "lon": 1}, {"lat": 91, "lon": 0},
                                  {"lat": float("nan"), "lon": 0}, {"lon": 13.8}, 42])
def test_junk_is_ignored(junk):
    assert parse_position(junk) is None


def test_unknown_errors_and_bad_accuracy_are_tamed():
    assert parse_position({"error": "<script>"}) == "unavailable"
    assert parse_position({"lat": 45.5, "lon": 13.8, "accuracy": "lots"}) == (45.5, 13.8, None)

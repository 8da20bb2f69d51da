"""Opening hours: OSM syntax with Slovenian public holidays; unknown stays unknown."""
from __future__ import annotations

import datetime as dt

import pytest

from geo import hours


@pytest.mark.parametrize(
    "day, holiday",
    [
        (dt.date(2026, 12, 25), True),  # Christmas
        (dt.date(2026, 6, 25), True),  # Statehood Day
        (dt.date(2026, 2, 8), True),  # Prešeren Day
        (dt.date(2026, 11, 23), False),
    ],
)
def test_slovenian_public_holidays(day, holiday):
    assert hours.is_public_holiday(day) is holiday


def test_public_holiday_rule_overrides_the_weekday():
    expression = "Mo-Fr 08:00-16:00; PH off"
    assert hours.state_at(expression, dt.datetime(2026, 12, 24, 10)) == "open"
    assert hours.state_at(expression, dt.datetime(2026, 12, 25, 10)) == "closed"


def test_empty_hours_are_unknown_at_any_time():
    assert hours.state_at("", dt.datetime(2026, 11, 23, 10)) == "unknown"
    assert hours.intervals_on("", dt.date(2026, 11, 23)) == []
    assert not hours.open_on_weekend("") and not hours.is_always_open("")


def test_intervals_and_weekend_and_round_the_clock():
    assert hours.intervals_on("Mo-Fr 07:00-15:00", dt.date(2026, 11, 23)) == [
        (dt.time(7), dt.time(15), "open")
    ]
    assert hours.intervals_on("Mo-Fr 07:00-15:00", dt.date(2026, 11, 22)) == []
    assert hours.open_on_weekend("Sa 09:00-12:00") and not hours.open_on_weekend("Mo-Fr 07:00-15:00")
    assert hours.is_always_open("24/7") and hours.is_always_open("Mo-Su 00:00-24:00")
    assert not hours.is_always_open("Mo-Su,PH unknown")


def test_validity():
    assert hours.is_valid("") and hours.is_valid("Mo-Fr 07:00-15:00; PH unknown")
    assert not hours.is_valid("Monday 7 to 15")

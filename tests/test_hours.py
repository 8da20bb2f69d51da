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


# --- time is owned here -------------------------------------------------------------------------

def test_to_local_converts_aware_times_and_keeps_naive_ones():
    summer = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.timezone.utc)
    assert hours.to_local(summer) == dt.datetime(2026, 7, 1, 10, 0)  # CEST, UTC+2
    winter = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)
    assert hours.to_local(winter) == dt.datetime(2026, 12, 1, 9, 0)  # CET, UTC+1
    naive = dt.datetime(2026, 12, 1, 8, 0)
    assert hours.to_local(naive) is naive


def test_to_local_out_of_range_is_a_value_error_not_an_overflow():
    far_east = dt.datetime.fromisoformat("0001-01-01T00:00+14:00")
    with pytest.raises(ValueError, match="out of range"):
        hours.to_local(far_east)


def test_now_to_minute_is_local_now_without_seconds(monkeypatch):
    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 11, 28, 9, 41, 37, 123456, tzinfo=dt.timezone.utc).astimezone(tz)

    monkeypatch.setattr(hours.dt, "datetime", Frozen)
    assert hours.now_to_minute() == dt.datetime(2026, 11, 28, 10, 41)
    assert hours.local_now() == dt.datetime(2026, 11, 28, 10, 41, 37, 123456)


def test_states_at_evaluates_a_table_a_series_or_a_list():
    import pandas as pd

    table = pd.DataFrame(
        {"opening_hours": ["Mo-Fr 08:00-16:00; PH off", "", "Mo-Su,PH unknown", "Sa 09:00-12:00", None]},
        index=[10, 11, 12, 13, 14],
    )
    christmas_eve = dt.datetime(2026, 12, 24, 10)
    expected = ["open", "unknown", "unknown", "closed", "unknown"]
    result = hours.states_at(table, christmas_eve)
    assert result.tolist() == expected and list(result.index) == [10, 11, 12, 13, 14]
    assert hours.states_at(table["opening_hours"], christmas_eve).tolist() == expected
    assert hours.states_at(list(table["opening_hours"]), christmas_eve).tolist() == expected
    # Christmas Day is a public holiday; an aware time is converted to Koper time first.
    aware = dt.datetime(2026, 12, 25, 9, tzinfo=dt.timezone.utc)
    assert hours.states_at(table, aware).tolist()[0] == "closed"
    assert hours.states_at(pd.DataFrame(index=[1, 2]), christmas_eve).tolist() == ["unknown", "unknown"]


def test_weekly_spans_of_plain_and_other_hours():
    assert hours.weekly_spans("Mo-Fr 07:00-15:00; PH off") == [(["Mo", "Tu", "We", "Th", "Fr"], "07:00", "15:00")]
    assert hours.weekly_spans("Mo,We 08:00-12:00,13:00-24:00") == [
        (["Mo", "We"], "08:00", "12:00"), (["Mo", "We"], "13:00", "23:59"),
    ]
    assert hours.weekly_spans("Sa-Mo 09:00-10:00") == [(["Mo", "Sa", "Su"], "09:00", "10:00")]
    assert hours.weekly_spans("24/7") == [(list(hours.DAYS), "00:00", "23:59")]
    assert hours.weekly_spans("Mo-Fr 22:00-06:00") is None  # overnight
    assert hours.weekly_spans("Mo-Fr 08:00-12:00; Fr 08:00-10:00") is None  # a later rule overrides
    assert hours.weekly_spans("Mo-Su,PH unknown") is None
    assert hours.weekly_spans("") is None


# --- school holidays (SH) cannot be evaluated -------------------------------------------------------

@pytest.mark.parametrize("expression", [
    "Mo-Fr 08:00-12:00; SH off",
    "SH Mo-Fr 08:00-12:00",
    "Mo-Fr 08:00-12:00; PH,SH off",
    "Mo-Fr 08:00-12:00 || SH off",
])
def test_school_holiday_rules_are_refused_and_never_open(expression):
    assert hours.uses_school_holidays(expression)
    assert not hours.is_valid(expression)
    assert "SH (school holidays)" in hours.problem(expression) and "hours_note" in hours.problem(expression)
    # Should one reach evaluation anyway: unknown, never open.
    wednesday = dt.datetime(2026, 12, 2, 9)
    assert hours.state_at(expression, wednesday) == "unknown"
    assert hours.intervals_on(expression, wednesday.date()) == [(dt.time.min, dt.time.max, "unknown")]
    assert not hours.open_on_weekend(expression) and not hours.is_always_open(expression)
    assert hours.weekend_state(expression) == "unknown" and hours.always_state(expression) == "unknown"


def test_sh_inside_a_comment_or_a_word_is_not_a_school_holiday_rule():
    assert not hours.uses_school_holidays('Mo-Fr 08:00-12:00 "SH by phone"')
    assert hours.is_valid('Mo-Fr 08:00-12:00 "SH by phone"')
    assert hours.problem("Monday 7 to 15") == hours.SYNTAX_MESSAGE
    assert hours.problem("") is None


# --- times typed on a command line (moved from test_coverage with parse_when) -------------------------

WEDNESDAY_NOON = dt.datetime(2026, 11, 25, 12, 0)


@pytest.mark.parametrize(("text", "expected"), [
    ("Sa 10:00", dt.datetime(2026, 11, 28, 10, 0)),
    ("sat 10:00", dt.datetime(2026, 11, 28, 10, 0)),
    ("Saturday 9", dt.datetime(2026, 11, 28, 9, 0)),
    ("We 12:00", dt.datetime(2026, 11, 25, 12, 0)),  # now counts as the next such time
    ("We 11:59", dt.datetime(2026, 12, 2, 11, 59)),  # already past today: next week
    ("Mo 07:30", dt.datetime(2026, 11, 30, 7, 30)),
    ("2026-12-01T08:30", dt.datetime(2026, 12, 1, 8, 30)),
    ("2026-06-01 08:00+00:00", dt.datetime(2026, 6, 1, 10, 0)),  # summer time in Koper
])
def test_parse_when(text, expected):
    assert hours.parse_when(text, reference=WEDNESDAY_NOON) == expected


@pytest.mark.parametrize("text", ["Xx 10:00", "Sa 25:00", "Sa 10:75", "", "tomorrow", "Sa"])
def test_parse_when_refuses_and_says_how(text):
    with pytest.raises(ValueError, match="Sa 10:00|00:00 to 23:59"):
        hours.parse_when(text, reference=WEDNESDAY_NOON)


def test_parse_when_passes_datetimes_through():
    saturday = dt.datetime(2026, 11, 28, 10, 0)
    assert hours.parse_when(saturday) == saturday
    assert hours.parse_when(dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.timezone.utc)) == saturday


def test_next_opening_of_a_closed_service_skips_the_weekend_and_holidays():
    saturday = dt.datetime(2026, 12, 5, 10, 0)
    assert hours.next_opening("Mo-Fr 07:00-15:00; PH off", saturday) == dt.datetime(2026, 12, 7, 7, 0)
    # 25 and 26 December 2026 are Slovene public holidays (Fri, Sat): Monday 28th is next.
    assert hours.next_opening("Mo-Fr 07:00-15:00; PH off", dt.datetime(2026, 12, 24, 16, 0)) == dt.datetime(2026, 12, 28, 7, 0)


def test_next_opening_is_none_unless_known_closed():
    saturday = dt.datetime(2026, 12, 5, 10, 0)
    assert hours.next_opening("Mo-Su 08:00-20:00", saturday) is None  # open now
    assert hours.next_opening("", saturday) is None  # hours unknown
    assert hours.next_opening("Mo-Fr unknown", saturday) is None  # next change is to unknown
    aware = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.timezone.utc)  # 10:00 in Koper
    assert hours.next_opening("Mo-Fr 07:00-15:00", aware) == dt.datetime(2026, 12, 7, 7, 0)

"""Filters: facets, opening hours (with Slovenian holidays), faceted counts and shareable links."""
from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from geo import directory, filters, hours, model, settings
from geo.filters import Filters

CHRISTMAS_2026 = dt.datetime(2026, 12, 25, 10, 0)  # a Friday and a public holiday
ORDINARY_TUESDAY = dt.datetime(2026, 12, 22, 10, 0)


def _service(id_: str, **values) -> dict:
    base = {
        "id": id_, "name_sl": id_, "name_en": id_, "description_sl": "", "description_en": "", "provider": "",
        "category": "counselling", "target_groups": ["older"], "location_type": "site", "price_type": "free",
        "exemption_possible": False, "opening_hours": "",
    }
    return base | values


SMALL = pd.DataFrame(
    [
        _service("weekday", category="home_care", target_groups=["older"], price_type="paid",
                 exemption_possible=True, opening_hours="Mo-Fr 07:00-17:00; PH unknown", location_type="area"),
        _service("for-all", category="health_prevention", target_groups=["general"], opening_hours="24/7"),
        _service("youth", category="day_activities", target_groups=["children_youth", "families"],
                 opening_hours="Sa 09:00-12:00", name_sl="Dnevni center Petka"),
        _service("no-hours", category="day_activities", target_groups=["older"], price_type="unknown"),
        _service("closed-ph", category="counselling", target_groups=["social_risk"], location_type="office",
                 price_type="not_applicable", opening_hours="Mo-Fr 08:00-12:00; PH off"),
    ],
    index=[5, 3, 9, 1, 7],  # an unsorted index: results must keep labels and order
)


def _ids(frame: pd.DataFrame) -> list[str]:
    return frame["id"].tolist()


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return directory.directory_table(settings.data_dir())


# --- Filters value -------------------------------------------------------------------------------

def test_defaults_keep_everything_in_order_with_empty_hours_state():
    result = filters.apply(SMALL, Filters(), "sl")
    assert list(result.index) == [5, 3, 9, 1, 7]
    assert result["hours_state"].tolist() == [""] * 5
    assert Filters().is_default()


def test_lists_become_tuples_in_vocabulary_order():
    chosen = Filters(categories=["day_activities", "home_care", "home_care"], target_groups="older")
    assert chosen.categories == ("home_care", "day_activities")
    assert chosen.target_groups == ("older",)
    assert hash(chosen) == hash(Filters(categories=("home_care", "day_activities"), target_groups=("older",)))


@pytest.mark.parametrize(
    "bad", [{"hours": "sometimes"}, {"categories": ("home_care", "knitting")}, {"at": "2026-01-01"}]
)
def test_invalid_values_in_code_are_rejected_with_the_value_named(bad):
    with pytest.raises(ValueError, match="sometimes|knitting|2026-01-01"):
        Filters(**bad)


# --- facets --------------------------------------------------------------------------------------

def test_categories_are_or_ed():
    assert _ids(filters.apply(SMALL, Filters(categories=("home_care", "day_activities")), "sl")) == [
        "weekday", "youth", "no-hours"]


def test_target_groups_match_any_chosen_group_and_general_matches_every_choice():
    assert _ids(filters.apply(SMALL, Filters(target_groups=("families",)), "sl")) == ["for-all", "youth"]
    assert _ids(filters.apply(SMALL, Filters(target_groups=("older", "social_risk")), "sl")) == [
        "weekday", "for-all", "no-hours", "closed-ph"]
    assert _ids(filters.apply(SMALL, Filters(target_groups=("general",)), "sl")) == ["for-all"]


def test_price_exemption_location_type_and_text():
    assert _ids(filters.apply(SMALL, Filters(price_types=("free", "unknown")), "sl")) == ["for-all", "youth", "no-hours"]
    assert _ids(filters.apply(SMALL, Filters(exemption_only=True), "sl")) == ["weekday"]
    assert _ids(filters.apply(SMALL, Filters(location_types=("office", "area")), "sl")) == ["weekday", "closed-ph"]
    assert _ids(filters.apply(SMALL, Filters(text="dnevn"), "en")) == ["youth"]


def test_facets_are_and_ed():
    chosen = Filters(categories=("day_activities",), target_groups=("older",))
    assert _ids(filters.apply(SMALL, chosen, "sl")) == ["no-hours"]


# --- hours ---------------------------------------------------------------------------------------

def test_public_holiday_makes_weekday_hours_unknown_not_open():
    assert hours.is_public_holiday(CHRISTMAS_2026.date())
    result = filters.apply(SMALL, Filters(hours="open_at", at=CHRISTMAS_2026), "sl").set_index("id")["hours_state"]
    assert result.to_dict() == {"weekday": "unknown", "for-all": "open", "no-hours": "unknown"}
    # "PH off" closes on the holiday, so that service is dropped.


def test_ordinary_weekday_is_open_and_evening_closed():
    morning = filters.apply(SMALL, Filters(hours="open_at", at=ORDINARY_TUESDAY), "sl").set_index("id")["hours_state"]
    assert morning.to_dict() == {"weekday": "open", "for-all": "open", "no-hours": "unknown", "closed-ph": "open"}
    evening = filters.apply(SMALL, Filters(hours="open_at", at=ORDINARY_TUESDAY.replace(hour=20)), "sl")
    assert _ids(evening) == ["for-all", "no-hours"]


def test_unknown_hours_can_be_excluded():
    chosen = Filters(hours="open_at", at=CHRISTMAS_2026, include_unknown_hours=False)
    assert _ids(filters.apply(SMALL, chosen, "sl")) == ["for-all"]


def test_open_now_uses_the_given_time_and_the_real_clock_without_one(monkeypatch):
    assert _ids(filters.apply(SMALL, Filters(hours="open_now", at=ORDINARY_TUESDAY, include_unknown_hours=False), "sl")) == [
        "weekday", "for-all", "closed-ph"]
    monkeypatch.setattr(hours, "local_now", lambda: dt.datetime(2026, 12, 26, 10, 0))  # Saturday
    assert _ids(filters.apply(SMALL, Filters(hours="open_now", include_unknown_hours=False), "sl")) == ["for-all", "youth"]


def test_aware_time_is_read_as_koper_time():
    utc = dt.datetime(2026, 12, 22, 16, 30, tzinfo=dt.timezone.utc)  # 17:30 in Koper: after 17:00
    state = filters.apply(SMALL, Filters(hours="open_at", at=utc), "sl").set_index("id")["hours_state"]
    assert "weekday" not in state.index and state["for-all"] == "open"


def test_weekend_and_always_modes():
    weekend = filters.apply(SMALL, Filters(hours="weekend"), "sl").set_index("id")["hours_state"]
    assert weekend.to_dict() == {"for-all": "open", "youth": "open", "no-hours": "unknown"}
    strict = Filters(hours="weekend", include_unknown_hours=False)
    assert _ids(filters.apply(SMALL, strict, "sl")) == ["for-all", "youth"]
    always = Filters(hours="always", include_unknown_hours=False)
    assert _ids(filters.apply(SMALL, always, "sl")) == ["for-all"]


def test_real_directory_christmas_keeps_day_centre_as_unknown(table):
    result = filters.apply(table, Filters(hours="open_at", at=CHRISTMAS_2026), "sl").set_index("id")
    assert result.loc["day-care-oljka", "hours_state"] == "unknown"
    assert result.loc["remote-alarm", "hours_state"] == "open"
    assert "open" not in set(result.loc[result["opening_hours"] == "Mo-Fr 07:00-17:00; PH unknown", "hours_state"])


# --- counts --------------------------------------------------------------------------------------

def test_counts_hand_checked_on_small_table():
    result = filters.counts(SMALL, Filters(target_groups=("older",)), "sl")
    # others applied = target group older (with general): weekday, for-all, no-hours
    assert result["category"] == {
        "home_care": 1, "day_activities": 1, "residential": 0, "financial_aid": 0,
        "counselling": 0, "crisis": 0, "health_prevention": 1,
    }
    # the target-group facet ignores its own choice: all five services are counted
    assert result["target_group"] == {
        "older": 3, "disability_mental_health": 1, "children_youth": 2, "families": 2,
        "homeless": 1, "violence_victims": 1, "social_risk": 2, "general": 1,
    }
    assert result["price_type"] == {"free": 1, "paid": 1, "not_applicable": 0, "unknown": 1}
    assert result["location_type"] == {"site": 2, "area": 1, "office": 0, "confidential": 0}


FACET_FIELDS = {"category": "categories", "target_group": "target_groups",
                "price_type": "price_types", "location_type": "location_types"}
COMBOS = [
    Filters(),
    Filters(categories=("day_activities",), target_groups=("older",)),
    Filters(target_groups=("families", "children_youth"), price_types=("free",)),
    Filters(hours="open_at", at=CHRISTMAS_2026, include_unknown_hours=False, location_types=("site", "area")),
    Filters(text="koper", exemption_only=True),
]


@pytest.mark.parametrize("chosen", COMBOS, ids=range(len(COMBOS)))
def test_each_count_equals_the_result_of_choosing_that_value(table, chosen):
    result = filters.counts(table, chosen, "en")
    assert set(result) == set(FACET_FIELDS)
    for facet, field_name in FACET_FIELDS.items():
        vocabulary = filters.FACETS[facet]
        assert list(result[facet]) == list(vocabulary)
        for value in vocabulary:
            expected = len(filters.apply(table, Filters(**(vars(chosen) | {field_name: (value,)})), "en"))
            assert result[facet][value] == expected, (facet, value)


def test_counts_are_not_trivial_on_real_data(table):
    result = filters.counts(table, Filters(), "sl")
    assert sum(result["category"].values()) == len(table) == 36
    assert result["location_type"]["confidential"] == 3
    assert result["target_group"]["older"] > result["target_group"]["homeless"] > 0


# --- links ---------------------------------------------------------------------------------------

EXAMPLE = Filters(
    categories=("home_care", "day_activities"), target_groups=("older",), hours="open_at",
    at=dt.datetime(2026, 11, 21, 10, 0), include_unknown_hours=True, price_types=("free",),
    exemption_only=True, text="cajanke", location_types=("site",),
)


def test_query_params_are_compact_and_stable():
    assert filters.to_query_params(EXAMPLE) == {
        "cat": "home_care,day_activities", "grp": "older", "hours": "open_at", "at": "2026-11-21T10:00",
        "unk": "1", "price": "free", "exempt": "1", "q": "cajanke", "type": "site",
    }
    assert filters.to_query_params(Filters()) == {}
    assert filters.to_query_params(Filters(hours="open_now", at=ORDINARY_TUESDAY, include_unknown_hours=False)) == {
        "hours": "open_now", "unk": "0"}  # "now" is the time the link is opened


def test_query_params_round_trip():
    for chosen in [EXAMPLE, Filters(), *COMBOS[1:3], Filters(hours="weekend", include_unknown_hours=False)]:
        assert filters.from_query_params(filters.to_query_params(chosen)) == chosen


def test_parsing_repeated_and_list_values_takes_the_last():
    parsed = filters.from_query_params({"cat": ["crisis", "home_care"], "q": ["a", "b"]})
    assert parsed.categories == ("home_care",) and parsed.text == "b"


def test_unknown_values_are_dropped_and_bad_dates_become_none():
    parsed = filters.from_query_params(
        {"cat": "home_care,knitting,,HOME_CARE", "grp": "aliens", "hours": "open_at", "at": "2026-13-45T99:00",
         "unk": "maybe", "price": "free,gratis", "exempt": "perhaps", "type": "site,moon"}
    )
    assert parsed == Filters(categories=("home_care",), hours="open_at", at=None, price_types=("free",),
                             location_types=("site",))


GARBAGE = [
    None, [], "cat=home_care", 42, {"hours": 5}, {"cat": None}, {"cat": 3.5}, {"at": "yesterday", "hours": "open_at"},
    {"hours": "always'; DROP TABLE", "unk": ""}, {"q": "x" * 10_000}, {"q": "a\x00b\nc"}, {"cat": [None, 7]},
    {"at": ["2026-01-01T10:00"], "hours": ["open_at"]}, {"exempt": ["1", None]}, {"grp": ","}, {1: 2},
]


@pytest.mark.parametrize("params", GARBAGE, ids=range(len(GARBAGE)))
def test_parsing_never_raises(params):
    parsed = filters.from_query_params(params)
    assert isinstance(parsed, Filters)
    assert len(parsed.text) <= filters.MAX_TEXT_LENGTH
    assert parsed.text.isprintable()


def test_garbage_gives_sensible_values():
    assert filters.from_query_params({"q": "a\x00b\nc"}).text == "a b c"
    assert filters.from_query_params({"at": ["2026-01-01T10:00"], "hours": ["open_at"]}).at == dt.datetime(2026, 1, 1, 10)
    assert filters.from_query_params({"exempt": ["1", None]}).exemption_only is False
    # a time without the open_at mode is meaningless and ignored
    assert filters.from_query_params({"at": "2026-01-01T10:00"}).at is None
    # every vocabulary value survives a trip through a link
    every = Filters(categories=model.CATEGORIES, target_groups=model.TARGET_GROUPS,
                    price_types=model.PRICE_TYPES, location_types=model.LOCATION_TYPES)
    assert filters.from_query_params(filters.to_query_params(every)) == every


def test_modes_and_flags_round_trip_exhaustively():
    for mode, unknown, exempt in itertools.product(filters.HOURS_MODES, (True, False), (True, False)):
        at = dt.datetime(2026, 5, 4, 9, 30) if mode == "open_at" else None
        chosen = Filters(hours=mode, at=at, include_unknown_hours=unknown or mode == "any", exemption_only=exempt)
        assert filters.from_query_params(filters.to_query_params(chosen)) == chosen


def test_aware_times_are_stored_and_linked_as_koper_wall_clock():
    chosen = Filters(hours="open_at", at=dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.timezone.utc))
    assert chosen.at == dt.datetime(2026, 7, 1, 10, 0)  # summer time, UTC+2
    assert filters.to_query_params(chosen)["at"] == "2026-07-01T10:00"
    assert filters.from_query_params({"hours": "open_at", "at": "2026-07-01T08:00+00:00"}).at == chosen.at


# --- hostile links: bounded, validated, never an exception ----------------------------------------

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize("at", [
    "0001-01-01T00:00+14:00",  # OverflowError in astimezone before
    "9999-12-31T23:59-14:00",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2030-01-01T10:00",  # more than two years away
    "1900-06-01T10:00",
    "2026-12-24T10:00" + " " * 100 + "x",
    "2026-12-24T10:00+00:00" * 1000,
])
def test_absurd_or_overflowing_times_in_a_link_are_dropped(at):
    parsed = filters.from_query_params({"hours": "open_at", "at": at}, today=TODAY)
    assert parsed == Filters(hours="open_at", at=None)


def test_times_near_today_in_a_link_are_kept():
    near = {"2024-12-01T10:00": dt.datetime(2024, 12, 1, 10), "2028-06-30T23:59": dt.datetime(2028, 6, 30, 23, 59),
            "2026-12-24T09:00+01:00": dt.datetime(2026, 12, 24, 9)}
    for text, expected in near.items():
        assert filters.from_query_params({"hours": "open_at", "at": text}, today=TODAY).at == expected


def test_the_reported_overflow_link_opens_as_open_at_without_a_time():
    # ?hours=open_at&at=0001-01-01T00:00%2B14:00, as st.query_params.to_dict() hands it over
    parsed = filters.from_query_params({"hours": "open_at", "at": "0001-01-01T00:00+14:00"})
    assert parsed.hours == "open_at" and parsed.at is None
    assert filters.hours_states(SMALL, parsed).isin(["open", "closed", "unknown"]).all()


def test_huge_and_duplicated_list_values_are_bounded_and_deduplicated():
    import time

    huge = ",".join(["home_care"] * 10_000 + ["crisis"])
    started = time.perf_counter()
    parsed = filters.from_query_params({"cat": huge, "grp": ["older"] * 10_000, "type": "site," * 50_000,
                                        "price": "free," + "x" * 200_000, "q": "č" * 100_000}, today=TODAY)
    assert time.perf_counter() - started < 0.5
    assert parsed.categories == ("home_care",)  # de-duplicated; "crisis" lies beyond the bound
    assert parsed.target_groups == ("older",) and parsed.location_types == ("site",)
    assert parsed.price_types == ("free",)
    assert parsed.text == "č" * filters.MAX_TEXT_LENGTH
    assert len(str(filters.to_query_params(parsed))) < 400
    every = ",".join(model.CATEGORIES * 3)
    assert filters.from_query_params({"cat": every}).categories == model.CATEGORIES


def test_link_time_is_the_one_reader_of_times_in_links():
    assert filters.link_time("2026-12-24T10:00", today=TODAY) == dt.datetime(2026, 12, 24, 10)
    assert filters.link_time("2026-07-01T08:00+00:00", today=TODAY) == dt.datetime(2026, 7, 1, 10)
    for bad in ("0001-01-01T00:00+14:00", "3026-12-24T10:00", "", "noon", None, 5, ["2026-12-24T10:00"]):
        assert filters.link_time(bad, today=TODAY) is None


def test_the_text_filter_finds_services_by_the_words_people_use():
    # geo.search's lemmas and synonyms reach every page through filters.apply and counts.
    from geo import directory, settings

    table = directory.directory_table(settings.PROJECT_DIR / "data")
    found = filters.apply(table, Filters(text="brezdomci"), "sl")
    assert set(found["id"]) == {"homeless-shelter", "homeless-housing-support", "caritas-help-for-homeless"}
    assert filters.counts(table, Filters(text="lawyer"), "en")["category"]["counselling"] == 1
    assert set(filters.apply(table, Filters(text="kosilo", target_groups=("older",)), "sl")["id"]) == {
        "meals-on-wheels", "municipal-financial-aid"}

"""geo.answer: at a moment, closed services are kept with their next opening, unknown ones apart,
home-delivered services first when the need is one of them."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo import answer, directory, filters, i18n, settings
from geo.filters import Filters

SATURDAY_10 = dt.datetime(2026, 11, 28, 10, 0)
TUESDAY_10 = dt.datetime(2026, 12, 1, 10, 0)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return directory.directory_table(settings.PROJECT_DIR / "data")


def _ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["id"])


def test_closed_services_are_kept_with_their_next_opening_where_apply_drops_them(table):
    chosen = Filters(categories=("day_activities",), hours="open_at", at=SATURDAY_10)
    dropped = filters.apply(table, chosen, "en")
    kept = answer.matching(table, chosen, "en", SATURDAY_10).set_index("id")
    assert not {"day-activities-centre", "day-care-oljka"} & set(dropped["id"])
    for centre in ("day-activities-centre", "day-care-oljka"):
        assert kept.loc[centre, answer.STATE_COLUMN] == "closed"
        assert kept.loc[centre, answer.OPENS_COLUMN] == dt.datetime(2026, 11, 30, 7, 0)  # Monday 07:00
    assert (kept.loc[kept[answer.STATE_COLUMN] != "closed", answer.OPENS_COLUMN].isna()).all()
    assert set(kept.index) == set(dropped["id"]) | {"day-activities-centre", "day-care-oljka"}


def test_unknown_hours_can_be_left_out_but_closed_ones_stay(table):
    chosen = Filters(categories=("day_activities",), hours="open_at", at=SATURDAY_10, include_unknown_hours=False)
    kept = answer.matching(table, chosen, "en", SATURDAY_10)
    assert set(kept[answer.STATE_COLUMN]) == {"closed"}
    assert _ids(kept) == {"day-activities-centre", "day-care-oljka"}


def test_without_a_timed_filter_the_rows_are_applys_with_their_state_at_the_moment(table):
    chosen = Filters(categories=("day_activities",))
    kept = answer.matching(table, chosen, "en", TUESDAY_10)
    assert list(kept.index) == list(filters.apply(table, chosen, "en").index)
    assert kept.set_index("id").loc["day-care-oljka", answer.STATE_COLUMN] == "open"


def test_split_sorts_rows_into_the_parts_of_the_answer(table):
    chosen = Filters(categories=("day_activities", "home_care"), hours="open_at", at=SATURDAY_10)
    parts = answer.split(answer.matching(table, chosen, "en", SATURDAY_10), chosen)
    assert _ids(parts.closed) == {"day-activities-centre", "day-care-oljka"}
    assert parts.open.empty
    assert "cajanke" in _ids(parts.unknown) and not parts.unknown["location_type"].eq("area").any()
    assert _ids(parts.home) == {"home-help", "meals-on-wheels", "remote-alarm", "vitica-accompaniment", "prostofer"}
    assert "self-help-groups" in _ids(parts.elsewhere)  # delivered in the community, not at home
    assert parts.home_first  # home care is one of the needs


def test_information_is_never_a_service_in_any_part(table):
    parts = answer.split(answer.matching(table, Filters(), "en", TUESDAY_10), Filters())
    assert _ids(parts.information) == {"co-financed-social-programmes"}
    every = pd.concat([parts.open, parts.closed, parts.unknown, parts.home, parts.elsewhere, parts.by_phone])
    assert "co-financed-social-programmes" not in _ids(every)
    assert len(every) + len(parts.information) == len(table)


def test_an_older_file_without_delivery_counts_every_area_service_as_home(table):
    old = table.drop(columns=[c for c in ("delivery", "record_kind") if c in table.columns])
    assert answer.comes_home(old).sum() == (old["location_type"] == "area").sum()
    assert not answer.is_information(old).any()


def _parts(home: int, places: int) -> answer.Parts:
    row = pd.DataFrame({"id": ["x"]})
    return answer.Parts(open=pd.concat([row] * places) if places else row.iloc[0:0], closed=row.iloc[0:0], unknown=row.iloc[0:0],
                        home=pd.concat([row] * home) if home else row.iloc[0:0], elsewhere=row.iloc[0:0],
                        by_phone=row.iloc[0:0], information=row.iloc[0:0], home_first=False)


@pytest.mark.parametrize(("chosen", "home", "places", "first"), [
    (Filters(categories=("home_care",)), 5, 9, True),      # the need is care at home
    (Filters(), 5, 0, True),                                # nothing to go to: what comes home is the answer
    (Filters(text="kosilo"), 1, 1, True),                   # a search finding as much home delivery as places
    (Filters(text="center"), 1, 4, False),
    (Filters(), 5, 20, False),                              # the plain default: places first
    (Filters(categories=("home_care",)), 0, 3, False),      # nothing comes home here
])
def test_home_first_rules(chosen, home, places, first):
    assert answer.home_first(chosen, _parts(home, places)) is first


@pytest.mark.parametrize(("lang", "closed", "far"), [
    ("sl", "Zaprto, naslednjič odprto: ponedeljek ob 07:00", "čet., 10. dec. ob 08:00"),
    ("it", "Chiuso, apre lunedì alle 07:00", "gio 10 dic alle 08:00"),
    ("en", "Closed, opens Monday 07:00", "Thu 10 Dec 08:00"),
])
def test_state_text_says_when_a_closed_service_opens_in_the_language(lang, closed, far):
    weekdays = {"opening_hours": "Mo-Fr 07:00-15:00; PH off"}
    assert answer.state_text(weekdays, lang, SATURDAY_10) == closed
    assert answer.state_text(weekdays, lang, TUESDAY_10) == i18n.t("state.open", lang)
    assert answer.state_text({"opening_hours": ""}, lang, SATURDAY_10) == i18n.t("answer.call_first", lang)
    assert answer.opening_text(dt.datetime(2026, 12, 10, 8, 0), lang, SATURDAY_10) == far
    # nothing opens within two weeks: closed, without a made-up time
    assert answer.state_text({"opening_hours": "Dec 25 10:00-12:00"}, lang, SATURDAY_10) == i18n.t(
        "answer.closed_later", lang)


def test_state_text_reads_the_state_matching_computed():
    record = {"opening_hours": "Mo-Fr 07:00-15:00", answer.STATE_COLUMN: "closed",
              answer.OPENS_COLUMN: dt.datetime(2026, 12, 1, 7, 0)}
    assert answer.state_text(record, "en", SATURDAY_10) == "Closed, opens Tuesday 07:00"

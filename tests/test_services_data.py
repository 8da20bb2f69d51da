"""The shipped directory is true to its sources: every phone, e-mail, street and price
in data/services.csv appears in the source lines the record cites."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import phonenumbers
import pytest

from geo import hours, load, model, settings

SERVICES = load.load_services(settings.PROJECT_DIR / "data")
GENERIC_STREET_WORDS = {"ulica", "cesta", "trg", "pot", "pri", "zore"}


def source_text(record) -> str:
    """The lines of the source document that the record cites (``source_lines``), joined."""
    path = settings.SHARED_DIR / record["source"]
    if not path.is_file():
        pytest.skip(f"source document {path} is not beside the checkout")
    lines = path.read_text(encoding="utf-8").splitlines()
    wanted: list[str] = []
    for part in record["source_lines"].split(","):
        lo, _, hi = part.partition("-")
        wanted += lines[int(lo) - 1 : int(hi or lo)]
    return "\n".join(wanted)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


RECORDS = SERVICES.to_dict("records")
IDS = [r["id"] for r in RECORDS]


def test_the_directory_lists_every_service_of_the_source():
    assert len(SERVICES) == 36
    assert SERVICES["location_type"].value_counts().to_dict() == {
        "site": 17,
        "area": 11,
        "office": 5,
        "confidential": 3,
    }
    assert set(SERVICES["category"]) == set(model.CATEGORIES)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_phone_is_in_the_cited_passage(record):
    text = source_text(record)
    found = {
        phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        for m in phonenumbers.PhoneNumberMatcher(text, "SI", leniency=phonenumbers.Leniency.POSSIBLE)
    }
    assert set(record["phones"]) <= found, f"not in the cited lines: {set(record['phones']) - found}"


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_email_and_website_is_in_the_cited_passage(record):
    text = source_text(record).lower()
    for email in record["emails"]:
        assert email.lower() in text
    if record["website"]:
        assert record["website"].lower() in text


@pytest.mark.parametrize("record", [r for r in RECORDS if r["address"]], ids=[r["id"] for r in RECORDS if r["address"]])
def test_the_address_is_in_the_cited_passage(record):
    text = _fold(source_text(record))
    street, _, place = record["address"].partition(",")
    words = [w for w in re.split(r"[\s\-]+", _fold(street)) if w.isalpha() and w not in GENERIC_STREET_WORDS]
    for word in words:
        assert word[:-1] in text, f"{word!r} of {record['address']!r} not in the cited lines"
    number = re.search(r"\d+(?: ?[A-Z])?$", street)
    if number:
        assert re.search(rf"\b{re.escape(number.group(0))}\b", source_text(record))
    assert place.split()[0] in text  # the postcode


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_price_is_in_the_cited_passage(record):
    text = source_text(record)
    for amount in re.findall(r"\d+,\d{2} EUR", record["price_sl"]):
        assert amount in text


def test_confidential_services_have_no_location_and_a_phone():
    confidential = SERVICES[SERVICES["location_type"] == "confidential"]
    assert len(confidential) == 3
    assert (confidential["address"] == "").all()
    assert (confidential["provider_address"] == "").all()
    assert confidential["phones"].map(len).min() >= 1


def test_services_listed_twice_keep_both_versions_in_a_note():
    by_id = SERVICES.set_index("id")
    assert "Krožna cesta 5" in by_id.loc["remote-alarm", "note_sl"]
    assert "Mladinska ulica 6" in by_id.loc["self-help-groups", "note_sl"]
    assert "05 639 39 32" in by_id.loc["day-activities-centre", "note_en"]  # the older landline, noted
    assert "Krpanova ulica 13" in by_id.loc["day-activities-centre", "note_sl"]  # the older seat, noted


def test_costs_moved_to_the_state_are_stated():
    by_id = SERVICES.set_index("id")
    assert "2021" in by_id.loc["health-insurance-contribution", "note_sl"]
    assert "2022" in by_id.loc["family-assistant", "note_en"]


MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0)
SATURDAY_10 = dt.datetime(2026, 11, 21, 10, 0)
CHRISTMAS_10 = dt.datetime(2026, 12, 25, 10, 0)


@pytest.mark.parametrize(
    "service_id, when, expected",
    [
        ("remote-alarm", SATURDAY_10, "open"),  # 24 hours, every day of the year
        ("remote-alarm", CHRISTMAS_10, "open"),
        ("day-care-oljka", MONDAY_10, "open"),  # Monday-Friday 7-17
        ("day-care-oljka", SATURDAY_10, "closed"),
        ("day-care-oljka", CHRISTMAS_10, "unknown"),  # the source says nothing of holidays
        ("vitica-accompaniment", dt.datetime(2026, 11, 23, 15, 30), "closed"),  # Mo-Fr 7-15
        ("meals-on-wheels", SATURDAY_10, "unknown"),  # every day of the year, time not stated
        ("self-help-groups", MONDAY_10, "unknown"),  # once a week on a set timetable
        ("cajanke", MONDAY_10, "unknown"),  # once a month on set dates
        ("care-home-danica", MONDAY_10, "unknown"),  # the source gives no hours
    ],
)
def test_hours_are_represented_faithfully(service_id, when, expected):
    expression = SERVICES.set_index("id").loc[service_id, "opening_hours"]
    assert hours.state_at(expression, when) == expected


def test_no_service_is_open_at_a_time_its_source_does_not_give():
    without_hours = SERVICES[SERVICES["opening_hours"] == ""]
    assert len(without_hours) > 15
    assert all(hours.state_at("", MONDAY_10) == "unknown" for _ in without_hours.index)
    weekly = SERVICES.set_index("id").loc[["self-help-groups", "cajanke"], "hours_note_en"]
    assert list(weekly) == ["Once a week, on a set timetable.", "Once a month, on set dates."]

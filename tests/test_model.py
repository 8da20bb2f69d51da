"""Schema validation names the file, the row and the field of every problem."""
from __future__ import annotations

import pandas as pd
import pytest

from geo import model
from geo.errors import DataValidationError


def _valid_row(**overrides) -> dict:
    row = {name: "" for name in model.FIELD_NAMES}
    row.update(
        id="day-centre",
        name_sl="Dnevni center",
        category="day_activities",
        target_groups="older",
        location_type="site",
        record_kind="service",
        service_area="koper",
        provider="Izvajalec",
        address="Krožna cesta 5, 6000 Koper",
        phones="+38656659744",
        price_type="unknown",
        source="seeds/000_8a7edbb9f3e1913f.txt",
        source_lines="225-244",
        last_verified="2026-11-23",
    )
    row.update(overrides)
    return row


def _problems(*rows: dict) -> list[str]:
    return [str(p) for p in model.validate_services(pd.DataFrame(list(rows)), "services.csv")]


def test_a_valid_row_has_no_problems():
    assert _problems(_valid_row()) == []


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("category", "spa", "field 'category': must be one of"),
        ("target_groups", "older;pets", "unknown value(s) pets"),
        ("phones", "05 665 97 44", "must be in E.164 form"),
        ("phones", "+38612", "not a valid number"),
        ("emails", "info(at)odu.si", "not an e-mail address"),
        ("website", "javascript:alert(1)", "must be a web address"),
        ("opening_hours", "Mon to Fri 7-15", "not valid OpenStreetMap opening_hours"),
        ("last_verified", "23. 11. 2026", "must be a date as YYYY-MM-DD"),
        ("exemption_possible", "maybe", "expected true or false"),
        ("id", "Day Centre", "lower-case letters"),
        ("name_sl", "", "is required"),
    ],
)
def test_each_bad_cell_is_reported_with_file_row_and_field(field, value, expected):
    second = _valid_row(id="second")
    second[field] = value
    problems = _problems(_valid_row(), second)
    assert len(problems) >= 1
    assert problems[0].startswith(f"services.csv, row 3, field '{field}'")
    assert expected in problems[0]


def test_a_confidential_service_with_an_address_is_rejected_without_echoing_it():
    problems = _problems(_valid_row(location_type="confidential", address="Skrivna ulica 1"))
    assert any("must not have an address" in p for p in problems)
    assert not any("Skrivna" in p for p in problems)


def test_cross_field_rules():
    assert any("needs an address" in p for p in _problems(_valid_row(address="")))
    assert any("field 'service_area': is required" in p for p in _problems(_valid_row(service_area="")))
    assert any("duplicate id" in p for p in _problems(_valid_row(), _valid_row()))


def test_missing_column_is_reported_on_the_header_row():
    frame = pd.DataFrame([_valid_row()]).drop(columns=["category"])
    assert model.validate_services(frame)[0].row == 1
    assert "column is missing" in str(model.validate_services(frame)[0])


def test_parse_services_types_lists_and_raises_with_every_problem():
    typed = model.parse_services(pd.DataFrame([_valid_row(phones="+38656659744; +38641665495")]))
    assert typed.loc[0, "phones"] == ["+38656659744", "+38641665495"]
    assert typed.loc[0, "exemption_possible"] == False  # noqa: E712 (numpy bool)
    with pytest.raises(DataValidationError) as caught:
        model.parse_services(pd.DataFrame([_valid_row(category="x", phones="123")]))
    assert {p.field for p in caught.value.problems} == {"category", "phones"}


@pytest.mark.parametrize(
    "raw, e164, shown",
    [
        ("+386 5 665 97 97", "+38656659797", "(05) 665 97 97"),
        ("05/6659744", "+38656659744", "(05) 665 97 44"),
        ("080/10 10", "+386801010", "080 1010"),
        ("+386 41 306 896", "+38641306896", "041 306 896"),
    ],
)
def test_phone_numbers_normalise_to_e164_and_display_readably(raw, e164, shown):
    assert model.normalise_phone(raw) == e164
    assert model.display_phone(e164) == shown


def test_an_invalid_phone_number_names_itself():
    with pytest.raises(ValueError, match="'12'"):
        model.normalise_phone("12")


def test_school_holiday_hours_are_refused_with_the_reason_and_the_alternative():
    problems = _problems(_valid_row(opening_hours="Mo-Fr 08:00-15:00; SH off"))
    assert len(problems) == 1
    assert "row 2, field 'opening_hours'" in problems[0]
    assert "SH (school holidays)" in problems[0] and "no Slovene school-holiday calendar" in problems[0]
    assert "Write the dates instead" in problems[0] and "hours_note" in problems[0]
    with pytest.raises(DataValidationError, match="school holidays"):
        model.parse_services(pd.DataFrame([_valid_row(opening_hours="SH Mo-Fr 08:00-12:00")]))
    assert _problems(_valid_row(opening_hours='Mo-Fr 08:00-15:00 "not in SH weeks, ask"')) == []


def test_an_area_service_must_say_how_it_is_delivered():
    problems = _problems(_valid_row(location_type="area", address=""))
    assert problems == [
        "services.csv, row 2, field 'delivery': an area service must say how it is delivered: one of home, community, accommodation"
    ]
    for kind in model.DELIVERY_KINDS:
        assert _problems(_valid_row(location_type="area", delivery=kind)) == []
    assert any("must be one of: home, community, accommodation" in p for p in _problems(_valid_row(location_type="area", delivery="anywhere")))


def test_only_area_services_have_a_delivery_kind():
    problems = _problems(_valid_row(delivery="home"))
    assert len(problems) == 1 and "row 2, field 'delivery'" in problems[0] and "only area services" in problems[0]


def test_every_record_says_what_it_is_and_which_area_it_serves():
    assert model.DELIVERY_KINDS == ("home", "community", "accommodation") and model.HOME == "home"
    assert model.RECORD_KINDS == ("service", "information")
    assert any("field 'record_kind': is required" in p for p in _problems(_valid_row(record_kind="")))
    assert any("field 'record_kind': must be one of" in p for p in _problems(_valid_row(record_kind="advert")))
    assert any("field 'service_area': unknown value(s) izola" in p for p in _problems(_valid_row(service_area="koper;izola")))
    assert _problems(_valid_row(service_area="koper;ankaran")) == []
    frame = pd.DataFrame([_valid_row()]).drop(columns=["record_kind"])
    assert [str(p) for p in model.validate_services(frame)] == [
        "services.csv, row 1, field 'record_kind': column is missing from the header"
    ]


def test_an_information_record_needs_no_delivery_and_may_not_claim_one():
    info = _valid_row(location_type="area", address="", record_kind="information")
    assert _problems(info) == []
    problems = _problems({**info, "delivery": "community"})
    assert len(problems) == 1 and "an information record is not delivered" in problems[0]

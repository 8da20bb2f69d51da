"""The HSDS export validates against the official HSDS 3.0 schema (../shared/reference/hsds-3.0).

The schema is Open Referral's, read from the shared reference folder beside the repository (CI
has it there; see .ci/run). Each class of fault the validator must catch is shown failing on a
spoiled copy, so a validator that accepts everything fails these tests.
"""
from __future__ import annotations

import datetime as dt
import json
import os

import pandas as pd
import pytest

from geo import directory, hsds, hsds_schema, settings

HSDS_DIR = settings.REFERENCE_DIR / "hsds-3.0"
SCHEMA_DIR = HSDS_DIR / "schema"

if not SCHEMA_DIR.is_dir():  # pragma: no cover - depends on the checkout
    if os.environ.get("CI"):
        raise RuntimeError(f"the HSDS 3.0 schema is missing at {SCHEMA_DIR}; CI must have ../shared beside the clone")
    pytest.skip("../shared/reference/hsds-3.0 is not beside the repository", allow_module_level=True)


@pytest.fixture(scope="module")
def directory_table() -> pd.DataFrame:
    return directory.directory_table(settings.PROJECT_DIR / "data")


@pytest.fixture(scope="module", params=["sl", "it", "en"])
def tables(request, directory_table) -> dict[str, pd.DataFrame]:
    return hsds.hsds_tables(directory_table, request.param, today=dt.date(2026, 12, 1))


def test_the_export_of_the_embedded_data_is_valid_hsds_3(tables):
    assert hsds_schema.problems(tables, SCHEMA_DIR) == []


def test_the_export_is_valid_across_a_summer_time_change(directory_table):
    tables = hsds.hsds_tables(directory_table, "sl", today=dt.date(2027, 3, 28))
    assert hsds_schema.problems(tables, SCHEMA_DIR) == []
    assert {"+02:00"} <= {value[-6:] for value in tables["schedules"]["opens_at"] if value}


def spoiled(tables: dict[str, pd.DataFrame], name: str, row: int, column: str, value: object) -> dict[str, pd.DataFrame]:
    copy = {key: frame.copy() for key, frame in tables.items()}
    copy[name].loc[row, column] = value
    return copy


@pytest.mark.parametrize(
    ("name", "column", "value", "expected"),
    [
        ("addresses", "state_province", "", "'state_province' is a required property"),
        ("schedules", "opens_at", "07:00", "is not HH:MM:SS with Z or a UTC offset"),
        ("schedules", "closes_at", "17:00:00", "is not HH:MM:SS with Z or a UTC offset"),
        ("schedules", "valid_from", "1. 12. 2026", "is not a YYYY-MM-DD date"),
        ("schedules", "freq", "DAILY", "is not one of ['WEEKLY', 'MONTHLY']"),
        ("services", "organization_id", "", "'organization_id' is a required property"),
        ("services", "status", "open", "is not one of"),
        ("services", "last_modified", "2026-11-23", "is not an RFC 3339 date-time"),
        ("services", "id", "birth-grant", "is not a 'uuid'"),
        ("locations", "location_type", "site", "is not one of ['physical', 'postal', 'virtual']"),
        ("phones", "number", "", "'number' is a required property"),
    ],
)
def test_each_kind_of_violation_is_reported(tables, name, column, value, expected):
    found = hsds_schema.problems(spoiled(tables, name, 0, column, value), SCHEMA_DIR)
    assert any(expected in problem and problem.startswith(f"{name}[0]") for problem in found), found


def test_a_column_that_is_not_an_hsds_field_is_reported(tables):
    copy = dict(tables)
    copy["contacts"] = tables["contacts"].assign(degree="univ. dipl. psih.")
    assert "contacts: column 'degree' is not an HSDS contact field" in hsds_schema.problems(copy, SCHEMA_DIR)


def test_datapackage_types_and_keys_follow_the_official_package(tables):
    official = json.loads((HSDS_DIR / "datapackage.json").read_text(encoding="utf-8"))
    official_resources = {resource["name"]: resource for resource in official["resources"]}
    ours = hsds.hsds_datapackage(tables)
    for resource in ours["resources"]:
        reference = official_resources[resource["name"]]
        assert resource["path"] == reference["path"]
        official_types = {field["name"]: field["type"] for field in reference["schema"]["fields"]}
        for field in resource["schema"]["fields"]:
            assert field["type"] == official_types[field["name"]], (resource["name"], field["name"])
        assert resource["schema"]["primaryKey"] == reference["schema"]["primaryKey"] == "id"
        written = {r["name"] for r in ours["resources"]}
        columns = {field["name"] for field in resource["schema"]["fields"]}
        expected = [
            key for key in reference["schema"].get("foreignKeys", [])
            if key["fields"] in columns and key["reference"]["resource"] in written
        ]
        assert sorted(resource["schema"]["foreignKeys"], key=str) == sorted(expected, key=str), resource["name"]


def test_foreign_keys_of_the_datapackage_resolve(tables):
    package = hsds.hsds_datapackage(tables)
    by_resource = {resource["name"]: name for name, resource in zip(tables, package["resources"])}
    for name, resource in zip(tables, package["resources"]):
        for key in resource["schema"]["foreignKeys"]:
            target = tables[by_resource[key["reference"]["resource"]]]["id"]
            values = {value for value in tables[name][key["fields"]] if value}
            assert values <= set(target), (name, key["fields"])


def test_service_area_text_says_at_home_only_for_home_delivered_services(directory_table):
    tables = hsds.hsds_tables(directory_table, "en", today=dt.date(2026, 12, 1))
    services = directory_table.set_index("id")
    by_uuid = {hsds.hsds_id("service", record_id): record_id for record_id in services.index}
    for _, area in tables["service_areas"].iterrows():
        record = services.loc[by_uuid[area["service_id"]]]
        at_home = "home" in area["description"].lower()
        assert at_home == (record.get("delivery") == "home"), (record.name, area["description"])

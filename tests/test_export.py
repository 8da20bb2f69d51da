"""Tests for geo.export: JSON/CSV records, HSDS 3.0 tables, the confidential rule, the CLI.

The input is built here (the shipped services plus made-up coordinates), so the tests
need neither geo.directory nor the network.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import textwrap
import types
import uuid
from pathlib import Path

import pandas as pd
import pytest

import geo
from geo import cli, export, load, safe, settings
from geo import hsds as geo_hsds

REPO_DATA = settings.PROJECT_DIR / "data"
PLACED = ("site", "office")

#: What a wrongly filled confidential row carries; none of it may leave the exporter.
SECRET_ADDRESS = "Tajna ulica 13, 6000 Koper"
SECRET_LAT, SECRET_LON = 45.987123, 13.456789
SECRET_TEXTS = ("Tajna ulica", "987123", "456789", "secret-label", "secret-note", "secret-source", "ks-secret", "Skrivno naselje")


def located(services: pd.DataFrame) -> pd.DataFrame:
    """The services with fake location columns: points for sites and offices, none otherwise."""
    table = services.copy()
    placed = list(table["location_type"].isin(PLACED))
    table["lat"] = pd.Series([round(45.50 + i / 1000, 6) if p else None for i, p in enumerate(placed)], dtype=object)
    table["lon"] = pd.Series([round(13.70 + i / 1000, 6) if p else None for i, p in enumerate(placed)], dtype=object)
    for column, value in (
        ("location_precision", "address"),
        ("location_source", "test"),
        ("location_label", "test label"),
        ("location_note", ""),
        ("area_id", "ks-test"),
        ("area_name", "Koper - Center"),
    ):
        table[column] = [value if p else "" for p in placed]
    return table


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return located(load.load_services(REPO_DATA))


@pytest.fixture(scope="module")
def poisoned(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every confidential row (wrongly) given an address and coordinates."""
    bad = table.copy()
    confidential = bad["location_type"] == "confidential"
    assert confidential.sum() == 3
    bad.loc[confidential, "address"] = SECRET_ADDRESS
    bad.loc[confidential, "provider_address"] = SECRET_ADDRESS
    bad.loc[confidential, "lat"] = SECRET_LAT
    bad.loc[confidential, "lon"] = SECRET_LON
    bad.loc[confidential, "location_precision"] = "address"
    bad.loc[confidential, "location_source"] = "secret-source"
    bad.loc[confidential, "location_label"] = "secret-label"
    bad.loc[confidential, "location_note"] = "secret-note"
    bad.loc[confidential, "area_id"] = "ks-secret"
    bad.loc[confidential, "area_name"] = "Skrivno naselje"
    return bad


#: The day the HSDS fixtures are exported on: schedules run from it to the end of next year.
EXPORT_DAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def hsds(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return geo_hsds.hsds_tables(table, today=EXPORT_DAY)


def services_only(table: pd.DataFrame) -> pd.DataFrame:
    """The rows that are services (a funding call is information, not an HSDS service)."""
    kinds = table["record_kind"] if "record_kind" in table.columns else pd.Series("service", index=table.index)
    return table[kinds.fillna("service").replace("", "service") == "service"]


def by_id(records: list[dict]) -> dict[str, dict]:
    return {record["id"]: record for record in records}


def service_uuid(record_id: str) -> str:
    return geo_hsds.hsds_id("service", record_id)


# --- JSON and CSV -------------------------------------------------------------------


def test_json_holds_every_service_with_the_documented_fields(table):
    records = json.loads(export.records_json(export.export_records(table)))
    assert len(records) == 36
    required = {
        "id", "name_sl", "name_it", "name_en", "category", "target_groups", "provider", "address", "phones",
        "phones_display", "emails", "website", "contact_person", "opening_hours", "hours_note_sl", "hours_note_it",
        "hours_note_en", "price_type", "exemption_possible", "price_sl", "price_it", "price_en", "eligibility_sl",
        "how_to_apply_sl", "note_sl", "location_type", "service_area", "lat", "lon", "location_precision",
        "area_id", "area_name", "source", "source_lines", "last_verified",
    }  # fmt: skip
    assert all(required <= set(record) for record in records)
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)


def test_remote_alarm_record(table):
    alarm = by_id(export.export_records(table))["remote-alarm"]
    assert alarm["opening_hours"] == "24/7"
    assert "+38656634588" in alarm["phones"]
    assert "(05) 663 45 88" in alarm["phones_display"]
    assert isinstance(alarm["target_groups"], list) and alarm["target_groups"]
    assert alarm["service_area"] == ["koper"]
    assert alarm["exemption_possible"] is True
    assert alarm["lat"] is None  # an area service has no point of its own


def test_sites_keep_their_coordinates(table):
    oljka = by_id(export.export_records(table))["day-care-oljka"]
    assert oljka["address"] == "Krožna cesta 5, 6000 Koper"
    assert isinstance(oljka["lat"], float) and isinstance(oljka["lon"], float)
    assert oljka["area_name"] == "Koper - Center"


def test_one_language_export_falls_back_to_slovene():
    services = load.load_services(REPO_DATA)
    services.loc[services["id"] == "birth-grant", "name_en"] = ""
    records = by_id(export.export_records(located(services), lang="en"))
    assert "name" in records["remote-alarm"] and "name_sl" not in records["remote-alarm"]
    assert records["remote-alarm"]["name"] == services.set_index("id").loc["remote-alarm", "name_en"]
    assert records["birth-grant"]["name"] == services.set_index("id").loc["birth-grant", "name_sl"]


def test_csv_joins_lists_and_writes_plain_values(table):
    text = export.records_csv(export.export_records(table))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 36
    alarm = next(row for row in rows if row["id"] == "remote-alarm")
    # the leading "+" is quoted so that a spreadsheet keeps the numbers as text (geo.safe.spreadsheet_cell)
    assert alarm["phones"] == "'+38656634585; +38656634588; +38651357429"
    assert safe.from_spreadsheet_cell(alarm["phones"]) == "+38656634585; +38656634588; +38651357429"
    assert alarm["exemption_possible"] == "true"
    assert alarm["lat"] == ""
    oljka = next(row for row in rows if row["id"] == "day-care-oljka")
    assert float(oljka["lat"]) > 45


def test_output_does_not_depend_on_row_order(table):
    shuffled = table.sample(frac=1, random_state=7).reset_index(drop=True)
    assert export.records_json(export.export_records(shuffled)) == export.records_json(export.export_records(table))
    for name, frame in geo_hsds.hsds_tables(shuffled).items():
        assert frame.to_csv(index=False) == geo_hsds.hsds_tables(table)[name].to_csv(index=False), name


# --- The confidential rule -------------------------------------------------------------


def test_confidential_records_carry_no_location_even_if_the_input_does(poisoned):
    records = [r for r in export.export_records(poisoned) if r["location_type"] == "confidential"]
    assert len(records) == 3
    for record in records:
        assert record["lat"] is None and record["lon"] is None
        for key in ("address", "provider_address", "location_precision", "location_source", "location_label",
                    "location_note", "area_id", "area_name"):  # fmt: skip
            assert record[key] == "", key
        assert record["phones"]  # they stay reachable by phone


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_confidential_location_never_appears_in_json_or_csv(poisoned, tmp_path, fmt):
    out = tmp_path / f"directory.{fmt}"
    assert cli.main(["export", "--format", fmt, "--output", str(out)], table=poisoned) == 0
    text = out.read_text(encoding="utf-8")
    assert "safe-house-kras" in text
    for secret in SECRET_TEXTS:
        assert secret not in text, secret


def test_confidential_location_never_appears_in_any_hsds_file(poisoned, tmp_path):
    assert cli.main(["export", "--format", "hsds", "--output", str(tmp_path)], table=poisoned) == 0
    files = sorted(tmp_path.iterdir())
    assert len(files) == len(geo_hsds.HSDS_COLUMNS) + 1
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in SECRET_TEXTS:
            assert secret not in text, (path.name, secret)
    tables = geo_hsds.hsds_tables(poisoned)
    confidential = {service_uuid(i) for i in ("safe-house-kras", "crisis-centre-marelicna-hisa", "crisis-centre-piran")}
    assert not confidential & set(tables["service_at_location"]["service_id"])
    assert not confidential & set(tables["service_areas"]["service_id"])
    assert confidential <= set(tables["phones"]["service_id"])


# --- HSDS ------------------------------------------------------------------------------


def test_hsds_ids_are_unique_uuids(hsds):
    for name, frame in hsds.items():
        ids = list(frame["id"])
        assert len(ids) == len(set(ids)), name
        for value in ids:
            assert str(uuid.UUID(value)) == value


def test_hsds_foreign_keys_resolve(hsds):
    organizations = set(hsds["organizations"]["id"])
    services = set(hsds["services"]["id"])
    locations = set(hsds["locations"]["id"])
    assert set(hsds["services"]["organization_id"]) <= organizations
    assert set(hsds["service_at_location"]["service_id"]) <= services
    assert set(hsds["service_at_location"]["location_id"]) <= locations
    assert set(hsds["addresses"]["location_id"]) == locations
    for name in ("phones", "schedules", "service_areas", "contacts"):
        assert set(hsds[name]["service_id"]) <= services, name
    assert set(hsds["locations"]["organization_id"]) - {""} <= organizations


def test_hsds_organizations_are_the_distinct_providers(table, hsds):
    services = services_only(table)
    expected = {geo_hsds.organisation_of(provider) for provider in services["provider"]}
    assert sorted(hsds["organizations"]["name"]) == sorted(expected)
    assert len(hsds["services"]) == len(services)
    # No pseudo-organisation ("the competent centre", "lecturers", "associations, institutions").
    assert not any(name.startswith(("Pristojni", "Predavatelji", "Društva")) for name in hsds["organizations"]["name"])
    assert not any(";" in name for name in hsds["organizations"]["name"])


def test_hsds_service_of_a_described_provider_names_its_organisation_and_keeps_the_text(hsds, table):
    services = hsds["services"].set_index("id")
    organisations = hsds["organizations"].set_index("id")["name"]
    rent = services.loc[service_uuid("rent-subsidy")]
    assert organisations[rent["organization_id"]] == "Center za socialno delo Južna Primorska"
    assert "Pristojni center za socialno delo" in rent["description"]
    school = services.loc[service_uuid("parenting-school")]
    assert organisations[school["organization_id"]] == "Mestna občina Koper"
    assert "Predavatelji" in school["description"]


def test_funding_call_is_not_an_hsds_service(hsds, table):
    if "record_kind" not in table.columns:
        pytest.skip("the data has no record_kind column yet")
    assert service_uuid("co-financed-social-programmes") not in set(hsds["services"]["id"])


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Suvada Čatak, univ. dipl. soc. del. (vodja)", ("Suvada Čatak", "vodja")),
        ("Marina Ogrin, univ. dipl. psih.", ("Marina Ogrin", "")),
        ("Miha Bogataj", ("Miha Bogataj", "")),
    ],
)
def test_contact_name_without_degree_and_title_apart(text, parts):
    assert geo_hsds.split_contact(text) == parts


def test_hsds_addresses_carry_the_region_as_state_province(hsds):
    assert set(hsds["addresses"]["state_province"]) == {"Obalno-kraška"}


def test_hsds_service_fields(hsds, table):
    services = hsds["services"].set_index("id")
    oljka = services.loc[service_uuid("day-care-oljka")]
    assert oljka["status"] == "active"
    assert oljka["url"] == "https://www.odu-koper.si"
    assert oljka["email"] == "info@odu.si"
    assert oljka["assured_date"] == "2026-11-23"
    assert oljka["last_modified"] == "2026-11-23T00:00:00Z"
    source = table.set_index("id")
    birth = services.loc[service_uuid("birth-grant")]
    assert birth["name"] == source.loc["birth-grant", "name_sl"]
    assert birth["application_process"] == source.loc["birth-grant", "how_to_apply_sl"]
    assert birth["eligibility_description"] == source.loc["birth-grant", "eligibility_sl"]
    alarm = services.loc[service_uuid("remote-alarm")]
    assert alarm["fees_description"].startswith(source.loc["remote-alarm", "price_sl"])
    assert services.loc[service_uuid("day-activities-centre"), "url"] == "https://sites.google.com/site/cdakoper"
    assert set(services["status"]) == {"active"}


def test_hsds_other_emails_become_contacts(hsds):
    contacts = hsds["contacts"]
    oljka = contacts[contacts["service_id"] == service_uuid("day-care-oljka")]
    assert "sintija.mundar@odu.si" in set(oljka["email"])
    assert "Sintija Munđar" in set(oljka["name"])
    assert not contacts["name"].str.contains("univ|dipl|mag\\.", regex=True).any()


def test_hsds_phones_one_row_per_number(hsds, table):
    assert len(hsds["phones"]) == sum(len(phones) for phones in table["phones"])
    alarm = hsds["phones"][hsds["phones"]["service_id"] == service_uuid("remote-alarm")]
    assert list(alarm["number"]) == ["+38656634585", "+38656634588", "+38651357429"]
    assert list(alarm["type"]) == ["voice", "voice", "cell"]


def test_hsds_locations_and_addresses(hsds, table):
    placed = table[table["location_type"].isin(PLACED)]
    assert sorted(hsds["locations"]["name"]) == sorted(set(placed["address"]))
    assert set(hsds["locations"]["location_type"]) == {"physical"}
    assert len(hsds["service_at_location"]) == len(placed)
    town_hall = hsds["addresses"].set_index("address_1").loc["Verdijeva ulica 10"]
    assert (town_hall["postal_code"], town_hall["city"], town_hall["country"], town_hall["address_type"]) == (
        "6000",
        "Koper",
        "SI",
        "physical",
    )
    location = hsds["locations"].set_index("id").loc[town_hall["location_id"]]
    expected = table.set_index("id").loc["birth-grant"]
    assert (location["latitude"], location["longitude"]) == (expected["lat"], expected["lon"])


def test_hsds_area_services_get_a_service_area_not_a_location(hsds):
    home_help = service_uuid("home-help")
    assert home_help not in set(hsds["service_at_location"]["service_id"])
    areas = hsds["service_areas"][hsds["service_areas"]["service_id"] == home_help]
    assert list(areas["name"]) == ["Mestna občina Koper"]
    assert list(areas["extent_type"]) == ["text"]
    assert areas["description"].iloc[0]


def test_hsds_schedule_of_a_weekday_service_has_local_offsets_for_each_period(hsds):
    rows = hsds["schedules"][hsds["schedules"]["service_id"] == service_uuid("day-care-oljka")]
    got = [(r["valid_from"], r["valid_to"], r["byday"], r["opens_at"], r["closes_at"], r["timezone"]) for _, r in rows.iterrows()]
    assert got == [
        ("2026-12-01", "2027-03-27", "MO,TU,WE,TH,FR", "07:00:00+01:00", "17:00:00+01:00", 1.0),
        ("2027-03-28", "2027-10-30", "MO,TU,WE,TH,FR", "07:00:00+02:00", "17:00:00+02:00", 2.0),
        ("2027-10-31", "2027-12-31", "MO,TU,WE,TH,FR", "07:00:00+01:00", "17:00:00+01:00", 1.0),
    ]
    assert set(rows["freq"]) == {"WEEKLY"}
    assert all("Mo-Fr 07:00-17:00; PH unknown" in text for text in rows["description"])


def test_hsds_schedule_of_a_round_the_clock_service(hsds):
    row = hsds["schedules"][hsds["schedules"]["service_id"] == service_uuid("remote-alarm")].iloc[0]
    assert (row["byday"], row["opens_at"], row["closes_at"]) == ("MO,TU,WE,TH,FR,SA,SU", "00:00:00+01:00", "23:59:00+01:00")


def test_hsds_every_day_with_unpublished_times_is_a_weekly_rule_without_times():
    rows = geo_hsds.schedule_rows("Mo-Su,PH unknown", "Po dogovoru.", PERIODS)
    assert rows == [{"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "description": "Mo-Su,PH unknown — Po dogovoru."}]


@pytest.mark.parametrize("record_id", ["self-help-groups", "cajanke", "home-help", "meals-on-wheels"])
def test_hsds_unknown_hours_get_no_times(hsds, table, record_id):
    rows = hsds["schedules"][hsds["schedules"]["service_id"] == service_uuid(record_id)]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["opens_at"] == "" and row["closes_at"] == ""
    source = table.set_index("id").loc[record_id]
    assert source["opening_hours"] in row["description"]
    assert source["hours_note_sl"] in row["description"]


def test_hsds_no_schedule_without_hours_or_note(hsds):
    assert service_uuid("care-home-odu") not in set(hsds["schedules"]["service_id"])


#: One winter period: schedule rows are then one per time span.
PERIODS = [(dt.date(2026, 12, 1), dt.date(2027, 3, 27), dt.timedelta(hours=1))]


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ("Mo-Fr 07:00-15:00", [("MO,TU,WE,TH,FR", "07:00:00+01:00", "15:00:00+01:00")]),
        ("Mo-Fr 07:00-15:00; PH off", [("MO,TU,WE,TH,FR", "07:00:00+01:00", "15:00:00+01:00")]),
        ("Mo,We 08:00-12:00,13:00-16:00", [("MO,WE", "08:00:00+01:00", "12:00:00+01:00"), ("MO,WE", "13:00:00+01:00", "16:00:00+01:00")]),
        ("Mo-Fr 08:00-16:00; Sa 09:00-12:00", [("MO,TU,WE,TH,FR", "08:00:00+01:00", "16:00:00+01:00"), ("SA", "09:00:00+01:00", "12:00:00+01:00")]),
        ("Sa-Mo 10:00-24:00", [("MO,SA,SU", "10:00:00+01:00", "23:59:00+01:00")]),
        ("24/7", [("MO,TU,WE,TH,FR,SA,SU", "00:00:00+01:00", "23:59:00+01:00")]),
        # Not plain weekly hours: only the text survives.
        ("Mo-Fr 08:00-16:00; We 08:00-12:00", []),
        ("Mo-Fr 22:00-06:00", []),
        ("unknown", []),
        ('Mo-Fr 08:00-12:00 "by appointment"', []),
        ("week 1-10 Mo 08:00-12:00", []),
    ],
)
def test_schedule_rows(hours, expected):
    rows = geo_hsds.schedule_rows(hours, "opomba", PERIODS)
    got = [(row["byday"], row["opens_at"], row["closes_at"]) for row in rows if "opens_at" in row]
    assert got == expected
    if not expected:
        assert rows == [{"description": f"{hours} — opomba"}]
    assert all(row["description"] == f"{hours} — opomba" for row in rows)


def test_schedule_rows_without_hours():
    assert geo_hsds.schedule_rows("", "", PERIODS) == []
    assert geo_hsds.schedule_rows("", "Po dogovoru.", PERIODS) == [{"description": "Po dogovoru."}]


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("Verdijeva ulica 10, 6000 Koper", ("Verdijeva ulica 10", "6000", "Koper")),
        ("Gažon 39, 6274 Šmarje", ("Gažon 39", "6274", "Šmarje")),
        ("Kolodvorska cesta, 6000 Koper", ("Kolodvorska cesta", "6000", "Koper")),
        ("Kolodvorska cesta", ("Kolodvorska cesta", "", "")),
    ],
)
def test_split_address(address, parts):
    assert geo_hsds.split_address(address) == parts


def test_hsds_files_are_deterministic(table, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    geo_hsds.write_hsds(geo_hsds.hsds_tables(table, today=EXPORT_DAY), first)
    geo_hsds.write_hsds(geo_hsds.hsds_tables(table.copy(), today=EXPORT_DAY), second)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert names == sorted([f"{name}.csv" for name in geo_hsds.HSDS_COLUMNS] + ["datapackage.json"])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    package = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == [f"{name}.csv" for name in geo_hsds.HSDS_COLUMNS]
    services = pd.read_csv(first / "services.csv", dtype=str, keep_default_na=False)
    assert list(services.columns) == list(geo_hsds.HSDS_COLUMNS["services"])
    assert len(services) == len(services_only(table))


# --- Command line --------------------------------------------------------------------


def test_cli_csv_prints_header_and_every_service(table, capsys):
    assert cli.main(["export", "--format", "csv"], table=table) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:2] == ["id", "name_sl"]
    assert len(rows) == 1 + 36


def test_cli_csv_with_excel_bom_and_one_language(table, tmp_path):
    out = tmp_path / "directory.csv"
    assert cli.main(["export", "--format", "csv", "--excel-bom", "--lang", "it", "--output", str(out)], table=table) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 36 and "name" in rows[0] and "name_sl" not in rows[0]


def test_cli_json_to_file(table, tmp_path):
    out = tmp_path / "sub" / "directory.json"
    assert cli.main(["export", "--format", "json", "--output", str(out)], table=table) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 36


def test_cli_refuses_bom_outside_csv(table):
    with pytest.raises(SystemExit):
        cli.main(["export", "--format", "json", "--excel-bom"], table=table)


def test_cli_reads_the_located_directory_when_no_table_is_given(table, monkeypatch, capsys):
    stub = types.ModuleType("geo.directory")
    stub.directory_table = lambda data_dir=None: table
    monkeypatch.setitem(sys.modules, "geo.directory", stub)
    monkeypatch.setattr(geo, "directory", stub, raising=False)
    assert cli.main(["export", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 36


def test_cli_reports_a_missing_directory_module(monkeypatch, capsys):
    def missing():
        raise ImportError("No module named 'geo.areas'")

    monkeypatch.setattr(cli, "_directory_table", missing)
    assert cli.main(["export", "--format", "csv"]) == 1
    assert "geo.areas" in capsys.readouterr().err


def test_cli_as_a_module_in_a_subprocess(tmp_path):
    # `python -m geo export` for real, on the shipped data with its real locations.
    script = textwrap.dedent(
        """
        import runpy, sys
        sys.argv = ["geo", "export", "--format", "csv"]
        runpy.run_module("geo", run_name="__main__", alter_sys=True)
        """
    )
    env = {"PATH": "", settings.DATA_DIR_ENV: str(REPO_DATA), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.PROJECT_DIR, env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.reader(io.StringIO(done.stdout.decode("utf-8"))))
    assert rows[0][0] == "id"
    assert len(rows) == 1 + 36

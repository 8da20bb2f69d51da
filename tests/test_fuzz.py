"""Fuzzing the parsers with random and hostile input (Hypothesis, derandomised so CI runs are repeatable).

Property everywhere: no unexpected exception. A rejection is a KoperMapError (or, for the
low-level helpers that document it, a ValueError) with a non-empty explanation, and every Problem
names a real spreadsheet row and field. Example counts are modest so the suite stays fast; raise
them locally with ``KOPER_MAP_FUZZ_EXAMPLES=2000``.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from geopy import exc as geopy_exc
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from geo import geocode, hours, load, model, settings, text, upkeep
from geo.errors import KoperMapError, Problem

EXAMPLES = int(os.environ.get("KOPER_MAP_FUZZ_EXAMPLES", "60"))
fuzz = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run and machine
    database=None,  # nothing written into the work tree
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: Fewer examples where one example saves files or builds a workbook (about 0.1 s each).
fuzz_slow = hypothesis_settings(fuzz, max_examples=max(10, EXAMPLES // 4))

REPO_DATA = settings.PROJECT_DIR / "data"
BASE = load.read_csv_text(REPO_DATA / settings.SERVICES_FILE)
#: The same table without the Italian texts, which Windows-1250 cannot hold (à, è, ì, ò, ù).
BASE_CP1250 = BASE.assign(**{c: "" for c in BASE.columns if c.endswith("_it")})
SOURCES = geocode.load_sources(REPO_DATA)
EDITABLE = [f for f in model.FIELD_NAMES if f != "id"]

#: Strings that have broken parsers elsewhere, or that a hostile upload would try.
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "\x00", "a\x00b",
    "x" * 6_000, "x" * 140_000, "a,b;c", '"', '""', "'", "\n", "\r", "\r\n", "line 1\nline 2",
    "=cmd|' /C calc'!A0", "=1+1", "@SUM(A1)", "\u202e", "\ufeff", "\u2028", "\x07", "\x1a", "\t",
    "é", "città", "čšž ČŠŽ", "🙂", "𝕂oper", " ", "", "\\", "NULL", "nan", "None", "NaN", "0", "-1", "1e9",
    "+38656634550", "05 663 45 50", "Mo-Fr 08:00-12:00", "sep=;", "%s%s%s", "{0}", "../../etc/passwd",
]
text_cells = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))


# Fail loudly if anything here tries to open a connection or resolve a name (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("no_network")


def record_with(**values: str) -> pd.DataFrame:
    """One valid record (the remote alarm) with some cells replaced."""
    frame = BASE[BASE["id"] == "remote-alarm"].reset_index(drop=True).copy()
    for name, value in values.items():
        frame.loc[0, name] = value
    return frame


def assert_well_formed(problem: Problem, rows: int) -> None:
    assert isinstance(problem, Problem)
    assert problem.file and problem.message.strip()
    assert problem.row is None or 1 <= problem.row <= rows + 1
    assert problem.field is None or isinstance(problem.field, str)
    assert str(problem)


# ------------------------------------------------------------------------------------------------
# Opening hours

_HOURS_TOKENS = [
    "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su", "PH", "SH", "-", ":", ",", ";", " ", "08:00", "24:00", "00:00",
    "25:00", "24/7", "off", "open", "closed", "unknown", "Jan", "Dec", "week", "01", "1", "+", "[1]", "[-1]",
    '"by appointment"', "sunrise", "sunset", "(", ")", "||", "easter", "2026", "/", "12:00-14:00",
    "Mo-Fr 08:00-12:00", "99:99", "Feb 29", "week 53", "Su[5]", "dusk", "\n", "\x00",
]
hours_text = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(_HOURS_TOKENS), max_size=12).map("".join),
    st.sampled_from(HOSTILE),
)


@fuzz
@given(hours_text)
def test_opening_hours_validation_and_evaluation_never_crash(expression):
    problems = model.validate_services(record_with(opening_hours=expression))
    for problem in problems:
        assert_well_formed(problem, 1)
        assert (problem.row, problem.field) == (2, "opening_hours")
    valid = hours.is_valid(expression.strip())
    assert valid == (not problems)
    if valid and expression.strip():
        states = {hours.OPEN, hours.CLOSED, hours.UNKNOWN}
        assert hours.state_at(expression.strip(), dt.datetime(2026, 12, 24, 10, 30)) in states
        for start, end, state in hours.intervals_on(expression.strip(), dt.date(2026, 12, 25)):
            assert start <= end and state in states
        assert isinstance(hours.open_on_weekend(expression.strip()), bool)
        assert isinstance(hours.is_always_open(expression.strip()), bool)


# ------------------------------------------------------------------------------------------------
# Phone numbers

phone_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789+ -()/.", max_size=25),
    st.from_regex(r"(\+386|00386|0)?[1-9][0-9 ]{6,10}", fullmatch=True),
    st.sampled_from(HOSTILE),
)


@fuzz
@given(phone_text)
def test_normalise_phone_returns_valid_e164_or_explains(raw):
    try:
        number = model.normalise_phone(raw)
    except ValueError as error:
        assert str(error).strip()
        return
    assert number.startswith("+") and number[1:].isdigit()
    assert model.normalise_phone(number) == number
    assert model.validate_services(record_with(phones=number)) == []


@fuzz
@given(st.lists(phone_text, max_size=3).map(";".join))
def test_phone_cells_are_rejected_only_in_their_own_field(cell):
    for problem in model.validate_services(record_with(phones=cell)):
        assert_well_formed(problem, 1)
        assert (problem.row, problem.field) == (2, "phones")


# ------------------------------------------------------------------------------------------------
# Addresses

_ADDRESS_TOKENS = [
    "Krožna", "cesta", "ulica", "5", "6000", "Koper", "Capodistria", "–", "-", ",", " ", "na", "Levji", "ulici",
    "Gažon", "39", "6274", "Šmarje", "SI-6000", "Slovenija", "Sv.", "Anton", "58a", "A", "0", "9999", "Oljčna",
    "pot", "Ankaran", "6280", "Via", "Calle", "del", "Leone", "\n", "\t", "'", '"', "<b>", "\x00",
]
address_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_ADDRESS_TOKENS), max_size=10).map(" ".join),
    st.lists(st.sampled_from(_ADDRESS_TOKENS), max_size=10).map("".join),
    st.sampled_from(HOSTILE),
)


@fuzz
@given(address_text)
def test_address_normalisation_is_stable(raw):
    folded = text.fold(raw)
    assert text.fold(folded) == folded
    name, number = geocode.split_house_number(raw)
    assert isinstance(name, str) and (number is None or number[0].isdigit())
    canonical = geocode.canonical_address(raw, SOURCES.streets, SOURCES.settlements)
    assert geocode.canonical_address(canonical, SOURCES.streets, SOURCES.settlements) == canonical


@fuzz
@given(address_text)
def test_offline_lookup_places_inside_koper_or_not_at_all(raw):
    south, west, north, east = settings.KOPER_BBOX
    result = geocode.geocode(raw, online=False, sources=SOURCES)
    if result is not None:
        assert south <= result.lat <= north and west <= result.lon <= east
        assert result.precision in geocode.PRECISIONS


class _Failing:
    def __init__(self, error):
        self.error = error

    def geocode(self, query, **kwargs):
        raise self.error


_ONLINE_ERRORS = [
    geopy_exc.GeocoderTimedOut("timed out"), geopy_exc.GeocoderRateLimited("429", retry_after=30),
    geopy_exc.GeocoderServiceError("500"), geopy_exc.GeocoderParseError("bad JSON"),
    geopy_exc.GeocoderUnavailable("no network"), ValueError("odd"), RuntimeError("bug"),
]


@fuzz
@given(address_text, st.sampled_from(_ONLINE_ERRORS))
def test_online_lookup_failures_never_raise(raw, error):
    result = geocode.geocode(raw, online=True, sources=SOURCES, geocoder=_Failing(error))
    if result is not None and result.source != "manual":
        assert result.note.startswith("Online geocoder failed (")


# ------------------------------------------------------------------------------------------------
# Uploads: random bytes, hostile cells, wrong encodings, broken headers


@fuzz
@given(st.sampled_from(["s.csv", "s.xlsx", "S.CSV", "s.txt", "s", ""]), st.binary(max_size=4_000))
def test_random_bytes_are_read_or_refused_with_a_reason(name, content):
    try:
        upload = upkeep.read_upload(name, content)
    except KoperMapError as error:
        assert str(error).strip()
        return
    for problem in upkeep.validate_upload(upload):
        assert_well_formed(problem, len(upload.frame))


@fuzz
@given(
    st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(EDITABLE), text_cells), min_size=1, max_size=4),
    st.sampled_from([",", ";"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1250", "utf-16"]),
)
def test_hostile_cells_are_reported_at_their_own_row(edits, separator, encoding):
    table = (BASE_CP1250 if encoding == "cp1250" else BASE).copy()
    for row, field, value in edits:
        table.loc[row, field] = value
    content = table.to_csv(index=False, sep=separator, lineterminator="\r\n").encode(encoding, errors="replace")
    try:
        upload = upkeep.read_upload("services.csv", content)
    except KoperMapError as error:
        # Only whole-file reasons: NUL bytes (UTF-16, or a NUL typed in a cell), the size
        # limit, or a cell beyond the CSV reader's field limit.
        assert str(error).strip()
        return
    edited_rows = {row + 2 for row, _field, _value in edits}
    for problem in upkeep.validate_upload(upload):
        assert_well_formed(problem, len(upload.frame))
        assert problem.row in edited_rows, (problem, edits)


@fuzz_slow
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(EDITABLE), text_cells), min_size=1, max_size=3))
def test_a_valid_upload_survives_saving_and_reading_back(edits):
    table = BASE.copy()
    for row, field, value in edits:
        table.loc[row, field] = value
    try:
        upload = upkeep.read_upload("services.csv", table.to_csv(index=False).encode("utf-8"))
    except KoperMapError:
        return
    assume(not upkeep.validate_upload(upload))
    with tempfile.TemporaryDirectory() as folder:
        upkeep.save_directory(upload.frame, Path(folder), actor="fuzz@koper.si")
        again = load.read_csv_text(Path(folder) / settings.SERVICES_FILE)
        assert upkeep.diff(upload.frame, again).is_empty
        assert len(load.load_services(Path(folder))) == len(BASE)


_XLSX_VALUES = [*HOSTILE[:40], 38656634550, 1.5, -0.0, True, False, None,
                dt.datetime(2026, 1, 1, 12, 30), dt.date(2020, 2, 29), float("inf")]


@fuzz_slow
@given(st.lists(
    st.tuples(st.integers(0, len(BASE) - 1), st.integers(1, len(BASE.columns) - 1),
              st.one_of(st.sampled_from(_XLSX_VALUES), st.text(max_size=30), st.integers(), st.floats())),
    min_size=1, max_size=3,
))
def test_hostile_workbook_cells_are_reported_at_their_own_row(edits):
    rows = [list(BASE.columns)] + BASE.values.tolist()
    for row, column, value in edits:
        rows[row + 1][column] = value
    workbook = openpyxl.Workbook()
    try:
        for values in rows:
            workbook.active.append(values)
        buffer = io.BytesIO()
        workbook.save(buffer)
    except (IllegalCharacterError, ValueError, TypeError):
        assume(False)  # openpyxl itself refuses to write it, so Excel cannot have produced it
    try:
        upload = upkeep.read_upload("services.xlsx", buffer.getvalue())
    except KoperMapError as error:
        assert str(error).strip()
        return
    for problem in upkeep.validate_upload(upload):
        assert_well_formed(problem, len(upload.frame))
        assert problem.row in {row + 2 for row, _column, _value in edits}, (problem, edits)


@fuzz
@given(st.lists(st.one_of(st.sampled_from(model.FIELD_NAMES), st.text(max_size=12)), max_size=45, unique=True))
def test_any_header_is_read_or_refused_and_columns_are_named(header):
    frame = pd.DataFrame([[""] * len(header)], columns=header) if header else pd.DataFrame()
    content = frame.to_csv(index=False).encode("utf-8")
    try:
        upload = upkeep.read_upload("services.csv", content)
    except KoperMapError as error:
        assert str(error).strip()
        return
    problems = upkeep.validate_upload(upload)
    named = {p.field for p in problems if p.row == 1}
    missing = set(model.FIELD_NAMES) - set(upload.frame.columns)
    assert missing <= named
    if not missing:
        assert {c for c in upload.frame.columns if c not in model.FIELD_NAMES} <= named


@fuzz
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(EDITABLE), text_cells), max_size=4))
def test_diff_of_a_table_with_itself_is_empty_and_changes_are_field_exact(edits):
    edited = BASE.copy()
    for row, field, value in edits:
        edited.loc[row, field] = value
    assert upkeep.diff(edited, edited.copy()).is_empty
    result = upkeep.diff(BASE, edited)
    assert not result.added and not result.removed
    touched = {(BASE.loc[row, "id"], field) for row, field, _value in edits}
    for change in result.changed:
        for field_change in change.changes:
            assert (change.id, field_change.field) in touched

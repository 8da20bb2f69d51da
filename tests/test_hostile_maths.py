"""Maths in names: text from the data reaches charts and PDFs literally, never matplotlib's mathtext.

Every area, settlement and service name carries one of tests/hostile.py's MATHS strings
("$\\frac{1}{0}$", "$x^{", "$x^{$", …). The mathtext parser is replaced by one that fails the test,
so any text that would still be parsed as maths is found, whether or not it would have crashed.
"""
from __future__ import annotations

import datetime as dt
import io

import matplotlib.mathtext
import pytest
from pypdf import PdfReader

import hostile
from apptest_support import run_page
from geo import areas, coverage, directory, report, settings

WHEN = dt.datetime(2026, 11, 23, 10, 0)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return hostile.build(tmp_path_factory.mktemp("maths") / "data", hostile.MATHS, area_payloads=hostile.MATHS)


@pytest.fixture(scope="module")
def inputs(data):
    services = directory.directory_table(data)
    long = coverage.coverage_by_category(services, areas.load_areas(data), areas.load_demand_points(data))
    table = long[long["category"] == coverage.ALL].drop(columns="category").reset_index(drop=True)
    return services, long, table, areas.load_boundaries(data)


@pytest.fixture
def no_mathtext(monkeypatch):
    def refuse(self, s, *args, **kwargs):
        raise AssertionError(f"text reached matplotlib's mathtext: {s!r}")

    monkeypatch.setattr(matplotlib.mathtext.MathTextParser, "parse", refuse)


def test_the_names_are_maths(inputs):
    _s, _l, table, _b = inputs
    for payload in hostile.MATHS:
        assert table["name_sl"].str.endswith(" " + payload).any()
    assert matplotlib.mathtext.MathTextParser("agg").parse(r"$\frac{1}{2}$") is not None  # the guard can see parsing


@pytest.mark.parametrize("highlight", [None, "ks-50603"])
def test_static_map_draws_maths_names_literally(inputs, no_mathtext, highlight):
    _s, _l, table, boundaries = inputs
    png = report.map_png(table, boundaries, "mean_distance_km", "sl", highlight=highlight)
    assert png.startswith(b"\x89PNG")


def test_pdf_shows_maths_names_literally(inputs, no_mathtext):
    services, long, table, boundaries = inputs
    names = services["name_sl"].tolist()
    nearest_rows = {area_id: {"day_activities": (names[i % len(names)], 1.2)} for i, area_id in enumerate(table["area_id"])}
    body = report.build_pdf(table, boundaries, "sl", WHEN, key="mean_distance_km", selection="Izbor $x^{$",
                            by_category=long, nearest_rows=nearest_rows)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    for payload in hostile.MATHS:
        assert payload in text, payload
    assert "Bertoki $\\frac{1}{0}$" in text and "Izbor $x^{$" in text


@pytest.mark.parametrize("step", ["1", "2", "3", "4"])
def test_council_screens_show_maths_names_without_a_traceback(data, monkeypatch, no_mathtext, step):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(data))
    app = run_page("pages/council.py", "sl", step=step, areas="ks-50603,ks-50604")
    assert not app.exception, app.exception
    if step == "3":  # the first chosen area: Boršt with "$x^{", Dekani with "$x^{$"
        assert "$x^{" in app.title[0].value.replace("\\", "").replace("\u200b", "")

"""geo.scenario: hypothetical places, their link (bounded parsing), the extra rows for geo.coverage, before/after."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from geo import areas, coverage, directory, i18n, report, scenario, settings
from geo.errors import ScenarioError

MAREZIGE = scenario.Place(45.509027, 13.796061, "day_activities", ("older",), "Mo-Fr 08:00-16:00",
                          origin="s10101883")
MAREZIGE_AREA = "ks-50609"


@pytest.fixture(scope="module")
def koper():
    folder = settings.PROJECT_DIR / "data"
    services = directory.build_directory(folder).services
    index = areas.area_index(areas.load_boundaries(folder))
    return services, areas.load_areas(folder), areas.load_demand_points(folder), index, areas.load_boundaries(folder)


def day_centres(services, area_table, demand, index):
    return coverage.area_coverage(services, area_table, demand, category="day_activities", target_group="older",
                                  area_index=index)


# --- places and the link ----------------------------------------------------------------------

def test_a_link_reopens_the_same_places():
    second = scenario.Place(45.55, 13.75, "counselling", ("families", "children_youth"), "", ("koper", "ankaran"))
    text = scenario.encode([MAREZIGE, second])
    assert scenario.decode(text) == scenario.Decoded((MAREZIGE, second), 0)
    assert scenario.decode(scenario.encode([])) == scenario.Decoded()


def test_hours_with_separators_survive_the_link():
    odd = scenario.Place(45.5, 13.8, "crisis", ("general",), 'Mo-Fr 08:00-12:00 "a~b|c"; Sa 09:00-10:00')
    assert scenario.decode(scenario.encode([odd])).places == (odd,)


@pytest.mark.parametrize("broken", [
    "nan~13.8~crisis~general~koper~~p",                        # not a number
    "1e1~13.8~crisis~general~koper~~p",                        # exponent
    "45.5~13.8~crisis~general~koper~~p~extra",                 # a field too many
    "46.5~13.8~crisis~general~koper~~p",                       # outside Koper's box
    "45.5~13.8~cooking~general~koper~~p",                      # unknown category
    "45.5~13.8~crisis~~koper~~p",                              # no target group
    "45.5~13.8~crisis~older.older~koper~~p",                   # a group twice
    "45.5~13.8~crisis~older~piran~~p",                         # unknown service area
    "45.5~13.8~crisis~older~koper~Mo-Xx%2025%3A00~p",         # hours not OSM syntax
    "45.5~13.8~crisis~older~koper~Mo-Fr%2008%3A00-12%3A00%3B%20SH%20off~p",  # school holidays
    "45.5~13.8~crisis~older~koper~%ff~p",                      # not UTF-8
    "45.5~13.8~crisis~older~koper~~x1",                        # unknown origin
    "45.5~13.8~crisis~older~koper~" + "a" * 600 + "~p",        # far too long
])
def test_an_unreadable_place_is_dropped_and_counted(broken):
    good = scenario.encode([MAREZIGE])
    assert scenario.decode(f"{good}|{broken}") == scenario.Decoded((MAREZIGE,), 1)


def test_parsing_is_bounded():
    many = scenario.encode([MAREZIGE] * 10)
    assert len(scenario.decode(many + "|" + many).places) == scenario.MAX_PLACES
    assert scenario.decode(many + "|" + many).dropped == 10
    huge = "|".join([scenario.encode([MAREZIGE])] * 5000)  # ~400,000 characters
    decoded = scenario.decode(huge)
    assert len(decoded.places) == scenario.MAX_PLACES and decoded.dropped >= 1
    assert scenario.decode(None) == scenario.decode(42) == scenario.decode("   ") == scenario.Decoded()
    with pytest.raises(ScenarioError, match="at most 10"):
        scenario.encode([MAREZIGE] * 11)


def test_a_place_refuses_bad_values_naming_them():
    with pytest.raises(ScenarioError, match="bounding box"):
        scenario.Place(46.05, 14.5, "crisis", ("older",))
    with pytest.raises(ScenarioError, match="unknown category 'cooking'"):
        scenario.Place(45.5, 13.8, "cooking", ("older",))
    with pytest.raises(ScenarioError, match="opening hours"):
        scenario.Place(45.5, 13.8, "crisis", ("older",), "every day")
    with pytest.raises(ScenarioError, match="target groups"):
        scenario.Place(45.5, 13.8, "crisis", ())


# --- the extra rows -----------------------------------------------------------------------------

def test_with_places_adds_site_rows_and_leaves_the_directory_alone(koper):
    services, _areas, _demand, index, _b = koper
    before = services.copy()
    combined = scenario.with_places(services, [MAREZIGE, MAREZIGE], index)
    pd.testing.assert_frame_equal(services, before)
    assert len(combined) == len(services) + 2
    added = combined.tail(2)
    assert list(added["id"]) == ["scenario-1", "scenario-2"]
    assert set(added["location_type"]) == {"site"} and set(added["area_id"]) == {MAREZIGE_AREA}
    assert added.iloc[0]["target_groups"] == ["older"] and added.iloc[0]["service_area"] == ["koper"]
    assert added.iloc[0]["opening_hours"] == "Mo-Fr 08:00-16:00"
    assert combined["name_sl"].notna().all()  # text columns stay text
    assert scenario.with_places(services, [], index) is services


def test_marezige_day_centre_changes_the_affected_areas(koper):
    services, area_table, demand, index, _b = koper
    before = day_centres(services, area_table, demand, index)
    after = day_centres(scenario.with_places(services, [MAREZIGE], index), area_table, demand, index)
    table = scenario.compare(before, after).set_index("area_id")
    marezige = table.loc[MAREZIGE_AREA]
    assert marezige["mean_distance_km_after"] < marezige["mean_distance_km_before"] - 3
    assert marezige["share_within_5km_before"] == 0 and marezige["share_within_5km_after"] == pytest.approx(1)
    assert marezige["newly_within"] == 1336  # every resident of Marezige (1,336) is newly within 5 km
    assert marezige["affected"] and marezige["changed"]
    assert marezige["gap_before"] and not marezige["gap_after"]  # 0 % within 5 km before: a gap; none after
    # Areas near the existing centres in Koper keep their distances and shares.
    centre = table.loc["ks-50620"]  # Koper - Center
    assert centre["mean_distance_km_after"] == centre["mean_distance_km_before"]
    assert not centre["affected"]
    # newly_within is (share after - share before) × population, summed over areas.
    expected = ((after["share_within_5km"] - before["share_within_5km"]) * before["population"]).clip(lower=0)
    assert table["newly_within"].sum() == pytest.approx(expected.sum(), abs=len(table))


def test_compare_needs_the_same_areas(koper):
    services, area_table, demand, index, _b = koper
    full = day_centres(services, area_table, demand, index)
    with pytest.raises(ScenarioError, match="same areas"):
        scenario.compare(full, full.iloc[:-1])


# --- words and the PDF --------------------------------------------------------------------------

@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_describe_marks_the_scenario_in_every_language(lang):
    lines = scenario.describe([MAREZIGE], lang, ["Marezige"])
    assert lines[0] == i18n.t("whatif.scenario_mark", lang)
    assert "Marezige" in lines[1] and "Mo-Fr 08:00-16:00" in lines[1]
    assert i18n.t("category.day_activities", lang) in lines[1] and i18n.t("group.older", lang) in lines[1]
    unnamed = scenario.describe([scenario.Place(45.5, 13.8, "crisis", ("older",))], lang)[1]
    assert "45.50000, 13.80000" in unnamed and i18n.t("whatif.hours_unknown", lang) in unnamed


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_scenario_pdf_is_marked_on_every_page_and_carries_the_new_figures(koper):
    services, area_table, demand, index, boundaries = koper
    when = pd.Timestamp("2026-12-01 10:00").to_pydatetime()
    before = day_centres(services, area_table, demand, index)
    after = day_centres(scenario.with_places(services, [MAREZIGE], index), area_table, demand, index)
    lines = scenario.describe([MAREZIGE], "en", ["Marezige"])
    plain = report.build_pdf(before, boundaries, "en", when, area_ids=[MAREZIGE_AREA])
    marked = report.build_pdf(after, boundaries, "en", when, area_ids=[MAREZIGE_AREA], scenario_lines=lines)
    assert plain != marked
    plain_pages, pages = _pdf_pages(plain), _pdf_pages(marked)
    mark = "SCENARIO"
    assert all(mark in page for page in pages) and not any(mark in page for page in plain_pages)
    assert "Mo-Fr 08:00-16:00" in pages[0]
    # The Marezige page shows the new mean distance, not the old one.
    row_after = after.set_index("area_id").loc[MAREZIGE_AREA]
    row_before = before.set_index("area_id").loc[MAREZIGE_AREA]
    new_km, old_km = f"{row_after['mean_distance_km']:.1f}", f"{row_before['mean_distance_km']:.1f}"
    assert new_km != old_km
    assert new_km in pages[-1] and old_km not in pages[-1]
    assert old_km in plain_pages[-1]
    assert np.isfinite(row_after["mean_distance_km"])

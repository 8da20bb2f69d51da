"""The nearest-centre page through AppTest: start points, results, links, privacy."""
from __future__ import annotations

import logging

import pytest

from apptest_support import map_location_ids, run_page, texts
from geo import i18n

DEKANI = "10101522"
PAGE = "pages/nearest.py"


def _location_headings(app) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith("#### ")]


def test_three_nearest_to_dekani_for_older_people_on_saturday_morning(data_dir):
    app = run_page(PAGE, "en", **{"from": f"settlement:{DEKANI}", "grp": "older", "hours": "open_at",
                                  "at": "2026-11-28T10:00"})
    assert not app.exception
    assert app.selectbox(key="near_settlement").value == DEKANI
    said = texts(app)
    assert "Starting from: **Dekani** (settlement centre \\(approximate\\))" in said
    assert _location_headings(app) == [
        "#### 1. Dolinska cesta 58 A, 6000 Koper",
        "#### 2. Cankarjeva ulica 6, 6000 Koper",
        "#### 3. Cesta Zore Perello\\-Godina 3, 6000 Koper",
    ]
    # distances are nearest first, with the stated detour factor for the road estimate
    assert "**5.7 km** in a straight line, about 7.4 km by road" in said
    assert "[051 341 554](tel:+38651341554)" in said
    assert "Straight line × 1.3" in said or "straight line × 1.3" in said
    # the area-wide services that reach Dekani are listed as such (home help, meals, alarm …)
    assert i18n.t("list.anywhere", "en", n=5) in said
    assert "Remote alarm – Red button · Care at home · Open" in said
    # the result map shows exactly the three locations
    assert len(map_location_ids(app)) == 3


def test_the_view_is_a_link_with_the_settlement_and_filters(data_dir):
    app = run_page(PAGE, "it", **{"from": f"settlement:{DEKANI}", "cat": "day_activities", "k": "5"})
    assert app.query_params["from"] == f"settlement:{DEKANI}"
    assert app.query_params["cat"] == "day_activities"
    assert app.query_params["k"] == "5"
    assert app.select_slider(key="near_k").value == 5
    assert app.subheader[1].value.startswith("I luoghi più vicini")


def test_without_a_starting_point_the_page_asks_for_one(data_dir):
    app = run_page(PAGE, "sl")
    assert app.info[0].value == i18n.t("nearest.no_start", "sl")
    assert "from" not in app.query_params


def test_a_local_community_as_the_starting_point(data_dir):
    app = run_page(PAGE, "en", **{"from": "area:ks-50605"})
    assert app.radio(key="near_method").value == "area"
    assert "Starting from: **Dekani** (centre of the local community \\(approximate\\))" in texts(app)
    assert len(_location_headings(app)) == 3


def test_a_typed_address_is_placed_offline_and_never_put_in_the_link(data_dir, caplog):
    caplog.set_level(logging.DEBUG)
    app = run_page(PAGE, "en")
    app.radio(key="near_method").set_value("address").run()
    app.text_input(key="near_address").input("Krožna cesta 5, Koper")
    app.button[0].click().run()  # the form's submit button
    assert not app.exception
    said = texts(app)
    assert "Starting from:" in said and "Krožna cesta 5" in said
    assert _location_headings(app)[0] == "#### 1. Krožna cesta 5, 6000 Koper"
    assert all("Krožna" not in str(value) and "Kro" not in str(value) for value in app.query_params.values())
    assert "Krožna" not in caplog.text  # not logged either


def test_a_street_only_address_resolves_to_its_settlement_and_says_so(data_dir):
    app = run_page(PAGE, "en")
    app.radio(key="near_method").set_value("address").run()
    app.text_input(key="near_address").input("Hrvatini")
    app.button[0].click().run()
    assert "(settlement centre \\(approximate\\))" in texts(app)


def test_an_unknown_address_is_said_plainly(data_dir):
    app = run_page(PAGE, "en")
    app.radio(key="near_method").set_value("address").run()
    app.text_input(key="near_address").input("Nowhere Street 99, Atlantis")
    app.button[0].click().run()
    assert app.warning[0].value == i18n.t("nearest.address_not_found", "en")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_crisis_help_gives_phones_but_no_location(lang, data_dir):
    app = run_page(PAGE, lang, **{"from": f"settlement:{DEKANI}", "cat": "crisis"})
    said = texts(app)
    assert i18n.t("list.confidential", lang, n=3) in said
    assert "tel:+38670754530" in said
    assert "Prisoje" not in said  # the provider's seat is never shown for a confidential service

"""The what-if page through AppTest, in every language: the scenario from the link, before/after, map, PDF, suggestions."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from apptest_support import RoutedAppTest, texts
from geo import choropleth, i18n, scenario, settings

PAGE = "pages/whatif.py"
MAREZIGE = scenario.Place(45.509027, 13.796061, "day_activities", ("older",), "Mo-Fr 08:00-16:00",
                          origin="s10101883")
MAREZIGE_ID = "10101883"


def open_page(lang: str, **params: str) -> AppTest:
    """The what-if page with the link's parameters (as a pasted link reaches it)."""
    app = RoutedAppTest(settings.PROJECT_DIR / "app.py", default_timeout=180)
    app.query_params["lang"] = lang
    app.run()
    for key, value in params.items():
        app.query_params[key] = value
    return app.switch_page(PAGE).run()


def param(app: AppTest, key: str) -> str:
    """One query parameter's value as text."""
    value = app.query_params[key]
    return value[0] if isinstance(value, list) else value


def table_rows(app: AppTest, lang: str) -> dict[str, dict]:
    """The before/after table as {area name: row}."""
    frame = app.dataframe[0].value
    return {row[i18n.t("whatif.col.area", lang)]: row for row in frame.to_dict("records")}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_marezige_day_centre_from_the_link_changes_marezige(lang, data_dir, monkeypatch):
    drawn = []
    real = choropleth.build_choropleth
    monkeypatch.setattr(choropleth, "build_choropleth", lambda table, *a, **k: drawn.append(table) or real(table, *a, **k))
    link = scenario.encode([MAREZIGE])
    app = open_page(lang, wi=link)
    assert not app.exception
    said = texts(app)
    assert "Marezige" in said and i18n.t("category.day_activities", lang) in said
    assert i18n.t("whatif.nothing_saved", lang) in said
    # The comparison is for the place's own category and target group, written to the link.
    assert param(app, "cat") == "day_activities" and param(app, "grp") == "older"
    assert param(app, "wi") == link
    rows = table_rows(app, lang)
    marezige = rows["Marezige"]
    km = i18n.format_number(5, lang)
    assert marezige[i18n.t("whatif.col.share_before", lang, km=km)] == i18n.t("unit.pct", lang, value="0")
    assert marezige[i18n.t("whatif.col.share_after", lang, km=km)] == i18n.t("unit.pct", lang, value="100")
    assert marezige[i18n.t("whatif.col.newly", lang, km=km)] == i18n.format_number(1336, lang)
    assert marezige[i18n.t("whatif.col.gap_before", lang)] == i18n.t("report.yes", lang)
    assert marezige[i18n.t("whatif.col.gap_after", lang)] == i18n.t("report.no", lang)
    assert "Koper - Center" not in rows  # unaffected areas are not listed (only changed ones by default)
    # The headline counts residents newly within reach with the language's plural form.
    total = sum(int(r[i18n.t("whatif.col.newly", lang, km=km)].replace(".", "").replace(",", "")) for r in rows.values())
    assert i18n.plural("whatif.newly_within", lang, total, km=km) in said
    # The map is drawn from the table with the scenario: Marezige's mean distance is the new one.
    shown = drawn[-1].set_index("name_sl").loc["Marezige"]
    assert shown["mean_distance_km"] < 3 and shown["share_within_5km"] == pytest.approx(1)


def test_the_scenario_pdf_is_marked_and_holds_marezige(data_dir):
    app = open_page("sl", wi=scenario.encode([MAREZIGE]))
    app.button(key="wi_make_pdf").click().run()
    assert not app.exception
    assert app.get("download_button")  # offered once built
    data = app.session_state["wi_pdf"][1]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    assert all("SCENARIJ" in page for page in pages)
    assert "Marezige" in pages[0] and "Mo-Fr 08:00-16:00" in pages[0]
    assert any(page.startswith("Marezige") for page in pages[3:])  # its area page (affected areas only)
    assert len(pages) < 3 + 23


def test_adding_a_place_puts_it_in_the_link_and_the_link_reopens_it(data_dir):
    app = open_page("en")
    assert i18n.t("whatif.no_places", "en") in texts(app)
    app.selectbox(key="wi_settlement").set_value(MAREZIGE_ID).run()
    app.selectbox(key="wi_category").set_value("day_activities").run()
    app.multiselect(key="wi_groups").set_value(["older"]).run()
    app.text_input(key="wi_hours").input("Mo-Fr 08:00-16:00").run()
    app.button(key="wi_add").click().run()
    assert not app.exception
    link = param(app, "wi")
    assert scenario.decode(link).places == (MAREZIGE,)
    first = app.dataframe[0].value.to_dict("records")
    # The comparison follows the new place (it was "all categories" before there was one).
    assert param(app, "cat") == "day_activities" and param(app, "grp") == "older"
    # A colleague opens the same link: the same place, the same figures.
    again = open_page("en", **{key: param(app, key) for key in app.query_params if key != "lang"})
    assert again.dataframe[0].value.to_dict("records") == first
    # Removing the place takes it out of the link.
    again.button(key="wi_remove_0").click().run()
    assert "wi" not in again.query_params


def test_a_bad_place_is_refused_with_a_reason_in_the_language(data_dir):
    app = open_page("it")
    app.button(key="wi_add").click().run()
    assert i18n.t("whatif.need_point", "it") in texts(app)
    app.selectbox(key="wi_settlement").set_value(MAREZIGE_ID).run()
    app.multiselect(key="wi_groups").set_value(["older"]).run()
    app.text_input(key="wi_hours").input("sempre").run()
    app.button(key="wi_add").click().run()
    assert i18n.t("whatif.bad_hours", "it") in texts(app)
    assert "wi" not in app.query_params


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_required_target_group_is_said_before_add_and_starts_as_the_compared_one(lang, data_dir):
    # A helper saw "choose at least one target group" only after pressing Add: nothing marked the field.
    app = open_page(lang)
    groups = app.multiselect(key="wi_groups")
    assert groups.placeholder == i18n.t("whatif.groups_placeholder", lang) and groups.value == []
    app.selectbox(key="wi_settlement").set_value(MAREZIGE_ID).run()
    app.button(key="wi_add").click().run()
    assert i18n.t("whatif.need_groups", lang) in texts(app) and "wi" not in app.query_params
    # Comparing for older people, a new place is for older people unless changed.
    compared = open_page(lang, grp="older")
    assert compared.multiselect(key="wi_groups").value == ["older"]


def test_a_broken_link_is_said_not_raised(data_dir):
    app = open_page("sl", wi=scenario.encode([MAREZIGE]) + "|nonsense~1|" + "x" * 10_000)
    assert not app.exception
    assert i18n.plural("whatif.dropped", "sl", 2) in texts(app)
    assert len(app.dataframe[0].value) > 0


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_suggestions_k_1_to_3_with_residents_gained(lang, data_dir):
    app = open_page(lang, cat="day_activities", grp="older")
    assert not app.exception
    gained = i18n.t("alloc.col.gained", lang, km=i18n.format_number(5, lang, 1))
    for k in (1, 2, 3):
        app.select_slider(key="wi_k").set_value(k).run()
        app.button(key="wi_run").click().run()
        assert not app.exception
        sites = app.dataframe[-1].value
        assert len(sites) == k
        assert all(int(v.replace(".", "").replace(",", "")) > 0 for v in sites[gained])
        said = texts(app)
        assert i18n.t("alloc.status.optimal", lang) in said and "spopt" in said  # solver time, status, notes
    # The suggested sites go into the scenario with one click.
    app.button(key="wi_add_suggested").click().run()
    assert len(scenario.decode(param(app, "wi")).places) == 3


def test_p_median_suggestion_and_the_need_for_a_category(data_dir):
    app = open_page("en", cat="day_activities", grp="older")
    app.radio(key="wi_model").set_value("p_median").run()
    app.select_slider(key="wi_k").set_value(2).run()
    app.button(key="wi_run").click().run()
    assert not app.exception and len(app.dataframe[-1].value) == 2
    assert i18n.t("alloc.note.p_median", "en") in texts(app)
    everything = open_page("en")
    assert i18n.t("alloc.need_category", "en") in texts(everything)


def test_a_place_from_an_address_keeps_only_its_point_in_the_link(data_dir):
    app = open_page("en")
    app.radio(key="wi_method").set_value("address").run()
    app.text_input(key="wi_address").input("Krožna cesta 5, Koper")
    app.button(key="wi_find").click().run()
    assert not app.exception and "Krožna" in texts(app)
    app.multiselect(key="wi_groups").set_value(["older"]).run()
    app.button(key="wi_add").click().run()
    link = param(app, "wi")
    (place,) = scenario.decode(link).places
    assert place.origin == scenario.POINT and "Kro" not in link  # the typed address is not in the link
    assert abs(place.lat - 45.54) < 0.03 and abs(place.lon - 13.73) < 0.03  # Koper
    # The map method draws its map without error.
    app.radio(key="wi_method").set_value("map").run()
    assert not app.exception

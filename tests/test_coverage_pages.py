"""The coverage overview and area profile pages through AppTest, in every language (council: test_council_page.py)."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import run_page, texts
from geo import i18n, settings

DAY_CENTRES = "day_activities"
#: What the tables show where a number does not apply (a distance to a service that comes to the home).
NO_NUMBER = "–"


def km(value: float, lang: str) -> str:
    """A distance as the page's tables write it in ``lang`` (babel: "20,4 km" in sl/it, "20.4 km" in en)."""
    return f"{i18n.format_number(value, lang, 1)} km"
SATURDAY = "2026-11-28T10:00"


def open_page(page: str, lang: str, **params: str) -> AppTest:
    """Like run_page, but the link's parameters reach the page itself (the start page would rewrite them)."""
    app = AppTest.from_file(str(settings.PROJECT_DIR / "app.py"), default_timeout=60)
    app.query_params["lang"] = lang
    app.run()
    for key, value in params.items():
        app.query_params[key] = value
    return app.switch_page(page).run()


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_day_centres_ranking_map_and_headline(lang, data_dir):
    app = open_page("pages/coverage.py", lang, cat=DAY_CENTRES)
    assert not app.exception, app.exception
    assert app.title[0].value == i18n.t("page.coverage", lang)
    ranking = app.dataframe[0].value
    # Ankaran's residents may use none of the day centres (each serves Koper's residents only): no
    # distance, so Ankaran leads, said as such, not as "no service anywhere".
    ankaran = i18n.name_in({"name_sl": "Ankaran", "name_it": "Ancarano"}, lang)
    assert ranking.iloc[0]["area"] == ankaran and ranking.iloc[0]["value"] == NO_NUMBER
    # Rakitovec, the far east of Koper, is furthest from any day centre: 20.4 km, 104 residents.
    assert ranking.iloc[1]["area"] == "Rakitovec"
    assert ranking.iloc[1]["value"] == km(20.36, lang)  # written as the language writes numbers
    assert ranking.iloc[-1]["area"] == "Koper - Center"
    assert len(ranking) == 23
    # fits a projector: the measure (mean distance) only in the value column; Ankaran's population is
    # of another date than the communities', so each row says its date
    assert "mean_distance_km" not in ranking.columns and "max_distance_km" in ranking.columns
    assert "population_date" in ranking.columns
    said = texts(app)
    assert f"**{ankaran}**" in said and i18n.t("coverage.no_usable_place", lang) in said
    assert ranking.set_index("area").loc["Rakitovec", "population"] == "104"
    assert ranking.set_index("area").loc["Koper - Center", "population"] == i18n.format_number(
        int(ranking.set_index("area").loc["Koper - Center", "population"].replace(".", "").replace(",", "")), lang)
    assert i18n.t("note.boundary", lang) in said and i18n.t("note.population", lang) in said
    # the choropleth is drawn with its legend in real units
    maps = [e for e in app.get("component_instance") if e.proto.component_name.endswith("st_folium")]
    assert len(maps) == 1
    assert i18n.t("unit.km", lang, value=i18n.format_number(20.4, lang, 1)) in maps[0].proto.json_args


def test_saturday_morning_changes_the_ranking(data_dir):
    any_time = open_page("pages/coverage.py", "en", cat=DAY_CENTRES).dataframe[0].value
    saturday = open_page("pages/coverage.py", "en", cat=DAY_CENTRES, at=SATURDAY)
    ranked = saturday.dataframe[0].value
    assert "open on Sat 28 Nov at 10:00" in texts(saturday)
    # Dnevni center Oljka in Semedela is open Mo–Fr only: on Saturday Semedela keeps only the tea
    # afternoons (čajanke), whose hours are not published (counted: the link includes unknown hours).
    semedela = ranked.set_index("area").loc["Semedela"]
    assert semedela["services_in_area"] == "1"
    assert semedela["value"] == "0.3 km"
    assert any_time.set_index("area").loc["Semedela", "services_in_area"] == "2"
    # with unknown hours counted, Semedela is the one area whose nearest day centre moves on Saturday
    # (0.29 -> 0.33 km: the table writes both 0.3 km, so the measure is read unrounded)
    from geo import areas, coverage, directory, hours

    args = (directory.directory_table(data_dir), areas.load_areas(data_dir), areas.load_demand_points(data_dir))
    before = coverage.area_coverage(*args, category=DAY_CENTRES).set_index("name_sl")["mean_distance_km"]
    after = coverage.area_coverage(*args, category=DAY_CENTRES, at=hours.parse_when(SATURDAY),
                                   include_unknown_hours=True).set_index("name_sl")["mean_distance_km"]
    assert (before["Semedela"], after["Semedela"]) == (pytest.approx(0.290, abs=0.001), pytest.approx(0.330, abs=0.001))
    changed = (after - before).abs()
    assert list(changed[changed > 0.01].index) == ["Semedela"]
    # ... and the day centres closed on Saturday are not dropped silently: listed with their next opening,
    # the unknown-hours ones apart, each with its phone.
    said = texts(saturday)
    assert i18n.t("coverage.time_closed", "en", n=2) in said
    for name in ("Oljka day centre – day care for older people", "Day activities centre for older residents, Koper"):
        assert time_line(name, "Day centres and activities", "closed, opens Mon 30 Nov 07:00") in said
    assert i18n.t("coverage.time_unknown", "en", n=6) in said
    assert i18n.t("coverage.time_unknown_counted", "en") in said


def test_saturday_without_unknown_hours_says_there_is_nothing(data_dir):
    app = open_page("pages/coverage.py", "en", cat=DAY_CENTRES, at=SATURDAY, unk="0")
    assert not app.exception
    assert i18n.t("coverage.headline_none", "en") in texts(app)


def test_only_the_22_local_communities_and_thresholds_from_the_link(data_dir):
    app = open_page("pages/coverage.py", "sl", cat=DAY_CENTRES, ks="1", far="15")
    ranking = app.dataframe[0].value
    assert len(ranking) == 22 and "Ankaran" not in set(ranking["area"])
    # at 15 km only Rakitovec, Podgorje and Zazid are "far"
    far = ranking[ranking["gap_text"].str.contains("daleč")]
    assert list(far["area"]) == ["Rakitovec", "Podgorje", "Zazid"]
    # the 22 communities' population is of one date: said once under the table, not in a column
    assert "population_date" not in ranking.columns
    assert i18n.t("coverage.population_note", "sl", as_of="na dan 1. jan. 2024") in texts(app)
    assert app.number_input(key="cov_far").value == 15


def test_measure_change_is_written_to_the_link(data_dir):
    app = open_page("pages/coverage.py", "it", cat=DAY_CENTRES)
    app.selectbox(key="cov_measure").set_value("share_within_5km").run()
    assert app.query_params["m"] == "share_within_5km"
    ranking = app.dataframe[0].value
    assert ranking.iloc[0]["value"] == "0 %" and ranking.iloc[-1]["value"] == "100 %"


def test_the_pdf_is_made_on_request_and_then_offered_as_bytes(data_dir):
    app = open_page("pages/coverage.py", "en", cat=DAY_CENTRES)
    assert i18n.t("coverage.download_pdf", "en") not in [b.proto.label for b in app.get("download_button")]
    app.button(key="coverage_pdf_make").click().run()
    assert not app.exception, app.exception
    [pdf] = [b for b in app.get("download_button") if b.proto.label == i18n.t("coverage.download_pdf", "en")]
    assert not pdf.proto.deferred_file_id  # the bytes themselves: no deferred file a rerun can withdraw
    app.run()  # a rerun (as after any click) keeps offering the same file
    assert [b.proto.url for b in app.get("download_button") if b.proto.label == pdf.proto.label] == [pdf.proto.url]


def test_csv_download_holds_the_table(data_dir):
    from geo import areas, coverage, directory, report

    app = open_page("pages/coverage.py", "sl", cat=DAY_CENTRES)
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == [i18n.t(k, "sl") for k in ("coverage.download_csv", "coverage.download_data_csv", "coverage.download_xlsx",
                                                  "coverage.download_html")]
    # The page hands report.csv_bytes the ranked figures; rebuild them the same way and read them back.
    table = coverage.area_coverage(directory.directory_table(data_dir), areas.load_areas(data_dir),
                                   areas.load_demand_points(data_dir), category=DAY_CENTRES)
    from geo import choropleth

    body = report.csv_bytes(report.figures(choropleth.ranked(table, "mean_distance_km"), "sl", coverage.GapThresholds()))
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Območje,Šifra območja,Prebivalci")
    # Ankaran first (no day centre its residents may use), said in words; then Rakitovec, 20,4 km away.
    assert lines[1].startswith("Ankaran,ob-213,3.249,") and "ni ustreznega kraja" in lines[1]
    assert lines[2].startswith("Rakitovec,ks-50623,104,") and '"20,4 km"' in lines[2]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_area_profile_of_dekani(lang, data_dir):
    app = open_page("pages/area.py", lang, area="ks-50605")
    assert not app.exception, app.exception
    assert app.title[0].value == "Dekani"
    said = texts(app)
    import datetime as dt

    day_written = i18n.format_day(dt.date(2024, 1, 1), lang)  # the date as the language writes it, not ISO
    assert i18n.t("profile.population", lang, n=1733, date=day_written, kind=i18n.t("areas.kind.ks", lang)) in said
    table = app.dataframe[0].value.set_index("category")
    day = table.loc[i18n.t("category.day_activities", lang)]
    assert day["services_in_area"] == "0" and day["mean_distance_km"] == km(6.01, lang)
    assert day["nearest_km"] not in ("", NO_NUMBER, km(0, lang)) and day["nearest"]
    # area-wide services reach Dekani: home help among them; confidential services never appear
    assert i18n.t("profile.area_wide", lang, n=10) in said
    assert i18n.t("note.road", lang, factor=i18n.format_number(1.3, lang, 1)) in said


def test_area_profile_keeps_the_area_in_the_link(data_dir):
    app = open_page("pages/area.py", "en", area="ob-213")
    assert app.title[0].value == "Ankaran"
    app.selectbox(key="profile_area").set_value("ks-50623").run()
    assert app.title[0].value == "Rakitovec" and app.query_params["area"] == "ks-50623"


# The council page's tests moved with it: tests/test_council_page.py.


# --- issue 11: what the pages say about services that come to the residents ----------------------------

@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_home_care_is_served_or_not_never_a_distance(lang, data_dir):
    app = open_page("pages/coverage.py", lang, cat="home_care")
    assert not app.exception, app.exception
    ranking = app.dataframe[0].value.set_index("area")
    served = i18n.plural("coverage.value_reached", lang, 5)
    ks = ranking.drop(i18n.name_in({"name_sl": "Ankaran", "name_it": "Ancarano"}, lang))
    assert len(ks) == 22 and (ks["reach"] == served).all() and not ks["gap"].any()
    assert (ranking["value"] == NO_NUMBER).all() and (ranking["share_within_5km"] == NO_NUMBER).all()  # no "0 %" for home care
    assert ranking.iloc[0]["reach"] == i18n.t("coverage.value_not_reached", lang)  # Ankaran: the data say Koper only
    said = texts(app)
    assert i18n.t("coverage.basis.delivered", lang) in said
    assert i18n.t("coverage.gap_summary", lang, areas=i18n.plural("coverage.gap_areas", lang, 1, total=23),
                  people=i18n.plural("coverage.gap_people", lang, 3249)) in said
    assert coverage_words_rule(lang) in said
    maps = [e for e in app.get("component_instance") if e.proto.component_name.endswith("st_folium")]
    assert i18n.t("coverage.legend_reached", lang) in maps[0].proto.json_args
    assert i18n.t("coverage.legend_not_reached", lang) in maps[0].proto.json_args


def coverage_words_rule(lang: str) -> str:
    from geo import coverage

    return coverage.words.gap_rule(coverage.GapThresholds(), lang)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_gracisce_profile_no_longer_contradicts_itself(lang, data_dir):
    app = open_page("pages/area.py", lang, area="ks-50606")
    assert not app.exception, app.exception
    assert app.title[0].value == "Gračišče"
    table = app.dataframe[0].value.set_index("category")
    home = table.loc[i18n.t("category.home_care", lang)]
    assert home["gap_text"] == "" and home["reach"] == i18n.plural("coverage.value_reached", lang, 5)
    assert home["mean_distance_km"] == NO_NUMBER and home["share_within_5km"] == NO_NUMBER
    said = texts(app)
    gap_lines = [m.value for m in app.markdown if m.value.startswith("- **") and "**: " in m.value]
    assert not any(i18n.t("category.home_care", lang) in line for line in gap_lines)
    assert any(i18n.t("category.day_activities", lang) in line for line in gap_lines)  # 13.9 km: a real gap
    # ... while the services that come to the home are listed, each with how it is delivered
    assert i18n.t("profile.area_wide", lang, n=10) in said
    home_help = [m.value for m in app.markdown if i18n.t("delivery.home", lang) in m.value]
    assert len(home_help) == 5
    assert i18n.t("delivery.community", lang) in said
    assert coverage_words_rule(lang) in said and i18n.t("note.general", lang) in said


def test_profile_for_older_people_lists_services_for_everyone_apart(data_dir):
    app = open_page("pages/area.py", "en", area="ks-50606", grp="older")
    assert not app.exception, app.exception
    said = texts(app)
    assert i18n.t("profile.general", "en", n="1") in said
    table = app.dataframe[0].value.set_index("category")
    prevention = table.loc[i18n.t("category.health_prevention", "en")]
    # the defibrillator network is for everyone: it does not close older people's prevention gap
    assert prevention["gap_text"] == i18n.t("gap.far_nothing", "en")


def test_profile_at_a_closed_time_lists_what_is_closed_with_its_next_opening(data_dir):
    app = open_page("pages/area.py", "sl", area="ks-50606", at=SATURDAY)
    assert not app.exception, app.exception
    said = texts(app)
    import datetime as dt

    from geo import coverage, directory

    status = coverage.time_status(directory.directory_table(data_dir), dt.datetime.fromisoformat(SATURDAY))
    closed = int((status["state"] == "closed").sum())
    assert closed >= 2  # at least the two day centres (Mo–Fr)
    assert i18n.t("coverage.time_closed", "sl", n=i18n.format_number(closed, "sl")) in said
    assert time_line("Dnevni center Oljka – dnevno varstvo starejših", "Dnevni centri in aktivnosti",
                     "zaprto, odpre pon., 30. nov. ob 07:00") in said


def time_line(name: str, category: str, state: str) -> str:
    """A line of the closed / unknown-hours lists as the page writes it (data escaped for Markdown)."""
    from geo import safe

    return i18n.t("coverage.time_line", "en", name=safe.md_text(name), category=safe.md_text(category),
                  state=safe.md_text(state))


@pytest.mark.parametrize("lang", ["sl", "en"])
def test_council_pdf_never_prints_a_share_or_distance_for_home_care(lang, data_dir):
    """Issue 11: the PDF printed "residents within 5 km: 0 %" for home care, even for Koper - Center."""
    import datetime as dt
    import io
    import re

    from pypdf import PdfReader

    from geo import areas, coverage, directory, report

    services = directory.directory_table(data_dir)
    long = coverage.coverage_by_category(services, areas.load_areas(data_dir), areas.load_demand_points(data_dir))
    table = long[long["category"] == "home_care"].drop(columns="category").reset_index(drop=True)
    body = report.build_pdf(table, areas.load_boundaries(data_dir), lang, dt.datetime(2026, 11, 30, 10, 0),
                            key="share_within_5km", area_ids=["ks-50619", "ob-213"])
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    flat = re.sub(r"\s+", " ", text)
    within = i18n.t("measure.share_within_5km", lang)
    assert f"{within}: {i18n.plural('coverage.value_reached', lang, 5)}" in flat  # Koper - Center's page
    assert f"{within}: {i18n.t('coverage.value_not_reached', lang)}" in flat  # Ankaran's page
    assert not re.search(re.escape(within) + r": 0\s?%", flat)
    assert re.sub(r"\s+", " ", coverage.words.gap_rule(coverage.GapThresholds(), lang)) in flat


def test_a_mixed_choice_says_which_part_comes_to_the_residents(data_dir):
    app = open_page("pages/coverage.py", "en", cat=DAY_CENTRES)
    assert not app.exception, app.exception
    said = texts(app)
    assert i18n.t("coverage.basis.mixed", "en") in said
    from geo import safe

    part = safe.md_text("Self-help groups for older people (at changing places in the municipality)")
    assert i18n.t("coverage.delivered_part", "en", services=part) in said


# --- reviewer findings (issue 11) --------------------------------------------------------------------

def _gap_count(app: AppTest) -> int:
    ranking = app.dataframe[0].value
    return int((ranking["gap_text"] != "").sum())


def test_thresholds_survive_moving_between_coverage_and_area_through_the_menu(data_dir):
    """Switching pages in the menu (no query string) kept far=0.5, r=1, share=0: a widget's minimum."""
    from apptest_support import run_page

    app = run_page("pages/coverage.py", "en", cat=DAY_CENTRES)
    assert not app.exception, app.exception
    before = _gap_count(app)
    assert before > 5
    for page in ("pages/area.py", "pages/coverage.py", "pages/area.py", "pages/coverage.py"):
        for key in [k for k in app.query_params if k != "lang"]:  # the menu's links carry no query string
            del app.query_params[key]
        app.switch_page(page).run()
        assert not app.exception, app.exception
        for key in ("far", "r", "share"):
            assert key not in app.query_params, (page, dict(app.query_params))
        assert (app.session_state["cov_far"], app.session_state["cov_radius"], app.session_state["cov_share"]) == (10.0, 5, 50)
    assert app.query_params.get("cat") == DAY_CENTRES  # the category chosen on /coverage is kept
    assert app.selectbox(key="cov_category").value == DAY_CENTRES
    assert _gap_count(app) == before
    app.number_input(key="cov_far").set_value(15.0).run()  # a chosen threshold is kept as well
    del app.query_params["far"]
    app.switch_page("pages/area.py").run()
    assert app.query_params["far"] == "15" and app.number_input(key="cov_far").value == 15


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_mixed_basis_never_reads_served_when_its_places_are_far(lang, data_dir):
    """Gračišče's day centres read 'served: 1 service comes to the residents' beside the gap 'far … 13.9 km'."""
    app = open_page("pages/area.py", lang, area="ks-50606")
    assert not app.exception, app.exception
    day = app.dataframe[0].value.set_index("category").loc[i18n.t("category.day_activities", lang)]
    assert day["reach"] == i18n.plural("coverage.value_also_reached", lang, 1)
    assert day["reach"] != i18n.plural("coverage.value_reached", lang, 1) and day["gap_text"]
    coverage_page = open_page("pages/coverage.py", lang, cat=DAY_CENTRES)
    ranking = coverage_page.dataframe[0].value.set_index("area")
    assert ranking.loc["Gračišče", "reach"] == i18n.plural("coverage.value_also_reached", lang, 1)
    assert not ranking["reach"].isin([i18n.plural("coverage.value_reached", lang, n) for n in range(1, 6)]).any()


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_crisis_help_only_by_phone_is_said_so_and_is_no_gap(lang, data_dir):
    """Three confidential crisis services (by phone, never placed): not 'far: no matching service'."""
    app = open_page("pages/area.py", lang, area="ks-50606")
    assert not app.exception, app.exception
    crisis = app.dataframe[0].value.set_index("category").loc[i18n.t("category.crisis", lang)]
    assert crisis["reach"] == i18n.t("coverage.value_phone_only", lang)
    assert crisis["gap_text"] == "" and crisis["mean_distance_km"] == NO_NUMBER and crisis["share_within_5km"] == NO_NUMBER
    gap_lines = [m.value for m in app.markdown if m.value.startswith("- **") and "**: " in m.value]
    assert not any(i18n.t("category.crisis", lang) in line for line in gap_lines)
    ranking = open_page("pages/coverage.py", lang, cat="crisis", ks="1").dataframe[0].value
    assert (ranking["reach"] == i18n.t("coverage.value_phone_only", lang)).all() and not ranking["gap"].any()


@pytest.mark.parametrize("lang, header", [("sl", "Storitve, ki pridejo k prebivalcem"), ("it", "Servizi che raggiungono i residenti"),
                                          ("en", "Services that come to the residents")])
def test_the_area_wide_column_says_what_it_counts(lang, header, data_dir):
    """It counts every service that comes to the residents (home, changing places, accommodation), not only at home."""
    assert i18n.t("report.col.area_wide_services", lang) == header
    app = open_page("pages/area.py", lang, area="ks-50606")
    assert header in app.dataframe[0].proto.columns


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_an_unknown_area_in_the_link_is_said_before_the_default(lang, data_dir):
    app = open_page("pages/area.py", lang, area="ks-xxxx")
    assert not app.exception, app.exception
    default = app.title[0].value
    from geo import safe

    assert [w.value for w in app.warning] == [i18n.t("profile.unknown_area", lang, area=safe.md_text("ks-xxxx"),
                                                     name=safe.md_text(default))]
    assert not open_page("pages/area.py", lang, area="ks-50606").warning


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_home_care_ranking_is_titled_served_or_not(lang, data_dir):
    """Home care: the ranking's title said 'mean distance to the nearest service' above served / not served."""
    app = open_page("pages/coverage.py", lang, cat="home_care")
    assert not app.exception, app.exception
    headings = [h.value for h in app.subheader]
    reach = i18n.t("coverage.measure_reach", lang)
    assert i18n.t("coverage.ranking", lang, measure=reach) in headings
    assert not any(i18n.t("measure.mean_distance_km", lang) in h for h in headings)
    assert reach in app.dataframe[0].proto.columns
    # places are still measured by distance
    day = open_page("pages/coverage.py", lang, cat=DAY_CENTRES)
    assert i18n.t("coverage.ranking", lang, measure=i18n.t("measure.mean_distance_km", lang)) in [h.value for h in day.subheader]


def _cards(app: AppTest) -> list[str]:
    """The phone's cards (ui.cards) of the page's one table, each card's HTML."""
    import re

    bodies = [e.proto.body for e in app.get("html") if 'class="koper-cards"' in e.proto.body]
    assert len(bodies) == 1, bodies
    return re.findall(r"<li>.*?</li>", bodies[0])


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_phone_cards_hold_the_ranking_with_links_to_the_profiles(lang, data_dir):
    """Issue 12: at 390 px the ranking is one card per area (the full table stays for wide screens)."""
    import html

    app = open_page("pages/coverage.py", lang, cat=DAY_CENTRES)
    ranking = app.dataframe[0].value
    items = _cards(app)
    assert len(items) == len(ranking) == 23
    for item, row in zip(items, ranking.to_dict("records")):
        assert f'<span class="koper-card-title">{row["rank"]}. {html.escape(row["area"])}</span>' in item
        if row["value"] != NO_NUMBER:  # the measure beside the name ("–" is left out: reach and gap say why)
            assert f'</span> · {html.escape(row["value"])}' in item.split("</summary>")[0]
        if row["gap_text"]:
            assert html.escape(row["gap_text"]) in item
        assert f"cat={DAY_CENTRES}" in item and f"lang={lang}" in item  # the link keeps the choices
    rakitovec = next(i for i in items if ">2. Rakitovec<" in i)
    assert km(20.4, lang) in rakitovec and "area=ks-50623" in rakitovec
    assert html.escape(i18n.t("coverage.open_profile", lang)) in rakitovec
    crisis = _cards(open_page("pages/coverage.py", lang, cat="crisis", ks="1"))
    assert len(crisis) == 22 and all(html.escape(i18n.t("coverage.value_phone_only", lang)) in c for c in crisis)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_phone_cards_of_an_area_profile_and_of_the_areas_page(lang, data_dir):
    import html

    app = open_page("pages/area.py", lang, area="ks-50606")
    items = _cards(app)
    table = app.dataframe[0].value
    assert len(items) == len(table) == 7
    crisis = next(i for i in items if html.escape(i18n.t("category.crisis", lang)) in i)
    assert html.escape(i18n.t("coverage.value_phone_only", lang)) in crisis.split("</summary>")[0]
    assert html.escape(i18n.t("report.col.gap_text", lang)) not in crisis.split("</summary>")[0]  # no gap
    areas_page = open_page("pages/areas.py", lang)
    assert not areas_page.exception
    listed = _cards(areas_page)
    assert len(listed) == len(areas_page.dataframe[0].value) == 23
    assert any(">Ankaran<" in item or ">Ancarano<" in item for item in listed)

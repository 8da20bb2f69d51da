"""The nearest-centre page through AppTest: start points, results, links, privacy."""
from __future__ import annotations

import logging

import pytest

from apptest_support import map_location_ids, run_page, texts
from geo import i18n, safe
from ui import common

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
    assert "Starting from: **Dekani** (settlement centre, approximate)" in said
    # Saturday 10:00: nothing for older people is open; the closed day centres come first with their next
    # opening, then (apart) the nearest three places that publish no hours, as before nearest first.
    assert app.info[0].value == i18n.t("answer.none_open", "en")
    assert _location_headings(app) == [
        "#### 1. Cesta Zore Perello\\-Godina 3, 6000 Koper",
        "#### 2. Krožna cesta 5, 6000 Koper",
        "#### 1. Cankarjeva ulica 6, 6000 Koper",
        "#### 2. Cesta Zore Perello\\-Godina 3, 6000 Koper",
        "#### 3. Krožna cesta 5, 6000 Koper",
    ]
    subheaders = [h.value for h in app.subheader]
    assert subheaders.index(i18n.t("answer.closed_title", "en", n=2)) < subheaders.index(
        i18n.t("answer.unknown_title", "en", n=3))
    # distances are nearest first, with the stated detour factor for the road estimate
    assert "**6.4 km** in a straight line, about 8.4 km by road" in said  # Cankarjeva ulica 6
    assert "**6.6 km** in a straight line, about 8.5 km by road" in said  # Perello-Godina 3
    assert "[\\(05\\) 663 45 93](tel:+38656634593)" in said
    assert "Straight line × 1.3" in said or "straight line × 1.3" in said
    # the services that come to the home at Dekani are listed as such (home help, meals, alarm, Vitica,
    # Prostofer: the last two closed on Saturday, with their next opening, not dropped)
    assert i18n.t("answer.home_title", "en", n=5) in said
    assert "Remote alarm – Red button · Care at home · Open" in said
    assert "Prostofer – free rides for older people · Care at home · Closed, opens Monday 07\\:00" in said
    # the result map shows exactly the three locations listed
    assert len(map_location_ids(app)) == 3


def test_the_view_is_a_link_with_the_settlement_and_filters(data_dir):
    app = run_page(PAGE, "it", **{"from": f"settlement:{DEKANI}", "cat": "day_activities", "k": "5"})
    assert app.query_params["from"] == f"settlement:{DEKANI}"
    assert app.query_params["cat"] == "day_activities"
    assert app.query_params["k"] == "5"
    assert app.select_slider(key="near_k").value == 5
    assert app.subheader[2].value.startswith("I luoghi più vicini")


def test_without_a_starting_point_the_page_asks_for_one(data_dir):
    app = run_page(PAGE, "sl")
    assert app.info[0].value == i18n.t("nearest.no_start", "sl")
    assert "from" not in app.query_params


def test_a_local_community_as_the_starting_point(data_dir):
    app = run_page(PAGE, "en", **{"from": "area:ks-50605"})
    assert app.radio(key="near_method").value == "area"
    assert "Starting from: **Dekani** (centre of the local community, approximate)" in texts(app)
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
    assert "(settlement centre, approximate)" in texts(app)


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


# --- the citizen's answer (issue 12) -----------------------------------------------------------------

GRACISCE = "10101611"
SATURDAY_10 = {"hours": "open_at", "at": "2026-11-28T10:00"}  # Saturday 28 November 2026, 10:00
DAY_CENTRES = ("day-activities-centre", "day-care-oljka")  # Mo-Fr 07:00-19:00 / 07:00-17:00
#: "Closed, opens Monday 07:00" as each language writes it (Markdown-escaped colon).
CLOSED_UNTIL_MONDAY = {lang: safe.md_text(text) for lang, text in {
    "sl": "Zaprto, naslednjič odprto: ponedeljek ob 07:00", "it": "Chiuso, apre lunedì alle 07:00",
    "en": "Closed, opens Monday 07:00"}.items()}
HOME_PHONES = ("tel:+38656659797", "tel:+38656659798", "tel:+38656634585", "tel:+38630710007", "tel:+386801010")


@pytest.fixture(scope="module")
def directory_table():
    from geo import directory, settings
    return directory.directory_table(settings.PROJECT_DIR / "data").set_index("id")


def _section_lines(app, title: str) -> list[str]:
    """The service lines ('- **name** · …') between a section's subheader and the next subheader."""
    lines, inside = [], False
    for kind, value in _page_order(app):
        if kind == "subheader":
            if inside:
                break
            inside = value == title
        elif inside and value.startswith("- **"):
            lines.append(value)
    return lines


def _page_order(app) -> list[tuple[str, str]]:
    """(kind, text) of subheaders and Markdown in the order the page drew them."""
    found: list[tuple[str, str]] = []

    def walk(node):
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            kind = type(child).__name__.lower()
            if kind in ("subheader", "markdown"):
                found.append((kind, child.value))
            walk(child)

    walk(app.main)
    return found


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_gracisce_day_centre_on_saturday_shows_closed_centres_with_next_opening_and_unknown_apart(
        lang, data_dir, directory_table):
    app = run_page(PAGE, lang, **{"from": f"settlement:{GRACISCE}", "cat": "day_activities", **SATURDAY_10})
    assert not app.exception
    subheaders = [h.value for h in app.subheader]
    # nothing is open then: said once, no empty "nearest places (0)" heading
    assert app.info[0].value == i18n.t("answer.none_open", lang)
    assert not any(h.startswith(i18n.t("answer.open_title", lang, n=0)[:-3]) for h in subheaders)
    assert i18n.t("nearest.results", lang, n=0) not in subheaders
    # the two day centres: listed as closed, with their next opening in the language
    closed_title = i18n.t("answer.closed_title", lang, n=2)
    assert closed_title in subheaders
    closed = _section_lines(app, closed_title)
    names = [i18n.field(directory_table.loc[i].to_dict(), "name", lang) for i in DAY_CENTRES]
    assert len(closed) == 2 and all(any(safe.md_text(n) in line for line in closed) for n in names)
    assert all(CLOSED_UNTIL_MONDAY[lang] in line and "tel:" in line for line in closed)
    # the ones with unknown hours: apart, after the closed ones, each with its phone visible
    unknown_title = i18n.t("answer.unknown_title", lang, n=3)
    assert subheaders.index(closed_title) < subheaders.index(unknown_title)
    unknown = _section_lines(app, unknown_title)
    assert len(unknown) >= 3
    for line in unknown:
        assert safe.md_text(i18n.t("answer.call_first", lang)) in line
        assert "](tel:+386" in line
    assert not any(CLOSED_UNTIL_MONDAY[lang] in line for line in unknown)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_home_care_comes_first_open_with_phones_never_under_an_empty_places_heading(lang, data_dir):
    app = run_page(PAGE, lang, **{"from": f"settlement:{GRACISCE}", "cat": "home_care", **SATURDAY_10})
    assert not app.exception
    subheaders = [h.value for h in app.subheader]
    results = subheaders[2:]  # after "From where?" and "What do you need?"
    assert results[0] == i18n.t("answer.home_title", lang, n=5)
    said = texts(app)
    for absent in (i18n.t("nearest.results", lang, n=0), i18n.t("nearest.none", lang), i18n.t("answer.nothing", lang),
                   i18n.t("answer.none_open", lang)):
        assert absent not in said
    # phones visible without opening anything, and every entry open
    lines = _section_lines(app, results[0])
    assert len(lines) == 5
    for phone in HOME_PHONES:
        assert phone in "".join(lines)
    # each entry's details open (the "what do you need" fold above the answer is not one of them)
    entries = [e for e in app.expander if e.label != i18n.t("nearest.need_fold", lang)]
    assert len(entries) == 5 and all(e.proto.expanded for e in entries)
    assert all(e.label == i18n.t("nearest.details", lang) for e in entries)
    # closed on Saturday is said with the next opening, not dropped (Vitica, Prostofer: Mo-Fr)
    assert sum(CLOSED_UNTIL_MONDAY[lang] in line for line in lines) == 2
    assert i18n.plural("answer.count", lang, 5) in [c.value for c in app.caption]


def test_home_delivered_meals_come_first_for_a_search_by_the_word_people_use(data_dir):
    app = run_page(PAGE, "sl", **{"from": f"settlement:{GRACISCE}", "q": "kosilo"})
    results = [h.value for h in app.subheader][2:]
    assert results[0] == i18n.t("answer.home_title", "sl", n=1)  # meals on wheels (the data say "kosila")
    assert "Dnevna dostava kosil na dom" in _section_lines(app, results[0])[0]
    assert i18n.plural("answer.count", "sl", 2) == "2 ustrezni storitvi"
    assert "2 ustrezni storitvi" in texts(app)  # meals on wheels + municipal aid (also pays for lunches)


@pytest.mark.parametrize(("lang", "said"), [("sl", "3 ustrezne storitve"), ("it", "3 servizi corrispondenti"),
                                           ("en", "3 matching services")])
def test_counts_use_the_languages_plural_forms(lang, said, data_dir):
    app = run_page(PAGE, lang, **{"from": f"settlement:{DEKANI}", "cat": "crisis"})
    assert said in [c.value for c in app.caption]
    one = run_page(PAGE, "en", **{"from": f"settlement:{DEKANI}", "q": "lawyer"})
    assert "1 matching service" in [c.value for c in one.caption]


def test_what_do_you_need_is_in_the_main_column_not_only_the_side_panel(data_dir):
    app = run_page(PAGE, "en", **{"from": f"settlement:{DEKANI}"})
    main_keys = {w.key for w in app.main.checkbox} | {w.key for w in app.main.text_input} | {
        w.key for w in app.main.radio} | {w.key for w in app.main.select_slider}
    assert {"near_category_day_activities", "near_target_group_older", "near_text", "near_hours", "near_k"} <= main_keys
    # the side panel holds only the language choice (radio buttons), none of the filters
    assert not list(app.sidebar.checkbox) and [w.key for w in app.sidebar.radio] == [common.PICKER_KEY]
    # and it works from there
    app.checkbox(key="near_category_crisis").check().run()
    assert app.query_params["cat"] == "crisis"
    assert i18n.t("list.confidential", "en", n=3) in texts(app)


@pytest.mark.parametrize(("lang", "place"), [("sl", "Hrvatini"), ("it", "Crevatini"), ("en", "Hrvatini")])
def test_the_starting_settlement_is_named_in_the_page_language(lang, place, data_dir):
    app = run_page(PAGE, lang, **{"from": "settlement:10101662"})
    assert f"**{place}** (" in texts(app)
    assert "Hrvatini / Crevatini**" not in texts(app)


def test_a_typed_address_is_shown_with_its_italian_register_names(data_dir):
    app = run_page(PAGE, "it")
    app.radio(key="near_method").set_value("address").run()
    app.text_input(key="near_address").input("Krožna cesta 5, Koper")
    app.button[0].click().run()
    assert "Partenza: **Strada Circolare 5, 6000 Capodistria**" in texts(app)
    app.text_input(key="near_address").input("Hrvatini")
    app.button[0].click().run()
    said = texts(app)
    assert "Partenza: **Crevatini** (" in said
    assert "settlement centroid" not in said  # the register's English note is not part of the name


def test_the_counts_beside_the_choices_include_what_is_closed_then(data_dir):
    # Saturday 10:00: the day centres are closed but listed (with their next opening), so they are counted.
    app = run_page(PAGE, "en", **{"from": f"settlement:{GRACISCE}", **SATURDAY_10})
    label = app.checkbox(key="near_category_day_activities").label
    app.checkbox(key="near_category_day_activities").check().run()
    shown = len([line for line in (m.value for m in app.markdown) if line.startswith("- **")])
    closed = i18n.t("answer.closed_title", "en", n=2)
    assert closed in [h.value for h in app.subheader]
    everything = i18n.plural("answer.count", "en", int(label.rsplit("(", 1)[1].rstrip(")")))
    assert everything in [c.value for c in app.caption], (label, shown)


def test_nothing_matching_is_said_once_plainly(data_dir):
    app = run_page(PAGE, "sl", **{"from": f"settlement:{GRACISCE}", "cat": "crisis", "grp": "homeless"})
    assert [i.value for i in app.info] == [i18n.t("answer.nothing", "sl")]
    assert i18n.t("nearest.results", "sl", n=0) not in [h.value for h in app.subheader]


def test_each_service_is_listed_once_a_line_with_its_details_folded_under_it(data_dir):
    app = run_page(PAGE, "en", **{"from": f"settlement:{DEKANI}"})
    lines = [m.value for m in app.markdown if m.value.startswith("- **")]
    assert len(lines) >= 3
    details = [e for e in app.expander if e.label == i18n.t("nearest.details", "en")]
    assert len(details) == len(lines)  # one fold per line, each under its own line
    listed = {line.split("**")[1].split(" · ")[0] for line in lines}
    # no service named a second time as an expander's label
    assert not [e.label for e in app.expander if e.label.split(" · ")[0] in listed]
    assert all(d.markdown and "tel:" in "".join(m.value for m in d.markdown) for d in details[:1])


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_what_do_you_need_folds_once_there_is_a_start_so_the_answer_comes_first(lang, data_dir):
    def need_fold(app):
        (fold,) = [e for e in app.expander if e.label == i18n.t("nearest.need_fold", lang)]
        return fold

    asking = run_page(PAGE, lang)
    assert need_fold(asking).proto.expanded  # nothing to answer yet: the choices are open
    answered = run_page(PAGE, lang, **{"from": f"settlement:{DEKANI}"})
    fold = need_fold(answered)
    assert not fold.proto.expanded
    assert {"near_category_day_activities", "near_text", "near_k"} <= {
        w.key for w in [*fold.checkbox, *fold.text_input, *fold.select_slider]}

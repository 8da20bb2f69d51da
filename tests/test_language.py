"""The language stays with the visitor (issue 12, "In the user's language"): across the navigation
menu (whose links drop the query string), after a choice in the language box, and after a sign-in
round trip (a new session on "/", which finds the language in a cookie); the tab title and the
document's language follow it. The real browser check is tests/test_browser_language.py."""
from __future__ import annotations

import json
import re
import string

import pytest
import streamlit

from apptest_support import DEFAULT_PAGE, PAGES, UPKEEP_PAGE, run_page, texts
from geo import i18n, model
from ui import common

TITLE_KEYS = {"pages/map.py": "page.map", "pages/nearest.py": "page.nearest", "pages/directory.py": "page.directory",
              "pages/areas.py": "page.areas", "pages/coverage.py": "page.coverage",
              "pages/council.py": "council.overview_title", "pages/whatif.py": "page.whatif"}
FIRST_AREA = {"sl": "Bertoki", "it": "Bertocchi", "en": "Bertoki"}


def _title(page: str, lang: str) -> str:
    return FIRST_AREA[lang] if page == "pages/area.py" else i18n.t(TITLE_KEYS[page], lang)


def _menu_move(app, page: str):
    """What a click in the navigation menu sends: the page, and no query string."""
    app.query_params.clear()
    return app.switch_page(page).run()


def _document_script(app) -> dict:
    """The texts app.py gave the in-page script (``ui.common.mark_document``)."""
    bodies = [e.proto.body for e in app.get("html") if "koperMapDocument" in e.proto.body]
    assert len(bodies) == 1, bodies
    return json.loads(re.search(r"const texts = (\{.*?\});", bodies[0]).group(1).replace("<\\/", "</"))


def test_every_menu_move_from_an_italian_link_stays_italian(data_dir):
    app = run_page(DEFAULT_PAGE, "it")
    for page in [*PAGES[1:], DEFAULT_PAGE]:
        _menu_move(app, page)
        assert not app.exception, (page, app.exception)
        assert app.title[0].value == _title(page, "it"), page
        assert app.query_params["lang"] == "it", page  # written back to the link
        assert app.radio(key=common.PICKER_KEY).value == "it"
        assert _document_script(app)["lang"] == "it"


def test_the_language_box_choice_stays_on_the_next_pages(data_dir):
    app = run_page("pages/directory.py", "sl")
    app.radio(key=common.PICKER_KEY).set_value("en").run()
    assert app.title[0].value == "Service directory"
    script = _document_script(app)
    assert (script["lang"], script["mapFrame"]) == ("en", i18n.t("map.frame_title", "en"))
    app.radio(key=common.PICKER_KEY).set_value("sl").run()
    script = _document_script(app)
    assert script["chrome"]["Collapse sidebar"] == "Skrij stranski stolpec"  # Streamlit's own names, translated
    assert script["chrome"]["Choose an option"] == "Izberite možnost" and script["segments"]["day"] == "dan"
    assert script["chrome"]["Previous month"] == "Prejšnji mesec"  # the date picker's calendar (browser test)
    assert script["prefixes"] == {"Choose date": "Izberite datum", "Help for": "Pomoč k polju", "Remove": "Odstrani izbiro",
                                  "Fullscreen": "Celozaslonski prikaz", "Cancel upload of": "Prekliči nalaganje datoteke"}
    assert script["chrome"]["Decrement"] == "Zmanjšaj" and script["chrome"]["Show/hide columns"] == "Pokaži ali skrij stolpce"
    assert script["visible"]["{n} results"] == "Zadetki: {n}"  # the table search's count, filled in by the script
    app.radio(key=common.PICKER_KEY).set_value("en").run()
    for page in ("pages/areas.py", "pages/nearest.py"):
        _menu_move(app, page)
        assert app.title[0].value == _title(page, "en")
    app.radio(key=common.PICKER_KEY).set_value("it").run()
    assert app.title[0].value == _title("pages/nearest.py", "it")
    _menu_move(app, DEFAULT_PAGE)
    assert app.title[0].value == i18n.t("page.map", "it")


def test_a_link_naming_a_language_wins_over_the_sessions_choice(data_dir):
    app = run_page("pages/areas.py", "it")
    app.query_params["lang"] = "en"
    app.run()
    assert app.title[0].value == "Local areas"
    _menu_move(app, "pages/directory.py")
    assert app.title[0].value == "Service directory"


def test_a_new_session_without_lang_takes_the_browsers_remembered_language(data_dir, monkeypatch):
    # After signing in or out the identity provider sends the browser to "/" (a new session, no
    # ?lang=): the cookie the page script set brings the language back. An unknown value is Slovene.
    monkeypatch.setattr(common, "_remembered", lambda: "it")
    app = run_page(DEFAULT_PAGE, "")
    assert app.title[0].value == i18n.t("page.map", "it")
    monkeypatch.setattr(common, "_remembered", lambda: "de")
    app = run_page(DEFAULT_PAGE, "")
    assert app.title[0].value == i18n.t("page.map", "sl")


def test_the_script_sets_html_lang_and_the_cookie_and_names_map_frames(data_dir):
    app = run_page(DEFAULT_PAGE, "it")
    body = next(e.proto.body for e in app.get("html") if "koperMapDocument" in e.proto.body)
    assert "document.documentElement.lang = texts.lang" in body
    assert f'document.cookie = "{common.LANG_COOKIE}=" + texts.lang' in body
    assert 'iframe[title="streamlit_folium.st_folium"]' in body
    assert _document_script(app)["mapFrame"] == "Mappa interattiva (come l'elenco sottostante)"


#: Streamlit words that are the same in Italian (the page script leaves them as they are).
SAME_IN_ITALIAN = {"chrome.visible.format_euro", "chrome.visible.format_yen"}
#: English texts of ours, not Streamlit's words: the table search's count as a pattern, said without a plural.
OWN_ENGLISH = {"chrome.visible.search_results": "Results: {n}", "chrome.visible.search_result_of": "Result {i} of {n}",
               "chrome.visible.search_over": "over 1,000"}


def test_every_streamlit_name_the_page_script_says_has_a_text_in_every_language():
    """Each of Streamlit's English names, sentences and name heads (ui.common) has a chrome.* text in
    sl, it and en: a translation in Slovene and Italian, and Streamlit's own words in English (an
    English page reads what Streamlit wrote)."""
    entries = [*((f"chrome.{key}", english) for key, english in common.STREAMLIT_ENGLISH.items()),
               *((f"chrome.visible.{key}", english) for key, english in common.STREAMLIT_VISIBLE_ENGLISH.items()),
               *((f"chrome.{key}", english) for key, english in common.STREAMLIT_ENGLISH_PREFIXES.items())]
    assert len(entries) >= 80  # the toolbars, table menus, number steppers, help buttons, chips, chart roles
    for key, english in entries:
        for lang in i18n.LANGUAGES:
            assert key in i18n.TABLES[lang], (lang, key)
        assert i18n.TABLES["en"][key] == OWN_ENGLISH.get(key, english), key
        assert i18n.TABLES["sl"][key] != english, key
        assert i18n.TABLES["it"][key] != english or key in SAME_IN_ITALIAN, key
    assert i18n.t("chrome.visible.search_results", "sl") == "Zadetki: {n}"  # a template: the script fills in the count
    # the names found English on the coverage, area, council and what-if pages (issue 12 leftover)
    said = {english: i18n.t(key, "sl") for key, english in entries}
    assert {name: said[name] for name in ("Decrement", "Increment", "Help for", "Show/hide columns", "Download as CSV",
                                          "Search", "Fullscreen", "Show data", "Download as PNG",
                                          "Copy Vega-Lite spec", "Vega visualization", "Remove")} == {
        "Decrement": "Zmanjšaj", "Increment": "Povečaj", "Help for": "Pomoč k polju",
        "Show/hide columns": "Pokaži ali skrij stolpce", "Download as CSV": "Prenesi kot CSV", "Search": "Išči",
        "Fullscreen": "Celozaslonski prikaz", "Show data": "Pokaži podatke", "Download as PNG": "Prenesi kot PNG",
        "Copy Vega-Lite spec": "Kopiraj opis grafikona (Vega-Lite)", "Vega visualization": "Grafikon",
        "Remove": "Odstrani izbiro"}
    # no angle bracket before a letter or "/" in the script: Streamlit's HTML sanitiser drops such a script whole
    assert not re.search(r"<[/\w]", common._DOCUMENT_SCRIPT.removeprefix("<script>").removesuffix("</script>"))


@pytest.mark.parametrize("lang", ["sl", "it"])
def test_the_coverage_chart_is_described_in_the_language_and_vegas_english_is_off(lang, data_dir):
    """Screen readers get one description of the bar chart in the page language; Vega's own English
    names of each bar, axis and legend are off (the ranking table has the numbers); the tooltip and
    the columns of Streamlit's "Show data" are named in the language; numbers use its separators."""
    app = run_page("pages/coverage.py", lang)
    assert not app.exception, app.exception
    (chart,) = app.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    opening = {"sl": "Stolpčni grafikon: Povprečna razdalja do najbližje storitve po območjih, najslabše oskrbljena na vrhu, od ",
               "it": "Grafico a barre: Distanza media dal servizio più vicino per area, le meno servite in alto, da "}[lang]
    assert spec["description"].startswith(opening)
    assert re.search(r"\(\d+,\d km\)", spec["description"])  # "(19,9 km)": the language's decimal comma
    assert spec["config"]["aria"] is False and spec["mark"]["aria"] is False
    assert spec["config"]["locale"]["number"]["decimal"] == "," and spec["config"]["locale"]["number"]["thousands"] == "."
    value = f"{i18n.t('measure.mean_distance_km', lang)} (km)"
    encoding = spec["encoding"]
    assert (encoding["x"]["field"], encoding["y"]["field"], encoding["color"]["field"]) == (
        value, i18n.t("report.col.area", lang), i18n.t("report.col.gap", lang))
    assert [t["title"] for t in encoding["tooltip"]] == [i18n.t("report.col.area", lang), value]
    assert all(encoding[channel]["axis"]["aria"] is False for channel in ("x", "y"))
    assert encoding["color"]["legend"]["aria"] is False


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_coverage_charts_axis_names_a_per_1000_unit_once(lang, data_dir):
    app = run_page("pages/coverage.py", lang)
    app.selectbox(key="cov_measure").set_value("services_per_1000").run()
    assert not app.exception, app.exception
    (chart,) = app.get("vega_lite_chart")
    title = json.loads(chart.proto.spec)["encoding"]["x"]["title"]
    assert title == i18n.t("measure.services_per_1000", lang)  # "… na 1.000 prebivalcev", not "(…)" again
    assert title.casefold().count(i18n.t("unit.label.per1000", lang).casefold()) == 1


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_tab_title_names_the_page_in_the_language(lang, data_dir, monkeypatch):
    seen = []
    original = streamlit.set_page_config
    monkeypatch.setattr(streamlit, "set_page_config", lambda **kw: (seen.append(kw["page_title"]), original(**kw))[1])
    run_page("pages/directory.py", lang)
    assert seen[-1] == f"{i18n.t('page.directory', lang)} · {i18n.t('app.tab_title', lang)}"
    assert seen[-1] == {"sl": "Imenik storitev · Koper – socialne storitve",
                        "it": "Elenco dei servizi · Capodistria – servizi sociali",
                        "en": "Service directory · Koper – social services"}[lang]


def test_a_data_problem_is_said_in_the_staff_members_language():
    from geo.errors import Problem

    problem = Problem.said("services.csv", 7, "id", "a-b", "problem.duplicate_id", row=3)
    assert problem.message == "duplicate id (also in row 3)"  # English: command line and logs
    assert str(problem) == "services.csv, row 7, field 'id': duplicate id (also in row 3) (value: 'a-b')"
    assert i18n.problem_text(problem, "sl") == "podvojen ID (tudi v vrstici 3)"
    assert i18n.problem_text(problem, "it") == "ID duplicato (anche nella riga 3)"
    plain = Problem("x.csv", 2, None, None, "something only a developer reads")
    assert i18n.problem_text(plain, "sl") == "something only a developer reads"  # no key: its own message


def test_upload_checks_say_their_problems_in_the_language(tmp_path):
    from geo.upkeep import checking

    assert i18n.t("problem.lost_letters", "en") == checking.LOST_LETTERS_MESSAGE  # advice() compares it
    assert i18n.t("problem.round_trip", "en", found="'Ĺľ'", meant="'ž'") == checking.ROUND_TRIP_MESSAGE.format(
        found="'Ĺľ'", meant="'ž'")
    assert "Windows-1250" in i18n.t("problem.lost_letters", "sl") and "sredi besede" in i18n.t("problem.lost_letters", "sl")


# --- no English or developer text on a Slovene or Italian page ------------------------------------

#: Developer phrases and English seen on sl/it pages before (issue 12), and signs of raw values.
DEVELOPER_PHRASES = re.compile(
    r"make geocode|Street-level|Online geocoder|confirm with|offline register|matching services|\bNone\b|\bnan\b|\bNaN\b"
    r"|Traceback|\bday, Dan\b|\(value: |, field '|\bunknown\b|\bservices\b|\bhours\b|\bphone\b|\bresidents\b"
    r"|\bthe\b|\bwith\b|\band\b|\bnot\b|\bavailable\b|\bnearest\b|\bclosed\b|\bopen\b")
#: A date written the ISO way (2024-01-01): sl and it pages write dates their own way.
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
LABEL_KINDS = ("selectbox", "multiselect", "radio", "toggle", "checkbox", "button", "text_input", "slider",
               "select_slider", "date_input", "time_input", "number_input", "text_area")


def _templates(lang: str) -> list[re.Pattern]:
    """Every text of the language's table as a pattern (placeholders match anything), with an
    optional short " (…)" after it (a count, a unit); texts with fewer than three letters of their own are left out
    (a bare "{value}" would match anything)."""
    found = []
    for entry in i18n.TABLES[lang].values():
        for text in (entry.values() if isinstance(entry, dict) else [entry]):
            parsed = list(string.Formatter().parse(text))
            has_fields = any(name is not None for _, name, _, _ in parsed)
            if has_fields and sum(ch.isalpha() for literal, *_ in parsed for ch in literal) < 3:
                continue
            pattern = "".join(re.escape(literal) + (".+?" if name is not None else "") for literal, name, _, _ in parsed)
            found.append(re.compile(pattern + r"(?: \([^()]{1,24}\))?", re.S))  # + "(12)", "(km)"
    return found


def _labels(app) -> list[tuple[str, str]]:
    """What names the page's controls, tabs, metrics and table columns (never data)."""
    labels = [(kind, w.label) for kind in LABEL_KINDS for w in getattr(app, kind, [])]
    labels += [("tab", t.label) for t in app.tabs] + [("metric", m.label) for m in app.metric]
    for frame in app.dataframe:
        configured = json.loads(frame.proto.columns or "{}")
        labels += [("column", (configured.get(str(c)) or {}).get("label") or str(c)) for c in frame.value.columns]
    return [(kind, label) for kind, label in labels if label]


@pytest.mark.parametrize("lang", ["sl", "it"])
@pytest.mark.parametrize("page", [*PAGES, UPKEEP_PAGE])
def test_a_slovene_or_italian_page_says_nothing_in_english(page, lang, data_dir):
    app = run_page(page, lang)
    assert not app.exception, app.exception
    templates = _templates(lang)
    not_from_tables = [(kind, label) for kind, label in _labels(app) if not any(p.fullmatch(label) for p in templates)]
    assert not not_from_tables, not_from_tables  # every control and column is named from the text tables
    said = texts(app) + "\n" + "\n".join(label for _, label in _labels(app))
    if page == UPKEEP_PAGE:  # staff are told the command's name ("… z ukazom »make geocode« …") in their language
        said = said.replace("»make geocode«", "").replace("«make geocode»", "")
    english = sorted({m.group(0) for m in DEVELOPER_PHRASES.finditer(said)})
    assert not english, [line for line in said.splitlines() if DEVELOPER_PHRASES.search(line)][:5]
    cells = [str(v) for frame in app.dataframe for v in frame.value.astype(str).to_numpy().ravel()]
    iso = [v for v in [*cells, *said.splitlines()] if ISO_DAY.search(v)]
    assert not iso, iso[:5]


def test_the_directory_checks_are_said_in_italian_on_the_staff_page(data_dir):
    from geo import load
    from geo.upkeep import checking

    frame = load.read_csv_text(data_dir / "services.csv")
    frame.loc[0, "phones"] = "05 123"
    frame.loc[1, "id"] = frame.loc[0, "id"]
    frame.loc[2, "category"] = "homecare"
    english = checking.records_with_problems(frame)
    italian = checking.records_with_problems(frame, lang="it")
    assert list(english["message"][:3]) == ["phone '05 123' must be in E.164 form, e.g. +38656634550",
                                            "duplicate id (also in row 2)", f"must be one of: {', '.join(model.CATEGORIES)}"]
    assert list(italian["message"][:3]) == ["il telefono '05 123' deve essere in formato E.164, es. +38656634550",
                                            "ID duplicato (anche nella riga 2)", f"deve essere uno tra: {', '.join(model.CATEGORIES)}"]


def test_the_staff_pages_old_verification_dates_are_written_the_languages_way(data_dir):
    import datetime as dt

    from geo import hours

    path = data_dir / "services.csv"
    old = hours.local_now().date() - dt.timedelta(days=400)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("2026-11-23\n", old.isoformat() + "\n", 1), encoding="utf-8")
    app = run_page(UPKEEP_PAGE, "it")
    cells = [str(v) for frame in app.dataframe for v in frame.value.astype(str).to_numpy().ravel()]
    assert i18n.format_day(old, "it") in cells and old.isoformat() not in cells
    assert i18n.format_iso_day("2024-01-01", "sl") == "1. jan. 2024" and i18n.format_iso_day("ni znano", "sl") == "ni znano"

"""The council report page through AppTest: screens, the link, the PDF offered as bytes, the map's
text alternative, numbers and dates in the language (the browser checks are in test_browser_council.py)."""
from __future__ import annotations

import math
import time

import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import texts
from geo import areas, choropleth, coverage, directory, i18n, settings
from ui import council_panel

DAY_CENTRES = "day_activities"


def open_page(page: str, lang: str, **params: str) -> AppTest:
    """The app started in ``lang``, then the page with the link's parameters (the start page would rewrite them)."""
    app = AppTest.from_file(str(settings.PROJECT_DIR / "app.py"), default_timeout=120)
    app.query_params["lang"] = lang
    app.run()
    for key, value in params.items():
        app.query_params[key] = value
    return app.switch_page(page).run()


def day_centres(data_dir) -> tuple:
    """The day-centre table as the page has it, least served first."""
    table = coverage.area_coverage(directory.directory_table(data_dir), areas.load_areas(data_dir),
                                   areas.load_demand_points(data_dir), category=DAY_CENTRES,
                                   include_unknown_hours=True)
    return table, choropleth.ranked(table, choropleth.DEFAULT_MEASURE)


def plain(markdown: str) -> str:
    """Markdown as read: without the backslashes that keep data literal (safe.md_text)."""
    return markdown.replace("\\", "")


def titles(app: AppTest) -> list[str]:
    return [plain(t.value) for t in app.title]


def test_screens_are_the_overview_the_gaps_and_the_areas_four_at_a_time():
    ids = [f"a{i}" for i in range(23)]
    screens = council_panel.screens(ids)
    assert screens[:2] == ["overview", "gaps"] and len(screens) == 2 + math.ceil(23 / council_panel.AREAS_PER_SCREEN) == 8
    assert screens[2] == ("a0", "a1", "a2", "a3") and screens[-1] == ("a20", "a21", "a22")
    assert council_panel.screens([]) == ["overview", "gaps"]
    assert council_panel.parse_step("x", 8) == 1 and council_panel.parse_step("99999999999", 8) == 8


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_council_steps_through_overview_gaps_and_areas(lang, data_dir):
    table, ranked = day_centres(data_dir)
    names = [i18n.name_in(r, lang) for r in ranked.to_dict("records")]
    app = open_page("pages/council.py", lang, cat=DAY_CENTRES)
    assert not app.exception, app.exception
    assert titles(app) == [i18n.t("council.overview_title", lang)]
    said = texts(app)
    assert i18n.t("council.step", lang, step=1, total=8) in said  # 25 screens before: now 2 + 23 areas / 4
    assert coverage.words.gap_summary(table, lang) in said  # the headline counts exactly the flags
    app.button(key="council_next").click().run()
    assert titles(app) == [i18n.t("council.gaps_title", lang, n=int(table["gap"].sum()))]
    assert app.query_params["step"] == "2"
    app.button(key="council_next").click().run()
    assert titles(app) == [" · ".join(names[:4])]
    assert "Rakitovec" in titles(app)[0]  # the far east of Koper is among the four least served
    assert [plain(s.value) for s in app.subheader] == names[:4]
    app.button(key="council_prev").click().run()
    assert app.query_params["step"] == "2"


def test_council_opens_at_the_step_in_the_link(data_dir):
    _table, ranked = day_centres(data_dir)
    app = open_page("pages/council.py", "it", cat=DAY_CENTRES, step="4")
    # screen 4 = the second group of areas: the fifth to eighth least served
    assert titles(app) == [" · ".join(i18n.name_in(r, "it") for r in ranked.iloc[4:8].to_dict("records"))]


def test_council_areas_chosen_in_a_link_are_the_only_area_screens(data_dir):
    app = open_page("pages/council.py", "en", cat=DAY_CENTRES, areas="ks-50605,ks-50617,nonsense", step="3")
    assert not app.exception, app.exception
    assert app.multiselect(key="council_areas").value == ["ks-50605", "ks-50617"]
    assert i18n.t("council.step", "en", step=3, total=3) in texts(app)
    assert app.query_params["areas"] == "ks-50605,ks-50617"
    assert sorted(plain(s.value) for s in app.subheader) == ["Dekani", "Olmo-Prisoje"]


def test_a_10000_fold_areas_link_is_cut_short_fast_and_written_back_short(data_dir):
    started = time.perf_counter()
    app = open_page("pages/council.py", "en", cat=DAY_CENTRES, areas="ks-50605,ks-50617,nonsense," * 10_000)
    elapsed = time.perf_counter() - started
    assert not app.exception, app.exception
    assert app.multiselect(key="council_areas").value == ["ks-50605", "ks-50617"]
    assert app.query_params["areas"] == "ks-50605,ks-50617"  # de-duplicated: a short link, not 270 KB
    assert i18n.t("council.step", "en", step=1, total=3) in texts(app)
    assert elapsed < 15, f"opening the council page with a 10,000-fold ?areas= took {elapsed:.1f} s"


def test_an_areas_link_with_nothing_known_means_every_area(data_dir):
    app = open_page("pages/council.py", "sl", cat=DAY_CENTRES, areas="," * 50_000 + "x" * 100_000, step="99999999999")
    assert not app.exception, app.exception
    assert len(app.multiselect(key="council_areas").value) == 23
    assert "areas" not in app.query_params and app.query_params["step"] == "8"  # clamped to the last screen


def test_the_pdf_is_offered_as_bytes_under_one_key_on_every_screen(data_dir):
    """A deferred (callable) download is withdrawn by the next rerun: a click right after "Next" failed."""
    app = open_page("pages/council.py", "sl", cat=DAY_CENTRES, areas="ks-50605,ks-50617")
    urls = []
    for screen in range(3):
        if screen:
            app.button(key="council_next").click().run()
        buttons = [b for b in app.get("download_button") if b.proto.id.endswith("council_pdf")]
        assert len(buttons) == 1
        assert buttons[0].proto.deferred_file_id == "" and "media/" in buttons[0].proto.url
        assert buttons[0].proto.ignore_rerun  # downloading does not rerun the page
        urls.append(buttons[0].proto.url)
    assert len(set(urls)) == 1  # the same bytes, so the same file, on every screen


@pytest.mark.parametrize("lang, people, approx", [
    ("sl", "**1.262** prebivalcev", "približno v letu 2022 (natančen datum ni znan)"),
    ("it", "**1.262** residenti", "riferita all'anno 2022 circa (data esatta non nota)"),
    ("en", "**1,262** residents", "as of about 2022 (exact date not known)"),
])
def test_area_screens_say_numbers_and_dates_in_the_language(lang, people, approx, data_dir):
    # Gračišče (1,262 residents) and Ankaran (population known only for about 2022) on one screen
    app = open_page("pages/council.py", lang, cat=DAY_CENTRES, areas="ks-50606,ob-213", step="3")
    assert not app.exception, app.exception
    said = texts(app)
    assert people in said
    caption = plain(" ".join(c.value for c in app.caption))
    assert approx in caption and "approx." not in caption.replace(approx, "")
    assert "None" not in said and "nan" not in said.split()


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_static_map_has_a_text_alternative(lang, data_dir):
    table, ranked = day_centres(data_dir)
    app = open_page("pages/council.py", lang, cat=DAY_CENTRES)
    images = [img for element in app.get("image") for img in element.proto.imgs]
    assert len(images) == 1
    alt = images[0].alt
    assert alt.startswith(i18n.plural("report.map_alt", lang, 23, measure=i18n.t("measure.mean_distance_km", lang)))
    assert i18n.name_in(ranked.iloc[0], lang) in alt and "Koper - Center" in alt


def test_home_care_screens_say_served_or_not_without_a_rank(data_dir):
    app = open_page("pages/council.py", "en", cat="home_care", areas="ob-213,ks-50604", step="3")
    assert not app.exception, app.exception
    said = texts(app)
    assert i18n.t("coverage.value_not_reached", "en") in plain(said)  # Ankaran: none comes there
    assert i18n.plural("coverage.value_reached", "en", 5) in plain(said)  # Bertoki: five come to the homes
    assert "(rank" not in said  # served / not served has no rank among the areas

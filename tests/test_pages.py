"""Every page runs with AppTest in every language, on real data and on broken data."""
from __future__ import annotations

import pytest

from apptest_support import PAGES, run_page
from geo import i18n

TITLE_KEYS = {"pages/map.py": "page.map", "pages/nearest.py": "page.nearest",
              "pages/directory.py": "page.directory", "pages/areas.py": "page.areas",
              "pages/coverage.py": "page.coverage", "pages/council.py": "council.overview_title",
              "pages/whatif.py": "page.whatif"}
#: The area profile is titled with its area: the first one (Bertoki) when the link names none.
FIRST_AREA = {"sl": "Bertoki", "it": "Bertocchi", "en": "Bertoki"}


def _run(page: str, lang: str = "sl"):
    return run_page(page, lang)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(page, lang, data_dir):
    app = _run(page, lang)
    assert not app.exception, app.exception
    expected = FIRST_AREA[lang] if page == "pages/area.py" else i18n.t(TITLE_KEYS[page], lang)
    assert app.title[0].value == expected


def test_directory_lists_all_services_and_filters(data_dir):
    app = _run("pages/directory.py", "en")
    assert app.subheader[0].value == "36 services"
    names = [e.label for e in app.expander]
    assert any(n.startswith("Remote alarm – Red button") for n in names)
    app.multiselect(key="directory_kinds").set_value(["confidential"]).run()
    assert app.subheader[0].value == "3 services"
    text = " ".join(m.value for m in app.markdown)
    assert "Confidential location" in text and "tel:+38670754530" in text
    assert "Prisoje" not in text  # the provider's seat is never shown for a confidential service


def test_directory_page_in_italian_uses_italian_names(data_dir):
    app = _run("pages/directory.py", "it")
    assert any(e.label.startswith("Telesoccorso") for e in app.expander)


@pytest.mark.parametrize("page", [p for p in PAGES if p != "pages/areas.py"])
def test_a_broken_data_file_shows_a_precise_error_not_a_trace(page, data_dir):
    path = data_dir / "services.csv"
    text = path.read_text(encoding="utf-8").replace(",home_care,", ",homecare,", 1)
    path.write_text(text, encoding="utf-8")
    app = _run(page, "en")
    assert not app.exception
    assert "field 'category'" in app.error[0].value


def test_areas_page_shows_23_areas_with_population_and_can_drop_ankaran(data_dir):
    app = _run("pages/areas.py", "en")
    assert len(app.dataframe[0].value) == 23
    assert "57,501" in app.markdown[0].value  # 54,252 in the 22 KS + 3,249 in Ankaran
    app.toggle(key="areas_include_ankaran").set_value(False).run()
    assert len(app.dataframe[0].value) == 22
    assert "54,252" in app.markdown[0].value


def test_an_edited_data_file_is_read_again_in_the_same_server(data_dir):
    app = _run("pages/directory.py", "en")
    assert app.subheader[0].value == "36 services"
    path = data_dir / "services.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # drop the last service
    app.run()
    assert app.subheader[0].value == "35 services"


@pytest.mark.parametrize("page,missing", [
    ("pages/map.py", "areas.geojson"), ("pages/map.py", "municipality.geojson"), ("pages/map.py", "settlements.csv"),
    ("pages/nearest.py", "areas.csv"), ("pages/nearest.py", "settlements.csv"),
    ("pages/areas.py", "areas.csv"), ("pages/coverage.py", "municipality.geojson"),
    ("pages/coverage.py", "demand_points.csv"), ("pages/area.py", "areas.csv"), ("pages/council.py", "areas.geojson"),
])
def test_a_missing_geography_file_gives_a_plain_message_naming_it(page, missing, data_dir):
    (data_dir / missing).unlink()
    app = _run(page, "en")
    assert not app.exception, app.exception
    errors = " ".join(e.value for e in app.error).replace("\\", "")  # Markdown escapes
    assert missing in errors and "make data" in errors

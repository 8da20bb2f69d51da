"""The directory page (AppTest): the map's filters (search by the words people use, for whom, hours,
price) plus the kind of location, in the link, with the count in the language's plural form."""
from __future__ import annotations

import pytest

from apptest_support import run_page
from geo import i18n

PAGE = "pages/directory.py"
HOMELESS = ["Zavetišče za brezdomne osebe", "brezdomne", "brezdomcem"]


def _names(app) -> list[str]:
    return [e.label for e in app.expander]


def test_the_directory_has_the_maps_filters_in_the_side_panel(data_dir):
    app = run_page(PAGE, "en")
    keys = {w.key for w in app.sidebar.checkbox} | {w.key for w in app.sidebar.text_input} | {
        w.key for w in app.sidebar.radio}
    assert {"directory_text", "directory_target_group_homeless", "directory_category_crisis", "directory_hours",
            "directory_price_free"} <= keys
    assert app.subheader[0].value == "36 services"


@pytest.mark.parametrize(("lang", "query", "count"), [
    ("sl", "brezdomec", "3 storitve"), ("sl", "brezdomci", "3 storitve"), ("it", "senzatetto", "3 servizi"),
    ("en", "lawyer", "1 service"), ("sl", "kosilo", "2 storitvi"),
])
def test_search_by_the_words_people_use_with_the_count_in_its_plural_form(lang, query, count, data_dir):
    app = run_page(PAGE, lang, q=query)
    assert app.text_input(key="directory_text").value == query
    assert app.subheader[0].value == count
    assert len(app.expander) == int(count.split()[0])


def test_for_whom_goes_into_the_link_and_narrows_the_list(data_dir):
    app = run_page(PAGE, "en")
    app.checkbox(key="directory_target_group_homeless").check().run()
    assert app.query_params["grp"] == "homeless"
    assert app.subheader[0].value == "4 services"  # three for homeless people + the first-responder network for all
    assert any(n.startswith("Defibrillator") for n in _names(app))
    app.multiselect(key="directory_kinds").set_value(["site"]).run()
    assert app.query_params["type"] == "site"
    assert app.subheader[0].value == "1 service"


def test_the_counts_beside_the_filters_count_only_the_chosen_kind_of_location(data_dir):
    # A fresh-eyes check: with "confidential" chosen the heading said 3 services while the side panel
    # still counted all 36 ("Home care (5)"), promising results a tick would not give.
    app = run_page(PAGE, "en")
    app.multiselect(key="directory_kinds").set_value(["confidential"]).run()
    assert app.subheader[0].value == "3 services"
    counted = {c.key: c.label for c in app.sidebar.checkbox}
    assert counted["directory_category_home_care"] == i18n.t("category.home_care", "en") + " (0)"  # was (5)
    crisis = counted["directory_category_crisis"]
    assert crisis.endswith(")") and int(crisis.rsplit("(", 1)[1][:-1]) <= 3
    app.checkbox(key="directory_category_crisis").check().run()
    assert app.subheader[0].value == i18n.plural("directory.count", "en", int(crisis.rsplit("(", 1)[1][:-1]))


def test_a_shared_link_opens_with_its_filters_and_reset_clears_them(data_dir):
    app = run_page(PAGE, "sl", grp="homeless", q="brezdomec")
    assert app.checkbox(key="directory_target_group_homeless").value is True
    assert app.subheader[0].value == "3 storitve"
    app.multiselect(key="directory_kinds").set_value(["area"]).run()
    assert app.subheader[0].value == "2 storitvi"  # Slovene dual
    app.button(key="directory_reset").click().run()
    assert app.subheader[0].value == "36 storitev"
    assert not {"grp", "type", "q"} & set(app.query_params)


def test_nothing_matching_is_said_plainly(data_dir):
    app = run_page(PAGE, "it", q="xyzzy")
    assert app.subheader[0].value == "0 servizi"
    assert app.info[0].value == i18n.t("map.none", "it")

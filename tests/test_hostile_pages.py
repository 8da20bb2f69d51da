"""Every page on a directory whose names and texts are Markdown payloads (AppTest, no browser).

tests/hostile.py puts images, links, plain URLs, www. addresses, ``:material/…:`` icons and
``:red[…]`` colour codes into every text field of every service, every area and settlement name
and one address. Each page is run and every text Streamlit renders as Markdown (bodies, captions,
headings, alerts, expander/tab/widget labels, radio options) is checked: no payload may still be
active. The real browser proof is tests/test_browser_hostile.py.
"""
from __future__ import annotations

import pytest

import hostile
from apptest_support import UPKEEP_PAGE, list_entries, run_page
from geo import settings
from geo.mapping import locations

#: Element kinds whose value is Markdown, and kinds whose label is.
BODIES = ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success")
LABELLED = ("expander", "tabs", "radio", "checkbox", "toggle", "button", "metric", "selectbox", "multiselect",
            "text_input", "number_input", "slider", "select_slider", "date_input", "time_input")
ADDRESS_ID = locations.location_id(hostile.MARKDOWN_ADDRESS)
AREAS = "ks-50602,ks-50603,ks-50604,ks-50605,ks-50606,ks-50607,ks-50608,ks-50609"
CASES = [
    ("pages/map.py", {}), ("pages/map.py", {"loc": ADDRESS_ID}), ("pages/directory.py", {}), ("pages/areas.py", {}),
    ("pages/nearest.py", {"from": "settlement:10101522"}), ("pages/nearest.py", {"from": "area:ks-50605"}),
    ("pages/coverage.py", {}), ("pages/coverage.py", {"cat": "day_activities"}),
    *[("pages/area.py", {"area": area}) for area in ("ks-50602", "ks-50603", "ks-50605", "ks-50607")],
    *[("pages/council.py", {"step": str(step), "areas": AREAS}) for step in range(1, 11)],
    (UPKEEP_PAGE, {}),
]


@pytest.fixture(scope="module")
def markdown_data(tmp_path_factory):
    return hostile.build(tmp_path_factory.mktemp("markdown") / "data", hostile.MARKDOWN,
                         area_payloads=hostile.MARKDOWN, address=hostile.MARKDOWN_ADDRESS)


def rendered_markdown(app) -> list[tuple[str, str]]:
    """(kind, text) of everything on the page that Streamlit renders as Markdown."""
    found = [(kind, str(e.value)) for kind in BODIES for e in getattr(app, kind)]
    found += [("list entry", f"{e.label}\n{e.body}") for e in list_entries(app)]  # HTML: checked as such below
    for kind in LABELLED:
        for element in (app.get("tab") if kind == "tabs" else getattr(app, kind)):
            found.append((f"{kind} label", str(element.label)))
            if kind == "radio":
                found += [("radio option", str(option)) for option in element.options]
    return found


@pytest.mark.parametrize("lang", ["sl", "it"])
@pytest.mark.parametrize("page, params", CASES, ids=[f"{p.split('/')[-1]}{sorted(q.items())}"[:60] for p, q in CASES])
def test_no_markdown_payload_is_active_on_any_page(markdown_data, monkeypatch, page, params, lang):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(markdown_data))
    app = run_page(page, lang, **params)
    assert not app.exception, app.exception
    shown = rendered_markdown(app)
    assert len(shown) > 5
    leaks = [(kind, text[:120]) for kind, text in shown if kind != "list entry" and hostile.active_markdown(text)]
    leaks += [("list html", piece) for e in app.get("html") if 'class="koper-list"' in e.proto.body
              for piece in hostile.active_html(e.proto.body)]
    assert leaks == []
    if page in ("pages/areas.py", UPKEEP_PAGE):
        return  # (their names are in tables, which are not Markdown)
    # the payloads are there, as text: the page did show hostile data
    every = "\n".join(text for _kind, text in shown).replace("\\", "").replace("\u200b", "")
    assert any(payload.split("\n")[0] in every for payload in hostile.MARKDOWN), "no hostile text was shown"


def test_the_selected_address_heading_is_the_hostile_address(markdown_data, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(markdown_data))
    app = run_page("pages/map.py", "sl", loc=ADDRESS_ID)
    heading = app.subheader[0].value
    assert "Kolarska ulica" in heading and hostile.active_markdown(heading) == []
    assert "![x](http://evil.example/addr.png)" in heading.replace("\\", "").replace("\u200b", "")


@pytest.mark.parametrize("typed", [
    "Krožna cesta 5 ![x](http://evil.example/t.png) :material/warning:",
    "[click](http://evil.example/l) www.evil.example :red[x] Atlantis 99",
])
def test_a_typed_address_is_shown_as_text(markdown_data, monkeypatch, typed):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(markdown_data))
    app = run_page("pages/nearest.py", "en")
    app.radio(key="near_method").set_value("address").run()
    app.text_input(key="near_address").input(typed)
    app.button[0].click().run()  # the form's submit button
    assert not app.exception, app.exception
    assert [(kind, text[:120]) for kind, text in rendered_markdown(app) if hostile.active_markdown(text)] == []

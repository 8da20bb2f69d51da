"""The language in a real browser (issue 12, "In the user's language"): headless Debian Chromium.

Moving through every page from ``?lang=it`` by the navigation menu stays Italian (the menu's links
drop the query string; the session and a cookie keep the language), and so does a choice in the
language box; the tab title, ``<html lang>`` and the map frames' titles follow the language; the
text a reader sees on a Slovene or Italian page (its innerText, icons' ligature names left out)
has no English developer phrase and no ISO date. AppTest covers the same per element in
tests/test_language.py; this is the screen a person reads.
"""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from browser_support import ARTIFACTS, MAP_FRAME, is_local, streamlit_server
from geo import i18n, settings
from ui import common

pytestmark = pytest.mark.browser

#: The navigation in app order (ui/routing.py): url path → title key. The area profile and the
#: council report are titled with an area or the report's first screen.
PAGES = {"": "page.map", "nearest": "page.nearest", "directory": "page.directory", "areas": "page.areas",
         "coverage": "page.coverage", "area": "page.area_profile", "council": "page.council", "whatif": "page.whatif"}
#: English and developer text that must never be read on a Slovene or Italian page.
ENGLISH = re.compile(
    r"make geocode|Street-level|Online geocoder|confirm with|offline register|matching services|\bNone\b|\bnan\b"
    r"|\bNaN\b|Traceback|\bunknown\b|\bservices?\b|\bhours\b|\bphone\b|\bresidents\b|\bthe\b|\bwith\b|\band\b"
    r"|\bavailable\b|\bnearest\b|\bclosed\b|\bopen\b|\bStreamlit\b")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
#: What the page shows, without the material icons' ligature names ("map", "near_me").
READ_TEXT = """() => {
  const icons = new Set([...document.querySelectorAll('[data-testid="stIconMaterial"]')].map(e => e.innerText.trim()));
  return document.body.innerText.split("\\n").filter(line => !icons.has(line.trim())).join("\\n");
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("language") / "data"
    shutil.copytree(settings.PROJECT_DIR / "data", data)
    with streamlit_server(data) as base:
        yield base


def _page(browser, viewport=None):
    """A tab whose requests off this machine are aborted and remembered in ``page.blocked``."""
    context = browser.new_context(viewport=viewport or {"width": 1366, "height": 900})
    page = context.new_page()
    page.blocked = []

    def route(request_route):
        if is_local(request_route.request.url):
            request_route.continue_()
        else:
            page.blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return context, page


def _settled(page, heading: str | None = None):
    """Wait for the page's heading (and, when given, that it reads ``heading``) and a quiet app."""
    title = page.get_by_role("heading", level=1).first
    title.wait_for(timeout=90_000)
    if heading is not None:
        page.wait_for_function("(h) => [...document.querySelectorAll('h1')].some(e => e.innerText.trim() === h)",
                               arg=heading, timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    return page


def _nav(page, index: int):
    """Click the ``index``-th link of the navigation menu (opening the side panel first where a page,
    the council report, starts with it folded)."""
    link = page.locator('[data-testid="stSidebarNav"] a').nth(index)
    if not link.evaluate("e => { const r = e.getBoundingClientRect(); return r.right > 0 && r.width > 0; }"):
        page.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button').first.click()
        page.wait_for_function("(e) => e.getBoundingClientRect().right > 0", arg=link.element_handle(), timeout=10_000)
    link.click()


def _document(page) -> dict:
    return page.evaluate("""() => ({lang: document.documentElement.lang, title: document.title, url: location.href,
        frames: [...document.querySelectorAll('iframe')].filter(f => f.matches('%s')).map(f => f.title)})""" % MAP_FRAME)


def test_moving_through_every_page_from_an_italian_link_stays_italian(browser, server):
    context, page = _page(browser)
    try:
        _settled(page.goto(server + "/?lang=it") and page, i18n.t("page.map", "it"))
        assert len(page.locator('[data-testid="stSidebarNav"] a').all()) == len(PAGES)
        tab = i18n.t("app.tab_title", "it")
        for index, (path, key) in [*list(enumerate(PAGES.items()))[1:], (0, ("", "page.map"))]:
            _nav(page, index)
            page.wait_for_url(re.compile(rf"/{path}\?(.*&)?lang=it(&|$)"), timeout=90_000)
            _settled(page)
            page.wait_for_function("(t) => document.title.endsWith(t)", arg=tab, timeout=30_000)
            said = _document(page)
            assert said["lang"] == "it", said
            assert said["title"] == f"{i18n.t(key, 'it')} · {tab}", said
            # the navigation itself is in Italian, and so is the language box
            assert page.locator('[data-testid="stSidebarNav"] a').nth(1).inner_text().strip().endswith(
                i18n.t("page.nearest", "it"))
            box = page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').first
            assert box.get_by_role("radio", name="Italiano").is_checked()
            if path == "":
                page.wait_for_function("(t) => [...document.querySelectorAll('iframe')].some(f => f.title === t)",
                                       arg=i18n.t("map.frame_title", "it"), timeout=60_000)
        assert page.blocked == []  # nothing from a CDN (a page's material icon as favicon, fonts)
    finally:
        context.close()


def test_a_choice_in_the_language_box_stays_on_the_next_page_and_in_a_new_tab(browser, server):
    context, page = _page(browser)
    try:
        _settled(page.goto(server + "/directory?lang=it") and page, i18n.t("page.directory", "it"))
        page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').first.get_by_text("English").click()
        _settled(page, "Service directory")
        assert _document(page)["lang"] == "en"
        _nav(page, 3)  # local areas
        _settled(page, "Local areas")
        assert "lang=en" in page.url and _document(page)["lang"] == "en"
        # A new tab on "/" with no ?lang= (as after the sign-in round trip): the cookie brings English back.
        other = context.new_page()
        other.goto(server + "/")
        _settled(other, "Service map")
        assert "lang=en" in other.url and _document(other)["title"] == "Service map · Koper – social services"
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["sl", "it"])
def test_no_english_or_iso_date_on_a_slovene_or_italian_screen(browser, server, lang):
    context, page = _page(browser)
    found = {}
    try:
        for path, key in PAGES.items():
            page.goto(f"{server}/{path}?lang={lang}")
            _settled(page)
            text = page.evaluate(READ_TEXT)
            if path == "":  # and inside the map frame (legend, layer names, controls)
                frame = page.frame_locator(MAP_FRAME).first
                frame.locator(".leaflet-container").wait_for(timeout=60_000)
                text += "\n" + frame.locator("body").inner_text()
                page.wait_for_function(  # the frame's own document is in the language too (screen readers)
                    "(l) => [...document.querySelectorAll('iframe[data-koper-map-frame]')].some("
                    "f => f.contentDocument && f.contentDocument.documentElement.lang === l)", arg=lang, timeout=30_000)
            bad = [line for line in text.splitlines() if ENGLISH.search(line) or ISO_DAY.search(line)]
            if bad:
                found[path or "/"] = bad[:5]
    finally:
        context.close()
    assert not found, found


def test_streamlits_own_accessible_names_are_in_the_page_language(browser, server):
    """Screen readers read Streamlit's own names too: "Collapse sidebar", "Choose an option", a date
    field's "day, Dan" were English on a Slovene page; the page script says them in the language."""
    context, page = _page(browser)
    try:
        page.goto(f"{server}/?lang=sl&hours=open_at&at=2026-12-05T10:00")
        _settled(page, i18n.t("page.map", "sl"))
        page.wait_for_function("() => [...document.querySelectorAll('[aria-label]')].some("
                               "e => e.getAttribute('aria-label') === 'ura, Ura')", timeout=30_000)
        # Streamlit draws the time field's parts in more than one pass: wait until none is English.
        page.wait_for_function("() => ![...document.querySelectorAll('[aria-label]')].some("
                               "e => /^(day|month|year|hour|minute), /.test(e.getAttribute('aria-label')))", timeout=30_000)
        names = page.evaluate("() => [...document.querySelectorAll('[aria-label], [placeholder]')].flatMap("
                              "e => [e.getAttribute('aria-label'), e.getAttribute('placeholder')]).filter(Boolean)")
        english = [n for n in names if re.fullmatch(r"(day|month|year|hour|minute), .*|Collapse sidebar|Sidebar|App pages"
                                                    r"|Choose an option|Choose date|Link to heading|Open", n)]
        assert not english, english
        # (no select box here: the language choice is radio buttons; its "Choose an option" is in test_language.py)
        assert {"Skrij stranski stolpec", "Strani aplikacije", "ura, Ura"} <= set(names)
    finally:
        context.close()


def test_streamlits_visible_sentences_are_in_the_page_language(browser, server):
    """A form's "Press Enter to submit form" appeared in English under the address on an Italian page."""
    context, page = _page(browser)
    try:
        page.goto(f"{server}/nearest?lang=it")
        _settled(page, i18n.t("page.nearest", "it"))
        page.get_by_text(i18n.t("nearest.method.address", "it"), exact=True).first.click()
        field = page.get_by_label(i18n.t("nearest.address", "it"))
        field.wait_for(timeout=30_000)
        field.fill("Strada Circolare 5, Capodistria")
        page.get_by_text(i18n.t("chrome.visible.submit_form", "it")).first.wait_for(timeout=30_000)
        assert "Press Enter" not in page.evaluate(READ_TEXT)
    finally:
        context.close()


ENGLISH_MONTHS = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b")


@pytest.mark.parametrize("lang", ["sl", "it"])
def test_the_date_pickers_calendar_names_months_and_weekdays_in_the_page_language(browser, server, lang):
    """The service map's "open at" day: Streamlit's calendar said "December 2026" and "S M T W T F S"
    on a Slovene page of an English browser (Chromium here is en-US); the page script makes the
    page language the one Streamlit hands the calendar."""
    context, page = _page(browser, {"width": 1366, "height": 2200})  # the sidebar's date field on the screen
    try:
        page.goto(f"{server}/?lang={lang}&hours=open_at&at=2026-12-05T10:00")
        _settled(page, i18n.t("page.map", lang))
        page.locator('[data-testid="stDateInputCalendarButton"]').first.click()
        calendar = page.locator('[data-testid="stDateInputCalendar"]')
        calendar.locator('[role="grid"]').wait_for(timeout=20_000)
        page.wait_for_timeout(300)  # the page script relabels on the next animation frame
        shown = calendar.inner_text()
        names = calendar.evaluate("c => [...c.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))")
        options = calendar.evaluate("c => [...c.querySelector('select').options].map(o => o.textContent.trim())")
        weekdays = calendar.evaluate("c => [...c.querySelectorAll('thead th')].map(e => e.textContent.trim())")
        december = "december" if lang == "sl" else "dicembre"
        assert december in shown and december in options and len([o for o in options if o.strip()]) == 12
        assert not ENGLISH_MONTHS.search(shown + "\n" + "\n".join(names + options)), (shown, names, options)
        # the week starts on Monday, named in the language (not S M T W T F S)
        assert weekdays == (["p", "t", "s", "č", "p", "s", "n"] if lang == "sl" else ["L", "M", "M", "G", "V", "S", "D"])
        # Streamlit's own English names of the calendar are said in the language too
        assert f"{i18n.t('chrome.choose_date', lang)}, {december} 2026" in names
        assert i18n.t("chrome.previous_month", lang) in names and i18n.t("chrome.next_month", lang) in names
        assert not [n for n in names if re.search(r"Choose date|Previous month|Next month", n)], names
        assert "Use arrow keys" not in calendar.text_content()  # read to screen readers (visually hidden)
        # the date field's month part says its value ("12 – December" before) and the hidden sentence with
        # the chosen day ("Selected Date: December 05, 2026" before), in the language
        values_js = "() => [...document.querySelectorAll('[aria-valuetext]')].map(e => e.getAttribute('aria-valuetext'))"
        page.wait_for_function(f"(m) => ({values_js})().includes('12 – ' + m)", arg=december, timeout=10_000)
        values = page.evaluate(values_js)
        assert f"12 – {december}" in values and not ENGLISH_MONTHS.search(" ".join(values)), values
        text_js = """() => { const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walk.nextNode()) { if (!walk.currentNode.parentElement.closest('script, style')) out.push(walk.currentNode.nodeValue); }
            return out.join(' '); }"""
        selected = i18n.t("chrome.visible.selected_date", lang, date=f"5{'.' if lang == 'sl' else ''} {december} 2026")
        page.wait_for_function(f"(s) => ({text_js})().includes(s)", arg=selected, timeout=10_000)
        hidden = page.evaluate(text_js)
        assert "Selected Date" not in hidden
        assert i18n.t("chrome.visible.selected_date", lang, date=f"5{'.' if lang == 'sl' else ''} {december} 2026") in hidden
        page.screenshot(path=str(ARTIFACTS / f"date-picker-{lang}-1366.png"))
    finally:
        context.close()


#: Streamlit's and Vega's English accessible names (aria-label, placeholder, title, aria-roledescription)
#: that were read out on Slovene pages other than the map: the number steppers, "Help for <label>",
#: the table, chart and image toolbars, the table search, a multiselect's chips, and Vega's
#: description of every bar, axis and legend. ui.common's page script says Streamlit's in the language
#: (chrome.* texts); the coverage chart has its own description and Vega's English is off.
STREAMLIT_ENGLISH_NAMES = sorted({*common.STREAMLIT_ENGLISH.values(), "Decrement", "Increment", "Show/hide columns",
                                  "Download as CSV", "Search", "Fullscreen", "Show data", "Download as PNG",
                                  "Copy Vega-Lite spec", "Vega visualization", "visualization", "Selected values"})
STREAMLIT_ENGLISH_PATTERN = (r"^(Help for |Remove |Fullscreen: |Choose date, |X-axis|Y-axis|Symbol legend)|; value: "
                             r"|^(\w+ mark|\w+ mark container|axis|legend|bar)$")
#: Every name, placeholder, native tooltip and spoken role on the page.
NAMES = """() => [...document.querySelectorAll('[aria-label], [placeholder], [title], [aria-roledescription]')].flatMap(
  e => ['aria-label', 'placeholder', 'title', 'aria-roledescription'].map(a => e.getAttribute(a))).filter(Boolean)"""
NO_ENGLISH_NAME = """(english) => { const pattern = new RegExp(english.pattern);
  return !(%s)().some(n => english.names.includes(n) || pattern.test(n)); }""" % NAMES


def _english_names(page) -> list[str]:
    """The page's English names once the page script has had its turn (empty when none is left)."""
    english = {"names": STREAMLIT_ENGLISH_NAMES, "pattern": STREAMLIT_ENGLISH_PATTERN}
    try:
        page.wait_for_function(NO_ENGLISH_NAME, arg=english, timeout=15_000)
    except PlaywrightTimeout:
        pass  # said below, by name
    return [n for n in page.evaluate(NAMES) if n in STREAMLIT_ENGLISH_NAMES or re.search(STREAMLIT_ENGLISH_PATTERN, n)]


def test_streamlits_toolbars_steppers_help_chips_and_charts_are_named_in_the_page_language(browser, server):
    """Issue 12's leftover: on /coverage?lang=sl a screen reader read 'Decrement', 'Help for Razdalja …',
    'Show/hide columns', 'Download as CSV', 'Search', 'Fullscreen', 'Show data', 'Copy Vega-Lite spec',
    'Vega visualization' and Vega's "X-axis titled …", "…; value: 19.94"; the council report's chips said
    'Remove Rakitovec' and its map 'Fullscreen: …'; the what-if page its steppers and help buttons."""
    context, page = _page(browser)
    found, said = {}, {}
    try:
        # each page with a name it must come to say (its widgets and chart draw after the heading)
        for path, coming in (("coverage", "^grafikon$"), ("whatif", "^Zmanjšaj$"), ("council", "^Celozaslonski prikaz: "),
                             ("areas", "^Prenesi kot CSV$")):
            page.goto(f"{server}/{path}?lang=sl")
            _settled(page)
            page.wait_for_function("(name) => (%s)().some(n => new RegExp(name).test(n))" % NAMES, arg=coming,
                                   timeout=30_000)
            english = _english_names(page)
            if english:
                found[path] = english[:8]
            said[path] = set(page.evaluate(NAMES))
            if path == "coverage":  # the ranking table's search: its buttons, and the count it writes
                table = page.locator('[data-testid="stDataFrame"]').first
                table.hover()
                page.get_by_role("button", name=i18n.t("chrome.search", "sl"), exact=True).first.click()
                page.keyboard.type("Ko")
                page.get_by_text(re.compile(r"^Zadetki: \d+$")).first.wait_for(timeout=15_000)
                english = _english_names(page)
                if english:
                    found["coverage search"] = english[:8]
                said["coverage search"] = set(page.evaluate(NAMES))
                assert not re.search(r"\d+ results?\b", page.evaluate(READ_TEXT))
    finally:
        context.close()
    assert not found, found
    assert {"Zmanjšaj", "Povečaj", "Pokaži ali skrij stolpce", "Prenesi kot CSV", "Išči", "Celozaslonski prikaz",
            "Pokaži podatke", "Prenesi kot PNG", "Kopiraj opis grafikona (Vega-Lite)", "grafikon"} <= said["coverage"]
    assert {"Zapri iskanje", "Naslednji zadetek", "Prejšnji zadetek"} <= said["coverage search"]
    assert "Pomoč k polju Razdalja za delež prebivalcev (km)" in said["coverage"] & said["whatif"]
    chart = [n for n in said["coverage"] if n.startswith("Stolpčni grafikon: Povprečna razdalja do najbližje storitve")]
    assert chart and re.search(r"\(\d+,\d km\)", chart[0]), chart  # the chart's own description, numbers the Slovene way
    assert "Odstrani izbiro Rakitovec" in said["council"]
    assert any(n.startswith("Celozaslonski prikaz: Zemljevid 23 območij") for n in said["council"])


def test_a_language_change_keeps_every_choice_and_the_next_choice_works(browser, server):
    # The browser holds a radio's choice as its words: after Italian → Slovene it sent "Aperto ora"
    # back with the next action, which the server could not read, and the nearest page showed an
    # error instead of the answer (a fresh-eyes check). Now the choices are sent again in Slovene.
    context, page = _page(browser)
    try:
        _settled(page.goto(server + "/nearest?lang=it&hours=open_now") and page, i18n.t("page.nearest", "it"))
        page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').first.get_by_text("Slovenščina").click()
        _settled(page, i18n.t("page.nearest", "sl"))
        hours = page.get_by_role("radio", name=i18n.t("filters.hours.open_now", "sl"))
        expect(hours).to_be_checked(timeout=10_000)  # set by the run that drew the Slovene page
        box = page.get_by_role("combobox", name=i18n.t("nearest.settlement", "sl"))
        box.click()
        page.keyboard.type("Dekani")
        page.keyboard.press("Enter")
        page.get_by_text(i18n.t("nearest.start", "sl", place="", precision="").split(":")[0] + ":").first.wait_for(
            timeout=30_000)
        _settled(page)
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
        assert "hours=open_now" in page.url and "lang=sl" in page.url
        # "Open now" reached the answer: its places are split into open and closed then. (With a starting
        # point the choices are folded away, so a phone shows the answer first: the radio inside the fold
        # was not found in two CI runs, opened or not, while the page reran.)
        timed = [i18n.t(key, "sl", n=0).split(" (")[0] for key in ("answer.open_title", "answer.closed_title")]
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert any(title in body for title in [*timed, i18n.t("answer.none_open", "sl")]), body[:500]
    finally:
        context.close()

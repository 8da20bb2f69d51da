"""Widgets every page shares: the language picker, the page script (language, Streamlit's own English
said in the page language), the data-status banner."""
from __future__ import annotations

import json

import streamlit as st

from geo import i18n, safe
from ui import cache, first_paint, routing, widget_state

LANG_PARAM = "lang"
#: The language choice's widget key.
PICKER_KEY = "language"
#: This session's language (session state, owned here): the navigation menu's links drop the query
#: string, so without it every move between pages would fall back to Slovene.
_SESSION_KEY = "koper_map_language"
#: The browser remembers the language in this cookie (no personal data, a year): signing in or out
#: goes through the identity provider and back to "/", a new session with no ``?lang=``.
LANG_COOKIE = "koper_map_lang"


def session_language() -> str:
    """The language of this run: ``?lang=`` when it names one, else this session's earlier choice,
    else the browser's remembered one (cookie), else Slovene; written back to ``?lang=``.

    app.py calls it before the navigation (page titles); pages get it from :func:`language`.
    """
    asked = st.query_params.get(LANG_PARAM)
    if asked in i18n.TABLES:
        lang = asked
    else:
        lang = i18n.language(st.session_state.get(_SESSION_KEY) or _remembered())
    st.session_state[_SESSION_KEY] = lang
    if asked != lang:
        st.query_params[LANG_PARAM] = lang
    return lang


def _remembered() -> str | None:
    """The language cookie of the browser that opened this session (None without one)."""
    try:
        return st.context.cookies.get(LANG_COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        return None


def _picked() -> None:
    """The language choice changed: the new language for this session and the link."""
    lang = i18n.language(st.session_state.get(PICKER_KEY))
    st.session_state[_SESSION_KEY] = lang
    st.query_params[LANG_PARAM] = lang
    widget_state.resend_choices(exclude=(PICKER_KEY,))


def language() -> str:
    """The page language (:func:`session_language`), with the sidebar's language choice.

    Every page calls this first, so it also makes sure app.py is routing the run.
    """
    routing.require_entrypoint()
    current = session_language()
    st.session_state[PICKER_KEY] = current  # the box shows the language the link or menu arrived with
    # Three choices in view, each named in its own language (one tap on a phone), as radio buttons
    # rather than a select box: the service map draws radios anyway (opening hours), and a select box
    # made the browser fetch ~20 more script files before the map's frame could appear (issue 14).
    box = st.sidebar.container()  # its place; a new visitor's service map draws it after the map (ui/first_paint.py)
    first_paint.draw(lambda: box.radio(
        i18n.t("app.language", current),
        i18n.LANGUAGES,
        format_func=i18n.LANGUAGE_NAMES.get,
        key=PICKER_KEY,
        on_change=_picked,
    ))
    return current


#: Streamlit's (1.67) own English accessible names and placeholders, by text key (``chrome.*``).
STREAMLIT_ENGLISH = {
    "collapse_sidebar": "Collapse sidebar", "expand_sidebar": "Expand sidebar", "sidebar": "Sidebar",
    "app_pages": "App pages", "link_to_heading": "Link to heading", "choose_date": "Choose date", "open": "Open",
    "close": "Close", "copy": "Copy to clipboard", "choose_option": "Choose an option",
    "choose_options": "Choose options", "clear_all": "Clear all",
    "previous_month": "Previous month", "next_month": "Next month",
    # a number field's steppers, a widget's help button ("Help for <label>": a prefix below), a
    # multiselect's chips ("Remove <option>": a prefix below)
    "decrement": "Decrement", "increment": "Increment", "help": "Help", "selected_values": "Selected values",
    "clear_value": "Clear value",
    # the toolbar over a table, chart or image, and the table's search and column menu
    "fullscreen": "Fullscreen", "close_fullscreen": "Close fullscreen", "show_hide_columns": "Show/hide columns",
    "download_csv": "Download as CSV", "search": "Search", "close_search": "Close Search",
    "next_result": "Next Result", "previous_result": "Previous Result", "clear_selection": "Clear selection",
    "column_menu": "Dataframe column menu", "copy_column_name": "Copy column name",
    "show_data": "Show data", "show_chart": "Show chart", "download_png": "Download as PNG",
    "copy_spec": "Copy Vega-Lite spec", "copied": "Copied!",
    # a chart's default name (ours each get a description) and its role ("aria-roledescription")
    "chart": "Vega visualization", "visualization": "visualization", "chart_group": "group mark container",
    "running": "Running...",  # the status widget while the page reruns
    "file_upload": "file upload",  # the file uploader's (hidden) file field
}
#: Streamlit's (1.67) own visible English sentences, by text key (``chrome.visible.*``).
STREAMLIT_VISIBLE_ENGLISH = {
    "submit_form": "Press Enter to submit form", "apply": "Press Enter to apply", "skip": "Skip to main content",
    "drop_file": "Drag and drop file here", "browse": "Browse files",
    "calendar_keys": "Use arrow keys to navigate dates. Enter to select. Escape to close.",
    # a table's column menu (its format and statistics submenus) and its "Show/hide columns" list
    "sort_ascending": "Sort ascending", "sort_descending": "Sort descending", "statistics": "Statistics",
    "autosize": "Autosize", "pin_column": "Pin column", "unpin_column": "Unpin column", "hide_column": "Hide column",
    "format": "Format", "select_all": "Select all", "format_automatic": "Automatic", "format_localized": "Localized",
    "format_plain": "Plain", "format_percent": "Percent", "format_scientific": "Scientific",
    "format_accounting": "Accounting", "format_compact": "Compact", "format_dollar": "Dollar", "format_euro": "Euro",
    "format_yen": "Yen", "stat_distinct": "Distinct", "stat_empty": "Empty", "stat_minimum": "Minimum",
    "stat_maximum": "Maximum", "stat_average": "Average", "stat_median": "Median",
    "stat_deviation": "Standard deviation", "stat_sum": "Sum", "stat_range": "Range",
    # the table search's count, a pattern ("3 results", "1 of 3 results", "over 1000"): the
    # page script fills the count into these texts ({n}, {i}); no plural form needed
    "search_results": "{n} results", "search_result_of": "{i} of {n} results", "search_over": "over 1000",
    # the file uploader (staff page): its button, the text while a file is dragged over it, and its size
    # limit (a pattern: "2MB per file", the size filled in)
    "upload": "Upload", "drop_a_file": "Drag and drop a file here", "drop_files": "Drag and drop files here",
    "per_file": "{size} per file",
    # the date picker's hidden sentence for screen readers (a pattern: the date filled in, as the language writes it)
    "selected_date": "Selected Date: {date}",
}
#: Streamlit's English names that go on with something of the page, by text key (``chrome.*``): only
#: the English head is translated, the rest (after ", ", ": " or " ") is kept: the date picker's
#: calendar "Choose date, december 2026" (the month already in the language), a widget's help button
#: "Help for <label>", a multiselect chip's "Remove <option>", an image's "Fullscreen: <alt text>", an
#: uploading file's "Cancel upload of <file name>".
STREAMLIT_ENGLISH_PREFIXES = {"choose_date": "Choose date", "help_for": "Help for", "remove": "Remove",
                              "fullscreen": "Fullscreen", "cancel_upload": "Cancel upload of"}
#: The parts of Streamlit's date and time fields, named "day, <label>" for screen readers.
DATE_PARTS = ("day", "month", "year", "hour", "minute", "second")

#: Run in the page (not in a frame): the document's language for screen readers and the browser, the
#: language cookie, and a title for each map frame (streamlit-folium names its frames after itself).
_DOCUMENT_SCRIPT = """<script>
(function () {
  const texts = %s;
  document.documentElement.lang = texts.lang;
  document.cookie = "%s=" + texts.lang + "; path=/; max-age=31536000; SameSite=Lax";
  window.koperMapDocument = texts;
  // Streamlit hands its widgets the browser's language (navigator.language, read at every render):
  // the date picker's calendar names its months and weekdays, and starts its week, in that
  // language (Streamlit has no option for it), so a Slovene page on an English browser showed
  // "December" and "S M T W". Here the browser's language is the page language (the browser's own
  // regional variant is kept when it is the same language: "it-IT" for it, "en-GB" for en).
  if (!window.koperMapBrowserLanguage) {
    window.koperMapBrowserLanguage = navigator.language || "";
    try {
      Object.defineProperty(navigator, "language", {configurable: true, get: function () {
        const own = window.koperMapBrowserLanguage, now = window.koperMapDocument.lang;
        return own.split("-")[0].toLowerCase() === now ? own : now;
      }});
    } catch (error) { /* a browser that refuses: the calendar stays in the browser's language */ }
  }
  const name = function () {
    const now = window.koperMapDocument;
    if (document.documentElement.lang !== now.lang) document.documentElement.lang = now.lang;
    document.querySelectorAll('iframe[title="streamlit_folium.st_folium"], iframe[data-koper-map-frame]')
      .forEach(function (frame) {
        if (!frame.hasAttribute("data-koper-map-frame")) {
          frame.setAttribute("data-koper-map-frame", "1");
          frame.addEventListener("load", function () { inside(frame); });
        }
        if (frame.title !== now.mapFrame) frame.title = now.mapFrame;
        inside(frame);
      });
  };
  // The frame's own document (same origin: this server's /component/ path) gets the language too.
  const inside = function (frame) {
    const now = window.koperMapDocument;
    try {
      const doc = frame.contentDocument;
      if (!doc || !doc.documentElement) return;
      if (doc.documentElement.lang !== now.lang) doc.documentElement.lang = now.lang;
      if (doc.title !== now.mapFrame) doc.title = now.mapFrame;
    } catch (error) { /* another origin: its title above is what assistive technology reads */ }
  };
  // Streamlit's own accessible names and placeholders are English ("Collapse sidebar", "Choose an
  // option", a date field's "day, Dan"): said in the page language; the English one is kept aside
  // so that a later change of language or of Streamlit's text is recognised.
  const translate = function (english) {
    const now = window.koperMapDocument;
    if (Object.prototype.hasOwnProperty.call(now.chrome, english)) return now.chrome[english];
    const part = /^(day|month|year|hour|minute|second), (.*)$/.exec(english);
    if (part) return now.segments[part[1]] + ", " + part[2];
    // a date field's month part says its value as "12 – December"
    const month = /^(\\d{1,2}) – ([A-Z][a-z]+)$/.exec(english);
    if (month && ENGLISH_MONTHS.indexOf(month[2]) >= 0) return month[1] + " – " + now.months[ENGLISH_MONTHS.indexOf(month[2])];
    return prefixed(english);
  };
  // "Choose date, december 2026", "Help for" a label, "Remove" an option, "Fullscreen: " an image's alt
  // text: the English head is said in the language, the rest is the page's own (the month already in
  // the page language, by navigator.language above). (No angle brackets in this script: Streamlit's
  // HTML sanitiser drops a script whose text has one before a letter.)
  const prefixed = function (english) {
    const now = window.koperMapDocument;
    const head = Object.keys(now.prefixes).find(function (head) {
      return english.length > head.length + 1 && english.startsWith(head) && /^(, |: | )\\S/.test(english.slice(head.length));
    });
    return head === undefined ? undefined : now.prefixes[head] + english.slice(head.length);
  };
  // Streamlit's counts and sizes: the table search's "3 results", "1 of 3 results", "over 1000",
  // "2 of over 1000", the file uploader's "2MB per file"; the number goes into the language's text
  // (with no plural form).
  const counted = function (english) {
    const now = window.koperMapDocument, size = /^(\\d+(?:\\.\\d+)?) ?([KMGT]?B) per file$/.exec(english);
    if (size && Object.prototype.hasOwnProperty.call(now.visible, "{size} per file")) {
      return now.visible["{size} per file"].replace("{size}", size[1] + " " + size[2]);
    }
    const match = /^(?:(\\d+) of )?(?:(\\d+) results?|over 1000)$/.exec(english);
    if (!match || !Object.prototype.hasOwnProperty.call(now.visible, "{n} results")) return undefined;
    const n = match[2] === undefined ? now.visible["over 1000"] : match[2];
    const said = match[1] ? now.visible["{i} of {n} results"].replace("{i}", match[1]) : now.visible["{n} results"];
    return said.replace("{n}", n);
  };
  // The calendar's hidden "Selected Date: December 05, 2026" for screen readers, as the language writes a date.
  const ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                          "October", "November", "December"];
  const dated = function (english) {
    const now = window.koperMapDocument, match = /^Selected Date: ([A-Z][a-z]+) (\\d{1,2}), (\\d{4})$/.exec(english);
    if (!match || ENGLISH_MONTHS.indexOf(match[1]) < 0) return undefined;
    const date = now.dateTemplate.replace("{d}", String(Number(match[2])))
      .replace("{month}", now.months[ENGLISH_MONTHS.indexOf(match[1])]).replace("{y}", match[3]);
    return now.visible["Selected Date: {date}"].replace("{date}", date);
  };
  // Names, placeholders, native tooltips (title), roles said in words ("visualization", a chart's) and
  // a date field's month value.
  const ATTRIBUTES = ["aria-label", "placeholder", "title", "aria-roledescription", "aria-valuetext"];
  const relabel = function () {
    document.querySelectorAll("[aria-label], [placeholder], [title], [aria-roledescription]").forEach(function (element) {
      ATTRIBUTES.forEach(function (attribute) {
        const value = element.getAttribute(attribute);
        if (!value) return;
        const kept = "data-koper-en-" + attribute;
        let english = element.getAttribute(kept);
        if (!english || (value !== english && value !== translate(english))) english = value;
        const said = translate(english);
        if (said === undefined) return;
        element.setAttribute(kept, english);
        if (value !== said) element.setAttribute(attribute, said);
      });
    });
  };
  // Streamlit's few visible English sentences (a form's "Press Enter to submit form", the skip link,
  // the file uploader's, a table's column menu and search count), said in the page language; each
  // text node remembers its English.
  const kept = window.koperMapTexts || (window.koperMapTexts = new WeakMap());
  const retext = function () {
    const now = window.koperMapDocument;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const value = node.nodeValue.trim();
      if (!value) continue;
      const before = kept.get(node);
      const english = before && before.said === value ? before.english : value;
      const said = counted(english) || dated(english) || (Object.prototype.hasOwnProperty.call(now.visible, english)
        ? now.visible[english] : prefixed(english));
      if (said === undefined) continue;
      kept.set(node, {english: english, said: said});
      if (value !== said) node.nodeValue = said;
    }
  };
  let pending = false;
  const update = function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; name(); relabel(); retext(); });
  };
  name();
  relabel();
  retext();
  if (!window.koperMapObserver) {
    window.koperMapObserver = new MutationObserver(update);
    window.koperMapObserver.observe(document.documentElement,
      {subtree: true, childList: true, characterData: true, attributes: true,
       attributeFilter: ["title", "lang", "aria-label", "placeholder", "aria-roledescription", "aria-valuetext"]});
  }
})();
</script>"""


#: On a touch screen the side panel's choices (language, opening hours, the checkboxes) are 44 px tall
#: targets, as WCAG 2.5.5 asks: at Streamlit's ~22 px an older finger picks the neighbour.
_TOUCH_STYLE = """<style>
@media (pointer: coarse) {
  [data-testid="stSidebar"] [role="radiogroup"] label, [data-testid="stSidebar"] [data-testid="stCheckbox"] label {
    min-height: 2.75rem; align-items: center; }
}
</style>"""


def mark_document(lang: str) -> None:
    """Give the browser's document the page language (``<html lang>``), remember it in a cookie,
    and name every map frame in that language (screen readers announce a frame by its title).
    The browser's ``navigator.language`` becomes the page language too: Streamlit's date picker
    takes its calendar's month and weekday names (and first weekday) from it; Streamlit's own
    English names and sentences are said from the ``chrome.*`` texts.

    A script in the page itself (``st.html``; no frame, so nothing for assistive technology to
    stop at), re-run when the language changes. The texts are ours, not data; still written as
    JSON with ``</`` escaped.
    """
    texts = {"lang": i18n.language(lang), "mapFrame": i18n.t("map.frame_title", lang),
             "chrome": {english: i18n.t(f"chrome.{key}", lang) for key, english in STREAMLIT_ENGLISH.items()},
             "segments": {part: i18n.t(f"chrome.segment.{part}", lang) for part in DATE_PARTS},
             "visible": {english: i18n.t(f"chrome.visible.{key}", lang) for key, english in STREAMLIT_VISIBLE_ENGLISH.items()},
             "prefixes": {english: i18n.t(f"chrome.{key}", lang) for key, english in STREAMLIT_ENGLISH_PREFIXES.items()},
             "months": i18n.month_names(lang), "dateTemplate": i18n.date_template(lang)}
    payload = json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")
    st.sidebar.html(_DOCUMENT_SCRIPT % (payload, LANG_COOKIE) + _TOUCH_STYLE, unsafe_allow_javascript=True)


def data_status(error: str | None, have_data: bool, lang: str) -> None:
    """Say plainly when the data could not be (re)loaded; never a stack trace."""
    if error is None:
        return
    key = "data.stale" if have_data else "data.error"
    st.error(i18n.t(key, lang, error=safe.md_text(error)))


def attribution(lang: str) -> None:
    """The data sources' attribution line (CC BY 4.0 requires it)."""
    st.caption(i18n.t("attribution", lang))


def moment_caption(chosen, when, lang: str) -> None:
    """Say which moment the open/closed labels are for: the chosen time, or now."""
    key = "map.state_at" if chosen.hours == "open_at" else "map.state_now"
    st.caption(i18n.t(key, lang, day=i18n.format_weekday_date(when.date(), lang), time=f"{when:%H:%M}"))


def page_start(title_key: str, intro_key: str) -> str:
    """The language, then the page's title and one-line introduction; returns the language."""
    lang = language()
    st.title(i18n.t(title_key, lang))
    st.caption(i18n.t(intro_key, lang))
    return lang


def services_or_stop(lang: str, *, needs_map: bool = False):
    """The located services (last good data if the file broke), or a plain error and the page stops.

    ``needs_map`` also makes sure the map's JavaScript and CSS are being served.
    """
    services, error = cache.load_directory()
    data_status(error, services is not None, lang)
    if services is not None:
        geography_or_stop(lang)
    if needs_map:
        assets_error = cache.static_assets_error()
        if assets_error:
            st.error(i18n.t("map.assets_error", lang, error=safe.md_text(assets_error)))
    if services is None:
        first_paint.release(wait=False)  # the language choice, before the page stops
        st.stop()
    return services


def geography_or_stop(lang: str) -> None:
    """Read (and cache) every geography file once; a missing or broken one stops the page with
    a message naming it and how to rebuild it, never a stack trace."""
    error = cache.geography_error()  # checked once per data stamp, not unpickled on every run (issue 14)
    if error is not None:
        st.error(i18n.t("app.broken_files", lang, error=safe.md_text(error)))
        st.stop()

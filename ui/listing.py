"""The text list of services: the map's content without the map (keyboard and screen-reader friendly)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st
from markdown_it import MarkdownIt

from geo import i18n, model, present, safe, settings

#: (record, lang, when) -> the open state in words.
StateText = Callable[[dict, str, dt.datetime], str]

#: Services listed per section before a "show more" button (a national-size directory would
#: otherwise draw thousands of expanders on every rerun). 25, not 100: every entry is drawn by the
#: browser before the map's frame appears, and at 10,000 addresses 100 per section kept the map
#: from being drawn within 3 s (issue 14); Koper's longest section has 22.
PAGE_SIZE = 25

#: Sections of the list, in order, with the location types each holds.
SECTIONS = (
    ("list.at_address", model.PLACED_TYPES),
    ("list.anywhere", (model.AREA,)),
    ("list.confidential", (model.CONFIDENTIAL,)),
)


def expander_label(record: dict, lang: str, when: dt.datetime, extra: str = "", *,
                   state: StateText = present.state_text) -> str:
    """Name · category (· open state) (· extra): what a reader hears before opening the details.

    ``state`` says the open state (the nearest page passes ``geo.answer.state_text``: "closed, opens …").
    """
    parts = [i18n.field(record, "name", lang), i18n.t(f"category.{record['category']}", lang)]
    parts.append(state(record, lang, when))
    if extra:
        parts.append(extra)
    # Expander labels are Markdown: data text is escaped like everywhere else.
    return " · ".join(safe.md_text(p) for p in parts if p)


def entry_texts(record: dict, lang: str, when: dt.datetime, feedback: str | None = None, *,
                state: StateText = present.state_text) -> tuple[str, str, str]:
    """(expander label, details Markdown, "report a mistake" Markdown or '') of one service."""
    return (expander_label(record, lang, when, state=state), present.details_markdown(record, lang, when),
            present.mistake_markdown(record, lang, feedback))  # a mailto: link; nothing stored


def service_expanders(records: list[dict], lang: str, when: dt.datetime, *, expanded_ids: set[str] = frozenset(),
                      expand_all: bool = False, state: StateText = present.state_text,
                      texts: Mapping[str, tuple[str, str, str]] | None = None) -> None:
    """One expander per service with every fact, phones and directions as links (open when its id is in
    ``expanded_ids``, or all with ``expand_all``). ``texts``: ``entry_texts`` by service id, made
    already (``ui.cache.listing_texts``, shared by every session); missing ones are made here."""
    for record in records:
        label, details, mistake = (texts or {}).get(str(record.get("id"))) or entry_texts(
            record, lang, when, settings.feedback_email(), state=state)
        with st.expander(label, expanded=expand_all or record.get("id") in expanded_ids):
            # one element per entry: the browser draws ~100 list elements before the map frame (issue 14)
            st.markdown(f"{details}\n\n{mistake}" if mistake else details)


#: The link schemes a list entry may carry (the project's rule: http(s), mailto and tel only).
LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def _markdown_renderer() -> MarkdownIt:
    """CommonMark without raw HTML (markup in a text is shown as text, like in Streamlit's Markdown), links
    only with ``LINK_SCHEMES``, web links opening in a new tab as Streamlit's Markdown opens them."""
    renderer = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")
    renderer.validateLink = lambda url: url.strip().lower().startswith(LINK_SCHEMES)

    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        if str(token.attrGet("href") or "").lower().startswith(("http://", "https://")):
            token.attrSet("target", "_blank")  # Streamlit keeps _blank and adds rel="noopener noreferrer"
            token.attrSet("rel", "noopener noreferrer")
        return self.renderToken(tokens, idx, options, env)

    renderer.add_render_rule("link_open", link_open)
    return renderer


_MARKDOWN = _markdown_renderer()

#: The look of a list entry: Streamlit's expander (a bordered box, a chevron before the label in its size,
#: links in its colour), drawn by the browser's own <details>, which a keyboard and a screen reader already
#: know; the focus ring is drawn inside the box (content-visibility clips what is outside it), and a
#: touch screen gets 44 px tall summaries. Entries
#: out of view are not laid out until scrolled to (``content-visibility: auto``; still found by the
#: browser's search and read by screen readers): the list is below the map (issue 14).
LIST_STYLE = """<style>
.koper-list details { border: 1px solid color-mix(in srgb, currentColor 15%, transparent); border-radius: 0.5rem;
  margin: 0 0 0.75rem; content-visibility: auto; contain-intrinsic-size: auto 2.5rem; }
.koper-list summary { display: flex; gap: 0.75rem; align-items: baseline; padding: 0.5rem 0.75rem; cursor: pointer;
  list-style: none; border-radius: 0.5rem; font-size: 0.875rem; line-height: 1.6; }
.koper-list summary::-webkit-details-marker { display: none; }
.koper-list summary::before { content: ""; flex: none; width: 0.4em; height: 0.4em; margin: 0 0.2em;
  border-right: 2px solid; border-bottom: 2px solid; transform: translateY(-0.1em) rotate(-45deg); }
.koper-list details[open] > summary::before { transform: translateY(-0.25em) rotate(45deg); }
.koper-list summary:hover { background: color-mix(in srgb, currentColor 5%, transparent); }
.koper-list summary:focus-visible { outline: 2px solid currentColor; outline-offset: -2px; }
.koper-list details > div { padding: 0 1rem 1rem; line-height: 1.6; overflow-wrap: anywhere; }
.koper-list details > div p { margin: 0 0 0.75rem; }
.koper-list a { color: rgb(36, 79, 180); }
@media (pointer: coarse) { .koper-list summary { min-height: 2.75rem; align-items: center; } }
</style>"""


def entry_html(texts: tuple[str, str, str], service_id: str, *, open_: bool = False) -> str:
    """One list entry as ``<details>``: ``entry_texts``' label (Markdown, as the summary), details and
    "report a mistake" (Markdown, as the body), rendered with CommonMark (``markdown-it-py``, raw HTML
    in the texts shown as text, links checked again); ``open_`` shows the body. The list draws all its
    entries as one HTML element: ~70 Markdown elements (a label and a body each) were ~0.1–0.2 s of the
    browser's work before the map's frame appeared, and as many elements per run on the server (issue 14).
    """
    label, details, mistake = texts
    body = _MARKDOWN.render(f"{details}\n\n{mistake}" if mistake else details)
    entry = (f'<details data-service-id="{safe.html_text(service_id)}">'
             f"<summary>{_MARKDOWN.renderInline(label)}</summary><div>{body}</div></details>")
    return open_entry(entry) if open_ else entry


def open_entry(html: str) -> str:
    """An ``entry_html`` entry, shown open."""
    return html if html.startswith("<details open ") else html.replace("<details ", "<details open ", 1)


def entries(ids: list[str], lang: str, when: dt.datetime, *, texts: Mapping[str, tuple[str, str, str]],
            html: Mapping[str, str] | None = None, records: Mapping[str, dict] | None = None,
            open_ids: set[str] = frozenset()) -> None:
    """Draw services as one HTML element of ``entry_html`` entries, in the order of ``ids``. ``html``:
    the entries made already (``ui.cache.listing_html``, shared by every session); ``texts`` the
    ``entry_texts`` of the others, or ``records`` (by id) to make them from."""
    parts = []
    for service_id in ids:
        made = (html or {}).get(service_id)
        if made is None:
            made = entry_html(texts.get(service_id) or entry_texts((records or {})[service_id], lang, when,
                                                                   settings.feedback_email()), service_id)
        parts.append(open_entry(made) if service_id in open_ids else made)
    st.html(f'<div class="koper-list">{"".join(parts)}</div>{LIST_STYLE}')  # a leading <style> may be dropped


def sectioned_list(services: pd.DataFrame, lang: str, when: dt.datetime, *, expanded_ids: set[str] = frozenset(),
                   texts: Mapping[str, tuple[str, str, str]] | None = None, html: Mapping[str, str] | None = None
                   ) -> None:
    """The services grouped as: at an address, available anywhere in the municipality, confidential;
    then information records (a funding call: never listed as available anywhere, issue 13). Each
    section's entries are one HTML element (``entries``); ``texts`` and ``html``: see there.

    Works on plain lists of ids and types: slicing and converting the table to records on every run
    was a third of the service map's server CPU (py-spy, issue 14); rows become records only for
    entries ``texts`` lacks.
    """
    ids = [str(i) for i in services["id"].tolist()]
    kinds = services["location_type"].tolist()
    is_information = ((services["record_kind"] == model.INFORMATION).tolist() if "record_kind" in services
                      else [False] * len(ids))
    missing = {i for i in ids if i not in (texts or {})}
    records = ({str(r["id"]): r for r in services[services["id"].astype(str).isin(missing)].to_dict("records")}
               if missing else {})

    def draw(chosen: list[str]) -> None:
        entries(chosen, lang, when, texts=texts or {}, html=html, records=records, open_ids=expanded_ids)

    for title_key, types in SECTIONS:
        part = [i for i, kind, info in zip(ids, kinds, is_information) if kind in types and not info]
        if not part:
            continue
        st.subheader(i18n.t(title_key, lang, n=len(part)))
        if types == (model.AREA,):
            st.caption(i18n.t("list.anywhere_note", lang))
        if types == (model.CONFIDENTIAL,):
            st.caption(i18n.t("list.confidential_note", lang))
        key = f"list_shown_{types[0]}"
        shown = st.session_state.get(key, PAGE_SIZE)
        draw(part[:shown])
        if len(part) > shown:
            st.caption(i18n.t("list.showing", lang, shown=shown, n=len(part)))
            st.button(i18n.t("list.more", lang, n=min(PAGE_SIZE, len(part) - shown)), key=f"{key}_more",
                      on_click=lambda k=key, s=shown: st.session_state.update({k: s + PAGE_SIZE}))
    information = [i for i, info in zip(ids, is_information) if info]
    if information:
        st.subheader(i18n.t("list.information", lang, n=len(information)))
        st.caption(i18n.t("list.information_note", lang))
        draw(information)

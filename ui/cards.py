"""Tables a phone can read: on a narrow screen each row is a card, on a wide one the full table stays.

A coverage table has 7–14 columns; at 390 px st.dataframe shows two of them and scrolls sideways.
Streamlit tells the server nothing about the screen, so a page sends both views and CSS media queries
show one: the st.dataframe (every column, sorting, row selection) above ``NARROW_MAX_PX``, and at or
below it a list of cards — the row's title and the figures that matter in one line each, every other
column folded under it (``<details>``), so nothing is lost. The cards are one ``st.html`` element of
escaped text (no script): one element for the server to send, whatever the number of rows.
"""
from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import streamlit as st

#: The widest screen (CSS px) that gets the cards: Streamlit's own phone breakpoint (its sidebar
#: becomes an overlay there); a 390 px phone and a 600 px phone turned sideways both get cards.
NARROW_MAX_PX = 640
#: Cell texts that say "nothing here": left out of a card's summary line (they stay in the table).
EMPTY = ("", "–")

_CSS = """<style>
@media (max-width: %(max)dpx) { .st-key-%(key)s-wide { display: none !important; } }
@media (min-width: %(min)dpx) { .st-key-%(key)s-cards { display: none !important; } }
ul.koper-cards { list-style: none; margin: 0 !important; padding: 0 !important; }
.koper-cards > li { margin: 0; padding: 0.45rem 0; border-bottom: 1px solid rgba(128, 128, 128, 0.35); }
.koper-cards summary { cursor: pointer; line-height: 1.35; }
.koper-cards .koper-card-title { font-weight: 600; }
.koper-cards .koper-card-lead { display: block; padding-left: 1.1rem; overflow-wrap: anywhere; }
.koper-cards dl { margin: 0.35rem 0 0.2rem 1.1rem; }
.koper-cards dl > div { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); gap: 0.6rem;
  padding: 0.1rem 0; }
.koper-cards dt { font-weight: 400; overflow-wrap: anywhere; }
.koper-cards dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.koper-cards .koper-card-link { display: inline-block; margin: 0.2rem 0 0 1.1rem; }
</style>"""


def css(key: str) -> str:
    """The style that shows ``key``'s table on a wide screen and its cards on a narrow one (static, no data)."""
    return _CSS % {"key": key, "max": NARROW_MAX_PX, "min": NARROW_MAX_PX + 1}


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def cards_html(frame: pd.DataFrame, headers: dict[str, str], *, title: Sequence[str], aside: Sequence[str] = (),
               lead: Sequence[str] = (), plain: Sequence[str] = (), links: Sequence[str | None] | None = None,
               link_text: str = "", label: str = "") -> str:
    """The rows of ``frame`` (cells already written as text in the page's language) as an HTML card list.

    ``headers`` maps each column to show to its header, in order. A card's summary holds the
    ``title`` columns joined by a space (bold), then the ``aside`` columns after " · " on the same
    line, then one line per ``lead`` column, "header: value" (just the value for a column in
    ``plain``, a text that says what it is). Empty cells ('' or '–') are left out of the summary; the
    other columns of ``headers`` are folded under it as header/value pairs. ``links`` (one href per
    row, or None) adds a link reading ``link_text``; ``label`` names the list for screen readers.
    Every text and href is HTML-escaped. Raises KeyError for a column ``frame`` lacks.
    """
    summary = [*title, *aside, *lead]
    shown = [c for c in headers if c not in summary]
    items = []
    for position, row in enumerate(frame[list(dict.fromkeys([*summary, *shown]))].to_dict("records")):
        name = " ".join(t for t in (_text(row[c]) for c in title) if t)
        beside = " · ".join(html.escape(t) for t in (_text(row[c]) for c in aside) if t not in EMPTY)
        lines = (f" · {beside}" if beside else "") + "".join(
            f'<span class="koper-card-lead">{"" if c in plain else html.escape(headers[c]) + ": "}'
            f"{html.escape(_text(row[c]))}</span>" for c in lead if _text(row[c]) not in EMPTY)
        pairs = "".join(f"<div><dt>{html.escape(headers[c])}</dt><dd>{html.escape(_text(row[c]) or '–')}</dd></div>"
                        for c in shown)
        href = links[position] if links is not None else None
        link = (f'<a class="koper-card-link" href="{html.escape(href, quote=True)}">{html.escape(link_text)}</a>'
                if href else "")
        items.append(f'<li><details><summary><span class="koper-card-title">{html.escape(name)}</span>{lines}</summary>'
                     f"{f'<dl>{pairs}</dl>' if pairs else ''}{link}</details></li>")
    return f'<ul class="koper-cards" aria-label="{html.escape(label, quote=True)}">{"".join(items)}</ul>'


def wide(key: str):
    """The container for the full table (shown above NARROW_MAX_PX): draw the st.dataframe into it."""
    return st.container(key=f"{key}-wide")


def narrow(key: str, cards: str) -> None:
    """The cards (``cards_html``) in their container, shown at NARROW_MAX_PX and below, with the style
    that switches between the two views (after the cards: a leading <style> is dropped by the sanitiser)."""
    st.container(key=f"{key}-cards").html(cards + css(key))

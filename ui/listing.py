"""The text list of services: the map's content without the map (keyboard and screen-reader friendly)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo import i18n, model, present, safe, settings

#: (record, lang, when) -> the open state in words.
StateText = Callable[[dict, str, dt.datetime], str]

#: Services listed per section before a "show more" button (a national-size directory would
#: otherwise draw thousands of expanders on every rerun).
PAGE_SIZE = 100

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
                      texts: dict[str, tuple[str, str, str]] | None = None) -> None:
    """One expander per service with every fact, phones and directions as links (open when its id is in
    ``expanded_ids``, or all with ``expand_all``). ``texts``: ``entry_texts`` by service id, made
    already (``ui.cache.listing_texts``, shared by every session); missing ones are made here."""
    for record in records:
        label, details, mistake = (texts or {}).get(str(record.get("id"))) or entry_texts(
            record, lang, when, settings.feedback_email(), state=state)
        with st.expander(label, expanded=expand_all or record.get("id") in expanded_ids):
            # one element per entry: the browser draws ~100 list elements before the map frame (issue 14)
            st.markdown(f"{details}\n\n{mistake}" if mistake else details)


def sectioned_list(services: pd.DataFrame, lang: str, when: dt.datetime, *, expanded_ids: set[str] = frozenset(),
                   texts: dict[str, tuple[str, str, str]] | None = None) -> None:
    """The services grouped as: at an address, available anywhere in the municipality, confidential;
    then information records (a funding call: never listed as available anywhere, issue 13).
    ``texts``: see ``service_expanders``."""
    information = services.get("record_kind", pd.Series("", index=services.index)) == model.INFORMATION
    for title_key, kinds in SECTIONS:
        part = services[services["location_type"].isin(kinds) & ~information]
        if part.empty:
            continue
        st.subheader(i18n.t(title_key, lang, n=len(part)))
        if kinds == (model.AREA,):
            st.caption(i18n.t("list.anywhere_note", lang))
        if kinds == (model.CONFIDENTIAL,):
            st.caption(i18n.t("list.confidential_note", lang))
        key = f"list_shown_{kinds[0]}"
        shown = st.session_state.get(key, PAGE_SIZE)
        service_expanders(part.head(shown).to_dict("records"), lang, when, expanded_ids=expanded_ids, texts=texts)
        if len(part) > shown:
            st.caption(i18n.t("list.showing", lang, shown=shown, n=len(part)))
            st.button(i18n.t("list.more", lang, n=min(PAGE_SIZE, len(part) - shown)), key=f"{key}_more",
                      on_click=lambda k=key, s=shown: st.session_state.update({k: s + PAGE_SIZE}))
    if information.any():
        st.subheader(i18n.t("list.information", lang, n=int(information.sum())))
        st.caption(i18n.t("list.information_note", lang))
        service_expanders(services[information].to_dict("records"), lang, when, expanded_ids=expanded_ids,
                          texts=texts)

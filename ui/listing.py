"""The text list of services: the map's content without the map (keyboard and screen-reader friendly)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

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


def sectioned_list(services: pd.DataFrame, lang: str, when: dt.datetime, *, expanded_ids: set[str] = frozenset(),
                   texts: Mapping[str, tuple[str, str, str]] | None = None) -> None:
    """The services grouped as: at an address, available anywhere in the municipality, confidential;
    then information records (a funding call: never listed as available anywhere, issue 13).
    ``texts``: see ``service_expanders``.

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

    def entries(chosen: list[str]) -> list[dict]:
        return [records.get(i) or {"id": i} for i in chosen]  # an id alone: its texts are in ``texts``

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
        service_expanders(entries(part[:shown]), lang, when, expanded_ids=expanded_ids, texts=texts)
        if len(part) > shown:
            st.caption(i18n.t("list.showing", lang, shown=shown, n=len(part)))
            st.button(i18n.t("list.more", lang, n=min(PAGE_SIZE, len(part) - shown)), key=f"{key}_more",
                      on_click=lambda k=key, s=shown: st.session_state.update({k: s + PAGE_SIZE}))
    information = [i for i, info in zip(ids, is_information) if info]
    if information:
        st.subheader(i18n.t("list.information", lang, n=len(information)))
        st.caption(i18n.t("list.information_note", lang))
        service_expanders(entries(information), lang, when, expanded_ids=expanded_ids, texts=texts)

"""A typed address, looked up for this session only: the form, the notice about the online geocoder, the lookup.

Before a typed address can be sent to the online geocoder (OpenStreetMap Nominatim) the form says
so in the page language and offers the offline register instead; the citizen's choice holds for
that one lookup. With ``KOPER_MAP_ONLINE=0`` there is no online choice and the form says the address
stays in the app. The typed text is never cached, logged or put in the link.
"""
from __future__ import annotations

import streamlit as st

from geo import geocode, i18n, settings
from ui import cache, widget_state

ONLINE, OFFLINE = "online", "offline"
#: Widget keys (the nearest page's ``near_`` namespace).
FORM_KEY, TEXT_KEY, CHOICE_KEY, SUBMIT_KEY = "near_address_form", "near_address", "near_address_lookup", "near_find"


def note_text(result: geocode.GeocodeResult, lang: str) -> str:
    """What the geocoder noted about ``result``, in ``lang`` (plain text: escape it before Markdown).

    The geocoder's own notes (ambiguous street, online failure and why, …) are translated. A
    hand-placed point's own note is written by staff for staff (in English, naming commands such as
    ``make geocode``) and stays on the staff page; the citizen is told, in their language, that the
    point was placed by hand.
    """
    parts = []
    for note in result.notes:
        params = dict(note.params)
        if "failure" in params:
            params["reason"] = i18n.t(f"geocode.failure.{params.pop('failure')}", lang)
        parts.append(i18n.t(f"geocode.note.{note.key}", lang, **params))
    if result.source == geocode.SOURCE_MANUAL:
        parts.append(i18n.t("geocode.note.hand_placed", lang))
    return " ".join(parts)


def lookup_form(lang: str, prefix: str = "near") -> tuple[bool, geocode.GeocodeResult | None]:
    """Draw the address form; returns (submitted, where the address was placed or None if not found).

    ``prefix`` names the widget keys (``<prefix>_address`` …): another page passes its own namespace.

    Online lookups go through the process-wide Nominatim client (one request per second for the
    whole app, back within 5 s whatever the service does); offline ones read only the register,
    the hand-placed points and the geocode cache.
    """
    online_allowed = settings.online_geocoding()
    form_key, text_key, choice_key, submit_key = (
        (FORM_KEY, TEXT_KEY, CHOICE_KEY, SUBMIT_KEY) if prefix == "near"
        else tuple(f"{prefix}_{k.removeprefix('near_')}" for k in (FORM_KEY, TEXT_KEY, CHOICE_KEY, SUBMIT_KEY)))
    with st.form(form_key, border=False):
        typed = st.text_input(i18n.t("nearest.address", lang), placeholder=i18n.t("nearest.address_placeholder", lang),
                              max_chars=200, key=widget_state.typed_in_form(text_key))
        if online_allowed:
            st.caption(i18n.t("address.online_notice", lang))
            how = st.radio(i18n.t("address.lookup_choice", lang), (ONLINE, OFFLINE), key=choice_key,
                           format_func=lambda choice: i18n.t(f"address.lookup.{choice}", lang))
        else:
            st.caption(i18n.t("address.offline_only", lang))
            how = OFFLINE
        asked = st.form_submit_button(i18n.t("nearest.find", lang), key=submit_key)
    if not asked:
        return False, None
    online = online_allowed and how == ONLINE
    return True, geocode.geocode(typed, online=online, geocoder=cache.online_geocoder() if online else None,
                                 store=False, sources=cache.geocode_sources())

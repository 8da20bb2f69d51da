"""Widgets every page shares: the language picker and the data-status banner."""
from __future__ import annotations

import streamlit as st

from geo import i18n, safe
from geo.errors import KoperMapError
from ui import cache, routing

LANG_PARAM = "lang"


def language() -> str:
    """The page language from ``?lang=``; the sidebar picker writes it back to the URL.

    Every page calls this first, so it also makes sure app.py is routing the run.
    """
    routing.require_entrypoint()
    current = i18n.language(st.query_params.get(LANG_PARAM))
    chosen = st.sidebar.selectbox(
        i18n.t("app.language", current),
        i18n.LANGUAGES,
        index=i18n.LANGUAGES.index(current),
        format_func=i18n.LANGUAGE_NAMES.get,
        key="language",
    )
    if chosen != st.query_params.get(LANG_PARAM):
        st.query_params[LANG_PARAM] = chosen
    return chosen


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
        st.stop()
    return services


def geography_or_stop(lang: str) -> None:
    """Read (and cache) every geography file once; a missing or broken one stops the page with
    a message naming it and how to rebuild it, never a stack trace."""
    try:
        cache.load_areas()
        cache.load_boundaries()
        cache.load_outline()
        cache.load_settlements()
    except KoperMapError as error:
        st.error(i18n.t("app.broken_files", lang, error=safe.md_text(error)))
        st.stop()

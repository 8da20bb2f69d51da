"""The app's pages, and app.py routing every run — a fresh server's first one included.

Why this module exists: a folder named ``pages/`` beside app.py switches Streamlit (1.67) into its
older multipage mode until ``st.navigation`` has run once in the server process. Streamlit's
documentation of ``st.navigation`` says so: "As soon as any session of your app executes the
st.navigation command, your app will ignore the pages/ directory (across all sessions)." So the
first request of a fresh server to ``/nearest`` runs ``pages/nearest.py`` alone, without app.py's
page configuration, navigation, sign-in control or error handling. No setting switches that mode
off (it is decided when the first session starts, from the folder's existence), and the folder's
name is fixed by the project's layout.

What is done, with public commands only: app.py runs the page inside :func:`routed`; a page that
finds itself started outside it (:func:`require_entrypoint`, called by ``ui.common.language``)
calls ``st.navigation`` with the same pages as app.py — which switches the old mode off for good
and resolves the requested page exactly as app.py would (a staff page the visitor may not see
resolves to the start page) — and reruns, so that app.py routes the rerun.
tests/test_routing.py fails if a Streamlit upgrade changes this; tests/test_browser.py checks a
fresh server's first request to every page.
"""
from __future__ import annotations

import logging
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from geo import i18n
from ui import auth

_LOG = logging.getLogger("koper_map")
# A local icon: a material or emoji icon would make the browser fetch it from a CDN.
ICON = Path(__file__).parent / "icon.svg"

#: Per script thread: is app.py running the page right now? (A thread-local, not a process-wide
#: flag: each session's script runs in its own thread.)
_state = threading.local()


def configure_page(lang: str = i18n.DEFAULT_LANGUAGE, page_title: str | None = None) -> None:
    """The browser tab's title in ``lang`` ("Page · Koper – social services" once the page is
    known), the local icon and the wide layout (app.py, and a page started alone)."""
    title = i18n.t("app.tab_title", lang)
    if page_title:
        title = f"{page_title} · {title}"
    st.set_page_config(page_title=title, page_icon=str(ICON), layout="wide")


def pages(lang: str) -> list[st.Page]:
    """The navigation's pages in ``lang``; the staff page only for a signed-in staff member.

    Each url_path is its file's name, so that the older multipage mode (see above) resolves a
    first request to the same page as app.py does.
    """
    found = [
        st.Page("pages/map.py", title=i18n.t("page.map", lang), icon=":material/map:", default=True),
        st.Page("pages/nearest.py", title=i18n.t("page.nearest", lang), icon=":material/near_me:", url_path="nearest"),
        st.Page("pages/directory.py", title=i18n.t("page.directory", lang), icon=":material/list:", url_path="directory"),
        st.Page("pages/areas.py", title=i18n.t("page.areas", lang), icon=":material/holiday_village:", url_path="areas"),
        st.Page("pages/coverage.py", title=i18n.t("page.coverage", lang), icon=":material/analytics:", url_path="coverage"),
        st.Page("pages/area.py", title=i18n.t("page.area_profile", lang), icon=":material/location_city:", url_path="area"),
        st.Page("pages/council.py", title=i18n.t("page.council", lang), icon=":material/co_present:", url_path="council"),
        st.Page("pages/whatif.py", title=i18n.t("page.whatif", lang), icon=":material/add_location_alt:", url_path="whatif"),
    ]
    # Staff tools: absent with KOPER_MAP_UPKEEP=0, without sign-in, and for anyone not on the staff list.
    if auth.staff_page_offered():
        found.append(st.Page("pages/upkeep.py", title=i18n.t("page.upkeep", lang), icon=":material/edit_note:",
                             url_path="upkeep"))
    return found


@contextmanager
def routed():
    """app.py runs the chosen page inside this block."""
    outer = getattr(_state, "routed", False)
    _state.routed = True
    try:
        yield
    finally:
        _state.routed = outer


def require_entrypoint() -> None:
    """Rerun through app.py when this page was started without it (a fresh server's first request).

    Call it at a page's top level (``ui.common.language`` does): a fragment or widget callback
    runs outside app.py's block and would trigger a needless full rerun.
    """
    if getattr(_state, "routed", False):
        return
    lang = i18n.language(st.query_params.get("lang"))
    configure_page(lang)  # else the browser takes the page's material icon as favicon, from a CDN
    st.navigation(pages(lang), position="hidden")  # public: from now on the pages/ folder is ignored
    st.rerun()


def log_unexpected(error: BaseException, page: str) -> None:
    """Log an unexpected page error server-side: its type and where it happened, not its message.

    The message is left out because it may hold what a visitor typed (an address on the nearest
    page); the file, line and function of every frame are enough to find the fault.
    """
    frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
    _LOG.error("Unexpected %s on page %r (message withheld: it may hold visitor input)\n%s",
               type(error).__name__, page, frames)

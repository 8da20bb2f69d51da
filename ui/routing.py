"""Makes sure app.py routes every request, including a fresh server's first one.

Streamlit runs a ``pages/`` script directly (its older multipage mode) for the first
request after the server starts, because the folder exists before ``st.navigation`` has
been seen. Such a run skips app.py's page config and navigation; the pages call
:func:`require_entrypoint`, which reruns once so that app.py takes over.
"""
from __future__ import annotations

import streamlit as st

_entrypoint_ran = False


def mark_entrypoint() -> None:
    """Called by app.py on every run."""
    global _entrypoint_ran
    _entrypoint_ran = True


def require_entrypoint() -> None:
    """Rerun when this page was started without app.py, so that app.py routes the rerun."""
    if _entrypoint_ran:
        return
    # Streamlit keeps the older mode until the public st.navigation has run once; clear its
    # flag (a class attribute of PagesManager) or every rerun would come back here.
    try:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
    except ImportError:  # a future Streamlit without the flag: the rerun alone is enough
        pass
    st.rerun()

"""The link that reopens the current view (shown with a copy button)."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st

from geo import i18n


def view_link(url_path: str) -> str:
    """Absolute link to page ``url_path`` with the current query parameters (relative when unknown)."""
    query = urlencode(st.query_params.to_dict())
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        parts = None
    base = f"{parts.scheme}://{parts.netloc}/{url_path}" if parts and parts.scheme in ("http", "https") else f"/{url_path}"
    return f"{base}?{query}" if query else base


def share_box(url_path: str, lang: str, note_key: str = "share.note") -> None:
    """A copyable link to this view, with a line on what it carries."""
    st.markdown(f"**{i18n.t('share.title', lang)}**")
    st.code(view_link(url_path), language=None, wrap_lines=True)
    st.caption(i18n.t(note_key, lang))

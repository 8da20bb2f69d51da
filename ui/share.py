"""The link that reopens the current view."""
from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

import streamlit as st

from geo import i18n, safe

#: Characters that could end a Markdown link target or break out of it: percent-encoded in the href.
_UNSAFE_IN_HREF = ' ()<>"\'\\`'


def view_link(url_path: str) -> str:
    """Absolute link to page ``url_path`` with the current query parameters (relative when unknown)."""
    query = urlencode(st.query_params.to_dict())
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        parts = None
    base = f"{parts.scheme}://{parts.netloc}/{url_path}" if parts and parts.scheme in ("http", "https") else f"/{url_path}"
    return f"{base}?{query}" if query else base


def markdown_href(link: str) -> str:
    """``link`` with every character that could end or escape a Markdown link target percent-encoded."""
    return "".join(quote(char, safe="") if char in _UNSAFE_IN_HREF else char for char in link)


def share_box(url_path: str, lang: str, note_key: str = "share.note") -> None:
    """A link to this view (copied with the browser's own "copy link"), with a line on what it carries.

    A plain link, not ``st.code``: its copy button made every page load Streamlit's 1.5 MB syntax
    highlighter, ~0.2 s of the browser's main thread before the map frame appeared (issue 14).
    """
    href = markdown_href(view_link(url_path))
    st.markdown(f"**[{safe.md_link_label(i18n.t('share.title', lang))}]({href})**")
    st.caption(f"{i18n.t(note_key, lang)} {i18n.t('share.copy_hint', lang)}")

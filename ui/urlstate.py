"""Writing a page's state to the URL query string (only the keys the page owns)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st


def write(values: Mapping[str, str], owned: Iterable[str]) -> None:
    """Set ``values`` in the URL and remove the ``owned`` keys they leave out; untouched keys stay.

    Only changed keys are written: each write is a browser history entry.
    """
    for key in owned:
        if key not in values and key in st.query_params:
            del st.query_params[key]
    for key, value in values.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value

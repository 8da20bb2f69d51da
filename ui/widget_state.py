"""A keyed widget's default is the value the session holds for it.

Streamlit's browser side mounts a widget at the default its element carries, unless the run that
drew it also set its value (a value written to ``st.session_state`` in that same run). A widget
that was not mounted yet when the user's last action was sent (its script still loading on a slow
phone, a fold just opened) is not reported in that run, so the run's element carries only the
default: without one, Streamlit's own (the first option, unchecked, today) comes up on screen and
is sent back with the next action. The nearest page listed 1 place instead of 3 that way (its
"how many places" slider came up at its first choice after a quick first click, about 1 run in 5
in a real browser). Every keyed widget that a page seeds (from the link, or with a default of its
own) therefore passes what the session holds as its default; tests/test_widget_mount.py checks
every page. Streamlit logs a warning when a widget has a default and its key was written in the
same run; the pages do that on purpose (.streamlit/config.toml turns the warning off).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st


def held(key: str, default: Any = None) -> Any:
    """The value this session holds under ``key``, else ``default``: pass it as the widget's
    ``value=`` (checkbox, toggle, text, date, time, select_slider) or ``default=`` (multiselect)."""
    return st.session_state.get(key, default)


def held_index(key: str, options: Sequence, default: int | None = 0) -> int | None:
    """The position in ``options`` of the value held under ``key``, for a radio's or selectbox's
    ``index=``: ``default`` when nothing is held, None when the held value is None (a selectbox's
    placeholder), ``default`` when the held value is not among the options."""
    if key not in st.session_state:
        return default
    value = st.session_state[key]
    if value is None:
        return None
    try:
        return list(options).index(value)
    except ValueError:
        return default


#: Keys of text fields inside a form (an address being typed): see :func:`typed_in_form`.
_TYPED_IN_FORMS: set[str] = set()


def typed_in_form(key: str) -> str:
    """Mark ``key`` as a text field inside a form, whose text reaches the server only when the form is
    sent: :func:`resend_choices` leaves it alone (it would write the last sent text over what the user
    is typing). Returns ``key``, for the widget's ``key=``."""
    _TYPED_IN_FORMS.add(key)
    return key


def resend_choices(exclude: tuple[str, ...] = ()) -> None:
    """Write every choice this session holds back to itself, so the next run sends it to the browser again.

    For the language choice's callback: the browser holds a radio's, select box's or multiselect's
    choice as the words of its option and sends those words back; after a change of language they
    name no option any more (a page read "Qualsiasi momento" as an opening-hours mode and failed).
    A value written in a callback is set in the browser by the next run, in the new words. Text
    values and lists of texts are the choices; checkboxes, buttons (True/False), uploads, dates and
    numbers are sent as themselves and are left alone (a button's value may not be written at all).
    Keys in ``exclude`` and text fields inside a form (:func:`typed_in_form`) are skipped.
    """
    state = st.session_state
    for key in list(state.keys()):
        value = state[key]
        is_choice = isinstance(value, str) or (
            isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, str) for v in value))
        if key not in exclude and key not in _TYPED_IN_FORMS and is_choice:
            state[key] = value

"""A new visitor's service map: the map is sent first, the side panel's widgets and the list once it is drawn.

Why (issue 14, measured side by side with the fair peer, a plain st_folium page): the browser shows
the map's frame only once the code of every kind of element sent with it has loaded. Streamlit
fetches each kind's code the first time it draws one, and React reveals what waited for code in
batches (React 18 holds a reveal up to 500 ms after the last placeholder was shown). In a probe
(bench/bench_map.py's browser timing, 5 visits each, one run): the plain page drew its map 1.20 s
after navigation; the same page with our side panel's kinds of widgets 1.61 s, whether they were sent
before or after the map in the same run; the same widgets sent 0.5 s after the map: 1.20 s.

So in a session's first run of the service map (every new visitor's first view), what the page draws
around the map — the language choice, the filters, the list — is held back
(:func:`draw`, each into a place made for it beforehand, so every run has the same order) until the
map has been sent; then :func:`release` waits until the browser reports the drawn map (streamlit-
folium sends its first view once Leaflet has drawn it), at most ``settings.first_paint_wait_s()``
(1.5 s), and draws them, in the same run. The report itself waits for the run to end: Streamlit
queues a fragment's rerun behind a running page, and the map is drawn in one (pages/map.py).

A second script run would do the same without waiting, but costs the server a third more CPU per
visit (measured side by side: 0.051 against 0.037 s); waiting costs none (the run's thread sleeps,
polling every ``POLL_S``). A fixed pause was measured too: 0.4 s was too short on this machine (the
widgets' code arrived while the frame loaded its own: 1.23 × the peer), 0.8 s enough (1.10 ×) but
the same on every device, where the report adapts to a slow phone and a fast desk. Later runs, and
a first visit to any other page, draw everything at once.

How the report is seen: a new rerun request in the session's ``ScriptRequests``, a private part of
Streamlit (1.67, pinned); tests/test_first_paint.py fails when an upgrade changes it, and without
it the wait is the whole ``first_paint_wait_s()``.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo import settings

#: Seconds between two looks for the map's report while waiting.
POLL_S = 0.05
#: Session state: present once this session has had a full run.
_SEEN = "koper_first_paint_seen"
#: Per script thread (each session's script runs in its own): the drawing held back in this run, or None.
_run = threading.local()


def begin(deferrable: bool) -> None:
    """app.py, at the start of every full run. ``deferrable``: this run's page is the service map;
    a session's first run of it holds back what :func:`draw` is given until :func:`release`."""
    first = _SEEN not in st.session_state
    st.session_state[_SEEN] = True
    _run.held = [] if (first and deferrable) else None


def holding() -> bool:
    """Is this run holding drawing back (a new visitor's first run of the service map, before the map)?"""
    return getattr(_run, "held", None) is not None


def draw(function: Callable[[], object]):
    """Call ``function`` now, or — while :func:`holding` — once :func:`release` runs.

    ``function`` must draw into a container the caller made in its place beforehand (e.g.
    ``box = st.sidebar.container()``, then ``box.radio(...)``), so that the page has the same order
    in every run. Only a page's own widgets may be held: :func:`release` runs inside the page, and
    Streamlit names a widget after the script that draws it (app.py's sign-in button, held back and
    drawn by the page, got another id than in later runs, and its first press was lost).
    Returns ``function``'s result when called now, else None."""
    if not holding():
        return function()
    _run.held.append(function)
    return None


def release(wait: bool = True) -> None:
    """Draw what was held back; nothing when not holding. With ``wait``, first wait for the browser's
    next message (the drawn map's report, or anything the visitor did), at most
    ``settings.first_paint_wait_s()``. The service map calls it right after its map; app.py again after
    every page, without waiting (a page that stopped before its map still gets its language choice)."""
    held = getattr(_run, "held", None)
    _run.held = None
    if not held:
        return
    if wait:
        deadline = time.monotonic() + settings.first_paint_wait_s()
        while time.monotonic() < deadline and not browser_spoke():
            time.sleep(POLL_S)
    for function in held:
        function()


def browser_spoke() -> bool:
    """Has the browser asked for a run (a widget's or the map's report) since this run began?
    False when that cannot be seen (no script run, or a Streamlit whose requests look different)."""
    requests = getattr(get_script_run_ctx(), "script_requests", None)
    state = getattr(requests, "_state", None)
    return getattr(state, "name", None) in ("RERUN", "STOP")

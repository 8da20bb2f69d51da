"""A widget the browser draws late still shows what the server holds.

Streamlit's browser side mounts a widget at the default its element carries (or at its value, when
the element says to set it). A widget that was not mounted yet when the user's last action went to
the server (its script still loading on a slow phone, a fold just opened) is not reported in that
run, and the run's element then carries only the default: a widget whose default is not the value
the session holds comes up at the default and sends it back on the next action. The nearest page
showed 1 place instead of 3 that way (the "how many places" slider mounted at its first choice after
a quick first click; seen in a real browser, 1 run in 5). These tests run every page, then run it
again as if the browser had reported no widget at all, and compare what each widget would mount
with what the session holds.
"""
from __future__ import annotations

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1.element_tree import Widget

from apptest_support import PAGES, UPKEEP_PAGE, run_page

#: Widgets whose first value depends on the link: each page also with link values that are not defaults.
LINKS = {
    "pages/map.py": {"cat": "home_care", "grp": "older", "hours": "open_at", "at": "2026-12-02T10:30", "unk": "0",
                     "q": "dom"},
    "pages/nearest.py": {"from": "area:ks-50602", "k": "5", "hours": "open_now", "unk": "0"},
    "pages/directory.py": {"type": "office", "price": "free", "exempt": "1"},
    "pages/coverage.py": {"m": "access_2sfca", "cat": "home_care", "at": "2026-12-02T10:30", "unk": "0", "ks": "1",
                          "far": "4", "r": "3", "share": "50", "min": "2"},
    "pages/area.py": {"area": "ks-50603", "cat": "home_care"},
    "pages/council.py": {"step": "2", "areas": "ks-50602,ks-50603"},
    "pages/whatif.py": {"cat": "counselling"},  # not the first category
}


#: Widgets whose value the browser holds as the words of the chosen option(s).
CHOICES = ("radio", "selectbox", "multiselect")


def _options(node) -> list[str]:
    return list(node.proto.options)


def mounted(node) -> tuple | None:
    """What a browser mounting ``node``'s element would show, as the wire values it would send back
    (None for widgets without a value to compare: buttons, uploads)."""
    proto = node.proto
    if not hasattr(proto, "default"):
        return None
    source = "value" if getattr(proto, "set_value", False) and node.type in ("checkbox", "toggle", "text_input",
                                                                            "date_input", "time_input",
                                                                            "number_input", "select_slider") else None
    if node.type in ("radio", "selectbox"):
        if getattr(proto, "set_value", False):
            return (proto.raw_value,) if proto.HasField("raw_value") else (None,)
        return (_options(node)[proto.default],) if proto.HasField("default") else (None,)
    if node.type == "multiselect":
        if getattr(proto, "set_value", False):
            return tuple(proto.raw_values)
        return tuple(_options(node)[i] for i in proto.default)
    if node.type == "select_slider":
        return tuple(_options(node)[int(i)] for i in (proto.value if source else proto.default))
    value = getattr(proto, source or "default")
    if node.type in ("checkbox", "toggle"):
        return (bool(value),)
    if node.type == "number_input":
        return (float(value[0]) if len(value) else None,) if not isinstance(value, float) else (value,)
    if node.type == "date_input":
        return tuple(value)
    return (value,)


def mounted_or_set(node) -> tuple | None:
    """What the browser shows after this run for a choice widget it had already mounted: the value the
    run sets (``set_value``), else None (it keeps what it had)."""
    proto = node.proto
    if not getattr(proto, "set_value", False):
        return None
    if node.type == "multiselect":
        return tuple(proto.raw_values)
    return (proto.raw_value,) if proto.HasField("raw_value") else (None,)


def held(node) -> tuple | None:
    """What the session holds for ``node``, as the same wire values."""
    state = node._widget_state
    kind = state.WhichOneof("value")
    if kind is None:
        return (None,)
    if kind == "string_array_value":
        return tuple(state.string_array_value.data)
    if kind == "double_value":
        return (float(state.double_value),)
    if kind == "int_value":
        return (float(state.int_value),)
    return (getattr(state, kind),)


def mismatches(app) -> list[str]:
    out = []
    for node in app._tree:
        if isinstance(node, Widget) and node.key and node.type not in ("button", "download_button", "file_uploader"):
            would, holds = mounted(node), held(node)
            if would is not None and would != holds:
                out.append(f"{node.key}: mounts {would}, holds {holds}")
    return out


@pytest.mark.parametrize("linked", [False, True], ids=["plain", "link"])
@pytest.mark.parametrize("page", [*PAGES, UPKEEP_PAGE])
def test_a_widget_mounted_late_shows_what_the_session_holds(page, linked):
    app = run_page(page, "it", **(LINKS.get(page, {}) if linked else {}))
    app._run(widget_state=WidgetStates())  # the browser reported no widget: none was mounted yet
    assert not app.exception
    assert mismatches(app) == []


@pytest.mark.parametrize("page", [*PAGES, UPKEEP_PAGE])
def test_after_a_language_change_every_choice_is_sent_again_in_the_new_words(page):
    # The browser holds a radio's, select box's or multiselect's choice as its label and sends that
    # label back. After a language change the old label no longer names any option: the server
    # then read "Qualsiasi momento" as an opening-hours mode and the page failed (a fresh-eyes check
    # on /nearest, it → sl, then a settlement). So the run after the change sets each such value
    # again, in the new words.
    app = run_page(page, "it", **LINKS.get(page, {}))
    before = {node.key: held(node) for node in app._tree if isinstance(node, Widget) and node.key}
    app.radio(key="language").set_value("sl").run()
    assert not app.exception
    stale = []
    for node in app._tree:
        if not (isinstance(node, Widget) and node.key in before) or node.type not in CHOICES:
            continue
        now = held(node)
        if before[node.key] != now and mounted_or_set(node) != now:
            stale.append(f"{node.key}: the browser keeps {before[node.key]}, the server now says {now}")
    assert stale == []


def test_a_language_change_leaves_an_address_being_typed_alone():
    # The address field is in a form: what the user is typing reaches the server only with "Find",
    # so writing the last sent text back would wipe it.
    app = run_page("pages/nearest.py", "it")
    app.radio(key="near_method").set_value("address").run()
    app.radio(key="language").set_value("sl").run()
    assert not app.exception
    (field,) = [node for node in app.text_input if node.key == "near_address"]
    assert not field.proto.set_value
    assert app.radio(key="near_method").proto.set_value  # the method's words are sent again in Slovene

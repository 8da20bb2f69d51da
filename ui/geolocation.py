"""A "use my location" button: asks the browser for the device's position (Streamlit component v2).

The position goes from the browser to this session only; it is never written to the URL, a
file or a log. Browsers allow it only on https:// or localhost pages and after the user agrees.
"""
from __future__ import annotations

import json
import math

import streamlit as st

_JS = """
export default function(component) {
    const { data, parentElement, setTriggerValue } = component;
    const button = parentElement.querySelector("button");
    const status = parentElement.querySelector("span");
    button.textContent = data.label;
    button.onclick = () => {
        if (!navigator.geolocation) { setTriggerValue("position", {error: "unsupported"}); return; }
        status.textContent = data.waiting;
        navigator.geolocation.getCurrentPosition(
            (p) => { status.textContent = ""; setTriggerValue("position", {lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy}); },
            (e) => { status.textContent = ""; setTriggerValue("position", {error: e.code === 1 ? "denied" : "unavailable"}); },
            {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000}
        );
    };
}
"""
_HTML = '<button type="button" class="koper-locate"></button> <span role="status" aria-live="polite"></span>'
_CSS = """
.koper-locate { font: inherit; padding: .45rem .9rem; border-radius: .5rem; cursor: pointer;
  border: 1px solid var(--st-border-color, #ccc); background: var(--st-secondary-background-color, #f0f2f6);
  color: var(--st-text-color, inherit); }
.koper-locate:focus-visible { outline: 3px solid var(--st-primary-color, #0072B2); outline-offset: 2px; }
"""

_component = st.components.v2.component("koper_geolocation", html=_HTML, css=_CSS, js=_JS)


def parse_position(value: object) -> tuple[float, float, float | None] | str | None:
    """(lat, lon, accuracy_m) from the browser's answer, an error word ('denied', …), or None."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, dict):
        return None
    if "error" in value:
        return str(value["error"]) if value["error"] in ("denied", "unavailable", "unsupported") else "unavailable"
    try:
        lat, lon = float(value["lat"]), float(value["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    accuracy = value.get("accuracy")
    try:
        accuracy = float(accuracy) if accuracy is not None and math.isfinite(float(accuracy)) else None
    except (TypeError, ValueError):
        accuracy = None
    return lat, lon, accuracy


def locate_button(label: str, waiting: str, key: str) -> tuple[float, float, float | None] | str | None:
    """Draw the button; the position (or an error word) after the user clicked and the browser answered."""
    result = _component(data={"label": label, "waiting": waiting}, key=key, on_position_change=lambda: None)
    return parse_position(getattr(result, "position", None))

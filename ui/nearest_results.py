"""The nearest page's answer: where the search starts; the services that come to the home (first when the
need is one of them); the nearest places open at the moment, those closed then with their next opening,
and those with no published hours (call first); a map of them; then the other services that reach the point."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo import answer, areas, i18n, model, nearest, present, safe, settings
from geo.filters import Filters
from ui import cache, frames, listing, map_frame, start_point
from ui.start_point import Start


def start_heading(start: Start, lang: str) -> str | None:
    """Say where the search starts and in which local area; returns the area_id (None outside Koper and Ankaran)."""
    area_id = areas.area_of_point(start.lat, start.lon, cache.area_index())
    names = {r["area_id"]: i18n.name_in(r, lang) for r in cache.load_areas().to_dict("records")}
    st.markdown(i18n.t("nearest.start", lang, place=safe.md_text(start.label), precision=safe.md_text(start.precision)))
    if area_id is None:
        st.warning(i18n.t("nearest.outside", lang))
    elif names.get(area_id):
        st.caption(i18n.t("nearest.in_area", lang, area=safe.md_text(names[area_id])))
    return area_id


def show(matching: pd.DataFrame, chosen: Filters, start: Start, lang: str, when: dt.datetime, k: int) -> None:
    """The whole answer for the rows of ``geo.answer.matching`` (services matching the need, closed ones kept)."""
    reach = nearest.area_services_for_point(matching, start.lat, start.lon, cache.area_index())
    placed_or_phone = matching[matching["location_type"] != model.AREA]
    parts = answer.split(pd.concat([placed_or_phone, reach]).sort_index(), chosen)
    st.caption(i18n.plural("answer.count", lang, _count(parts)))
    if parts.home_first:
        _home(parts.home, lang, when, expand=True)
    found = _places(parts, chosen, start, lang, when, k)
    if not any(len(f) for f in found) and not _unplaced_count(parts):
        st.info(i18n.t("answer.nothing", lang))
    _result_map(pd.concat(found) if found else matching.iloc[0:0], start, lang, when)
    if not parts.home_first:
        _home(parts.home, lang, when, expand=False)
    _section(parts.elsewhere, "answer.elsewhere_title", "answer.elsewhere_note", lang, when)
    _section(parts.by_phone, "list.confidential", "list.confidential_note", lang, when, lines=True)


def _count(parts: answer.Parts) -> int:
    """Services in the answer (information records are not services)."""
    return len(parts.open) + len(parts.closed) + len(parts.unknown) + _unplaced_count(parts)


def _unplaced_count(parts: answer.Parts) -> int:
    return len(parts.home) + len(parts.elsewhere) + len(parts.by_phone)


def _nearest(part: pd.DataFrame, start: Start, k: int) -> pd.DataFrame:
    """The services of ``part`` at the k nearest locations (``geo.nearest.nearest``)."""
    index = cache.location_index()
    if index is None or part.empty:
        return part.iloc[0:0].assign(location_rank=pd.Series(dtype=int))
    mask = pd.Series(index.services.index.isin(part.index), index=index.services.index)
    found = nearest.nearest(index, start.lat, start.lon, k=k, mask=mask)
    # The index holds the directory's rows; the state and next opening come from the answer's rows.
    columns = [answer.STATE_COLUMN, answer.OPENS_COLUMN]
    return found.drop(columns=[c for c in columns if c in found.columns]).join(part[columns])


def _places(parts: answer.Parts, chosen: Filters, start: Start, lang: str, when: dt.datetime, k: int) -> list[pd.DataFrame]:
    """The nearest places: open ones, then (at a chosen moment) closed ones with their next opening and the
    ones with no published hours. Returns what was shown, for the map."""
    open_found = _nearest(parts.open, start, k)
    shown = [open_found]
    distance_note = i18n.t("nearest.distance_note", lang, factor=i18n.format_number(settings.DETOUR_FACTOR, lang, 1))
    if not answer.is_timed(chosen):
        if not open_found.empty:  # no empty "nearest places (0)": the page says once that nothing matches
            st.subheader(i18n.t("nearest.results", lang, n=_locations(open_found)))
            st.caption(distance_note)
        _place_list(open_found, lang, when)
        return shown
    closed_found, unknown_found = _nearest(parts.closed, start, k), _nearest(parts.unknown, start, k)
    shown += [closed_found, unknown_found]
    if not open_found.empty:
        st.subheader(i18n.t("answer.open_title", lang, n=_locations(open_found)))
    elif not closed_found.empty or not unknown_found.empty:
        st.info(i18n.t("answer.none_open", lang))
    if any(not f.empty for f in shown):
        st.caption(distance_note)
    _place_list(open_found, lang, when)
    if not closed_found.empty:
        st.subheader(i18n.t("answer.closed_title", lang, n=_locations(closed_found)))
        _place_list(closed_found, lang, when)
    if not unknown_found.empty:
        st.subheader(i18n.t("answer.unknown_title", lang, n=_locations(unknown_found)))
        st.caption(i18n.t("answer.unknown_note", lang))
        _place_list(unknown_found, lang, when)
    return shown


def _locations(found: pd.DataFrame) -> int:
    return int(found["location_rank"].nunique()) if not found.empty else 0


def _place_list(found: pd.DataFrame, lang: str, when: dt.datetime) -> None:
    for rank, group in found.groupby("location_rank", sort=True):
        _place(rank, group, lang, when)


def _place(rank: int, group: pd.DataFrame, lang: str, when: dt.datetime) -> None:
    first = group.iloc[0].to_dict()
    st.markdown(f"#### {rank}. {safe.md_text(present.address_text(first, lang))}")
    st.markdown(present.distance_markdown(first["distance_m"], first["road_distance_m"], lang) + "  \n"
                + f"{i18n.t('map.directions', lang)}: {present.directions_markdown(first)}")
    _entries(group.to_dict("records"), lang, when)


def _entries(records: list[dict], lang: str, when: dt.datetime, *, expand: bool = False) -> None:
    """Each service once: a line always visible (name · kind · state with the next opening · phones as
    links), then its details folded under "Details" (open with ``expand``). The name is not said again
    in the fold: listing it as a line and again as an expander's label read as two services."""
    feedback = settings.feedback_email()
    for record in records:
        label, details, mistake = listing.entry_texts(record, lang, when, feedback, state=answer.state_text)
        phones = ", ".join(f"[{safe.md_text(present.display_phone(p))}]({safe.tel_href(p)})"
                           for p in record.get("phones") or [] if safe.tel_href(p))
        st.markdown(f"- **{label}**" + (f" · {phones}" if phones else ""))
        with st.expander(i18n.t("nearest.details", lang), expanded=expand):
            st.markdown(f"{details}\n\n{mistake}" if mistake else details)


def _home(home: pd.DataFrame, lang: str, when: dt.datetime, *, expand: bool) -> None:
    """The services that come to the home at the start point, with their phones visible."""
    if home.empty:
        return
    st.subheader(i18n.t("answer.home_title", lang, n=len(home)))
    st.caption(i18n.t("answer.home_note", lang))
    _entries(home.to_dict("records"), lang, when, expand=expand)


def _section(part: pd.DataFrame, title_key: str, note_key: str, lang: str, when: dt.datetime, *,
             lines: bool = False) -> None:
    if part.empty:
        return
    st.subheader(i18n.t(title_key, lang, n=len(part)))
    st.caption(i18n.t(note_key, lang))
    records = part.to_dict("records")
    if lines:
        _entries(records, lang, when)
    else:
        listing.service_expanders(records, lang, when, state=answer.state_text)


#: The result map's component key and height (px).
MAP_KEY, MAP_HEIGHT = "near_result_map", 420
#: Where a session keeps the frame of a private start point's map: (view, frame arguments).
SESSION_FRAME_KEY = "near_map_frame"


def _result_map(found: pd.DataFrame, start: Start, lang: str, when: dt.datetime) -> None:
    """One map of every place listed, framing the start point and all of them.

    The frame is rendered once per view (ui.cache, issue 14). Privacy: a settlement's or local
    community's centre (a start with a link) is a public register point, so its frame is shared by
    every session (``frames.nearest_frame``). A typed address, a clicked point or the device's position
    is the citizen's own place: its frame is kept in this session only (``SESSION_FRAME_KEY``, the last
    view), never in a cache shared between sessions (README "Offline and privacy").
    """
    if found.empty:
        return
    label = i18n.t("nearest.start_marker", lang)
    point = (float(start.lat), float(start.lon))
    if start.link:
        frame = frames.nearest_frame(found, point, label, lang, when, key=MAP_KEY, height=MAP_HEIGHT)
    else:
        minute = when.replace(second=0, microsecond=0)
        view = (cache.data_stamp(), tuple(found["id"].astype(str)), point, label, lang, minute)
        frame = start_point.session_frame(SESSION_FRAME_KEY, view, lambda: frames.nearest_frame_args(
            found, point, label, lang, minute, key=MAP_KEY, height=MAP_HEIGHT))
    map_frame.show(frame, MAP_KEY)

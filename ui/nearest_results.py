"""The nearest page's answer: where the search starts, the nearest places with their services and a map,
then the area-wide and phone-only services that also serve the point."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import areas, i18n, mapping, model, nearest, present, safe, settings
from ui import cache, listing
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


def places(found: pd.DataFrame, start: Start, lang: str, when: dt.datetime) -> None:
    """The nearest places (rows of ``geo.nearest.nearest``), each with distance, directions and services, then a map."""
    st.subheader(i18n.t("nearest.results", lang, n=found["location_rank"].nunique() if not found.empty else 0))
    st.caption(i18n.t("nearest.distance_note", lang, factor=i18n.format_number(settings.DETOUR_FACTOR, lang, 1)))
    if found.empty:
        st.info(i18n.t("nearest.none", lang))
        return
    for rank, group in found.groupby("location_rank", sort=True):
        _place(rank, group, lang, when)
    result_map = mapping.build_map(
        found, lang, boundaries=cache.load_boundaries(), outline=cache.load_outline(), settlements=None,
        when=when, show_areas=False, fit=[(start.lat, start.lon), *zip(found["lat"], found["lon"])],
    )
    mapping.add_start_point(result_map, start.lat, start.lon, i18n.t("nearest.start_marker", lang))
    st_folium(result_map, key="near_result_map", height=420, use_container_width=True, returned_objects=[])


def _place(rank: int, group: pd.DataFrame, lang: str, when: dt.datetime) -> None:
    first = group.iloc[0].to_dict()
    km = i18n.format_number(first["distance_m"] / 1000, lang, 1)
    road_km = i18n.format_number(first["road_distance_m"] / 1000, lang, 1)
    st.markdown(f"#### {rank}. {safe.md_text(present.address_text(first, lang))}")
    st.markdown(i18n.t("nearest.distance", lang, km=km, road_km=road_km) + "  \n"
                + f"{i18n.t('map.directions', lang)}: {present.directions_markdown(first)}")
    for record in group.to_dict("records"):
        phones = ", ".join(f"[{safe.md_text(present.display_phone(p))}]({safe.tel_href(p)})"
                           for p in record.get("phones") or [] if safe.tel_href(p))
        state = present.state_text(record, lang, when)
        st.markdown(f"- **{safe.md_text(i18n.field(record, 'name', lang))}** · {safe.md_text(state)}"
                    + (f" · {phones}" if phones else ""))
    listing.service_expanders(group.to_dict("records"), lang, when)


def unplaced(matching: pd.DataFrame, start: Start, lang: str, when: dt.datetime) -> None:
    """The area-wide services that reach the start point, and the phone-only ones (never a location)."""
    anywhere = nearest.area_services_for_point(matching, start.lat, start.lon, cache.area_index())
    if not anywhere.empty:
        st.subheader(i18n.t("list.anywhere", lang, n=len(anywhere)))
        st.caption(i18n.t("nearest.anywhere_note", lang))
        listing.service_expanders(anywhere.to_dict("records"), lang, when)
    by_phone = matching[matching["location_type"] == model.CONFIDENTIAL]
    if not by_phone.empty:
        st.subheader(i18n.t("list.confidential", lang, n=len(by_phone)))
        st.caption(i18n.t("list.confidential_note", lang))
        listing.service_expanders(by_phone.to_dict("records"), lang, when)


"""The staff page's "correct a location" section: pick the spot on a map or type it, save it as a hand-placed point."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import hours, i18n, mapping, model, present, safe, settings, upkeep
from geo.errors import KoperMapError
from ui import cache, upkeep_panel

#: session_state key: the point picked on the map, per address ({address: (lat, lon)}).
PICK_KEY = "upkeep_pick"


def location_section(services: pd.DataFrame, data_dir: Path, actor: str, lang: str) -> None:
    """Choose a placed address, click (or type) its right spot, save it with the signed-in identity."""
    placed = services[services["location_type"].isin(model.PLACED_TYPES) & (services["address"] != "")]
    addresses = sorted(set(placed["address"]))
    address = st.selectbox(i18n.t("upkeep.address", lang), addresses, key="upkeep_address")
    if address is None:
        return
    row = placed[placed["address"] == address].iloc[0].to_dict()
    st.caption(i18n.t("upkeep.now_at", lang, where=present.location_text(row, lang)))
    start = (float(row["lat"]), float(row["lon"])) if pd.notna(row.get("lat")) else settings.MAP_CENTER
    picked = st.session_state.get(PICK_KEY, {}).get(address)
    pick_map = mapping.build_map(placed[placed["address"] == address], lang, boundaries=cache.load_boundaries(),
                                 outline=cache.load_outline(), settlements=None, when=hours.local_now(),
                                 show_areas=False, center=start, zoom=17)
    if picked:
        mapping.add_start_point(pick_map, picked[0], picked[1], i18n.t("upkeep.new_point", lang))
    returned = st_folium(pick_map, key="upkeep_map", height=360, use_container_width=True,
                         returned_objects=["last_clicked"])
    last = returned.get("last_clicked") if isinstance(returned, dict) else None
    if isinstance(last, dict) and "lat" in last and "lng" in last:
        point = (round(float(last["lat"]), 6), round(float(last["lng"]), 6))
        if point != picked:
            st.session_state.setdefault(PICK_KEY, {})[address] = point
            st.rerun()
    with st.form("upkeep_location_form"):
        left, right = st.columns(2)
        lat = left.number_input(i18n.t("upkeep.lat", lang), value=(picked or start)[0], format="%.6f", step=0.0001)
        lon = right.number_input(i18n.t("upkeep.lon", lang), value=(picked or start)[1], format="%.6f", step=0.0001)
        note = st.text_input(i18n.t("upkeep.note", lang), max_chars=300)
        st.caption(i18n.t("upkeep.saved_as", lang, actor=safe.md_text(actor)))
        if st.form_submit_button(i18n.t("upkeep.save_location", lang)):
            try:
                upkeep.record_manual_location(address, lat, lon, actor=actor, note=note, data_dir=data_dir,
                                              area_index=cache.area_index())
                st.success(i18n.t("upkeep.location_saved", lang, address=safe.md_text(address)))
            except KoperMapError as error:
                upkeep_panel.show_error(error, lang)

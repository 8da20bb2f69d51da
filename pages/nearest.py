"""Nearest centre: from an address, a settlement, a local community, a map click or the device."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import areas, filters, geocode, i18n, mapping, nearest, present, safe, settings
from ui import cache, common, filter_panel, geolocation, listing, share, urlstate

PREFIX = "near"
METHODS = ("settlement", "area", "address", "map", "device")
#: Query keys of this page besides the filters and ``lang``. Only a settlement or an area goes
#: into a link: typed addresses, clicked points and device positions never leave the session.
VIEW_PARAMS = ("from", "k")
K_CHOICES = (1, 3, 5, 10)
DEFAULT_K = 3

lang = common.page_start("page.nearest", "nearest.intro")
services = common.services_or_stop(lang, needs_map=True)
settlements = cache.load_settlements()
area_table = cache.load_areas()
params = st.query_params

# --- the starting point -----------------------------------------------------------------------------
link_from = str(params.get("from", ""))
link_kind, _, link_value = link_from.partition(":")
if "near_method" not in st.session_state:
    st.session_state.near_method = link_kind if link_kind in ("settlement", "area") else "settlement"
    try:
        st.session_state.near_k = int(params.get("k", DEFAULT_K))
    except ValueError:
        st.session_state.near_k = DEFAULT_K
    if st.session_state.near_k not in K_CHOICES:
        st.session_state.near_k = DEFAULT_K

settlement_ids = settlements.sort_values("name_sl", key=lambda s: s.map(geocode.fold))["settlement_id"].astype(str).tolist()
settlement_names = {str(r.settlement_id): i18n.bilingual(r.name_sl, r.name_it) for r in settlements.itertuples()}
area_ids = area_table.sort_values("name_sl", key=lambda s: s.map(geocode.fold))["area_id"].tolist()
area_names = {r["area_id"]: i18n.name_in(r, lang) for r in area_table.to_dict("records")}
# Seeded once from the link (no default place: the user says where they are).
st.session_state.setdefault("near_settlement", link_value if link_kind == "settlement" and link_value in settlement_names else None)
st.session_state.setdefault("near_area", link_value if link_kind == "area" and link_value in area_names else None)

st.subheader(i18n.t("nearest.where", lang))
method = st.radio(
    i18n.t("nearest.method", lang), METHODS, key="near_method", horizontal=True,
    format_func=lambda m: i18n.t(f"nearest.method.{m}", lang),
)
start: tuple[float, float, str, str] | None = None  # lat, lon, label, precision text
link_start = ""
if method == "settlement":
    chosen_settlement = st.selectbox(
        i18n.t("nearest.settlement", lang), settlement_ids, key="near_settlement",
        format_func=settlement_names.get, placeholder=i18n.t("nearest.choose_place", lang),
    )
    if chosen_settlement is not None:
        lat, lon, label, _ = nearest.start_from_settlement(chosen_settlement, settings.data_dir())
        start = (lat, lon, label, i18n.t("precision.settlement", lang))
        link_start = f"settlement:{chosen_settlement}"
elif method == "area":
    chosen_area = st.selectbox(i18n.t("nearest.area", lang), area_ids, key="near_area", format_func=area_names.get,
                               placeholder=i18n.t("nearest.choose_place", lang))
    if chosen_area is not None:
        lat, lon, _, _ = nearest.start_from_area(chosen_area, settings.data_dir())
        start = (lat, lon, area_names[chosen_area], i18n.t("precision.area_centre", lang))
        link_start = f"area:{chosen_area}"
elif method == "address":
    with st.form("near_address_form", border=False):
        typed = st.text_input(i18n.t("nearest.address", lang), placeholder=i18n.t("nearest.address_placeholder", lang),
                              max_chars=200, key="near_address")
        asked = st.form_submit_button(i18n.t("nearest.find", lang))
    if asked:
        # The typed text is used for this lookup only: not cached, not logged, not in the link.
        found = geocode.geocode(typed, online=settings.online_geocoding(), store=False, sources=cache.geocode_sources())
        st.session_state.near_address_result = found if found is not None else "not_found"
    found = st.session_state.get("near_address_result")
    if found == "not_found":
        st.warning(i18n.t("nearest.address_not_found", lang))
    elif found is not None:
        precision = (i18n.t("precision.manual", lang, m=found.accuracy_m or "?") if found.precision == "manual"
                     else i18n.t(f"precision.{found.precision}", lang))
        start = (found.lat, found.lon, found.label, precision)
        if found.note:
            st.caption(safe.md_text(found.note))
elif method == "map":
    st.caption(i18n.t("nearest.click_hint", lang))
    pick_map = mapping.build_map(
        services.iloc[0:0], lang, boundaries=cache.load_boundaries(), outline=cache.load_outline(),
        settlements=cache.load_settlements(), when=filter_panel.moment(filters.Filters()), show_areas=True,
    )
    clicked = st.session_state.get("near_clicked")
    if clicked:
        mapping.add_start_point(pick_map, clicked[0], clicked[1], i18n.t("nearest.start_marker", lang))
    returned = st_folium(pick_map, key="near_pick_map", height=380, use_container_width=True,
                         returned_objects=["last_clicked"])
    last = returned.get("last_clicked") if isinstance(returned, dict) else None
    if isinstance(last, dict) and "lat" in last and "lng" in last:
        point = (round(float(last["lat"]), 6), round(float(last["lng"]), 6))
        if point != (tuple(clicked) if clicked else None):
            st.session_state.near_clicked = point
            st.rerun()
    if clicked:
        start = (clicked[0], clicked[1], i18n.t("nearest.clicked_point", lang), i18n.t("precision.clicked", lang))
else:  # device
    st.caption(i18n.t("nearest.device_hint", lang))
    answer = geolocation.locate_button(i18n.t("nearest.device_button", lang), i18n.t("nearest.device_waiting", lang), "near_device")
    if answer is not None:
        st.session_state.near_device_answer = answer
    answer = st.session_state.get("near_device_answer")
    if isinstance(answer, str):
        st.warning(i18n.t(f"nearest.device_{answer}", lang))
    elif answer is not None:
        lat, lon, accuracy = answer
        precision = i18n.t("precision.device", lang, m=i18n.format_number(accuracy, lang) if accuracy is not None else "?")
        start = (lat, lon, i18n.t("nearest.device_point", lang), precision)

# --- what is needed ---------------------------------------------------------------------------------
with st.sidebar:
    st.header(i18n.t("nearest.what", lang))
chosen = filter_panel.filter_widgets(services, lang, PREFIX, facets=("category", "target_group", "hours"))
k = st.sidebar.select_slider(i18n.t("nearest.k", lang), K_CHOICES, key="near_k")
when = filter_panel.moment(chosen)
matching = filters.apply(services, chosen, lang)

view_params = dict(filters.to_query_params(chosen))
if link_start:
    view_params["from"] = link_start
if k != DEFAULT_K:
    view_params["k"] = str(k)
urlstate.write(view_params, filter_panel.FILTER_PARAMS + VIEW_PARAMS)

if start is None:
    st.info(i18n.t("nearest.no_start", lang))
    st.stop()

lat, lon, label, precision = start
area_id = areas.area_of_point(lat, lon, settings.data_dir())
area_text = area_names.get(area_id, "") if area_id else ""
st.markdown(i18n.t("nearest.start", lang, place=safe.md_text(label), precision=safe.md_text(precision)))
if area_id is None:
    st.warning(i18n.t("nearest.outside", lang))
elif area_text:
    st.caption(i18n.t("nearest.in_area", lang, area=safe.md_text(area_text)))
common.moment_caption(chosen, when, lang)

# --- results ------------------------------------------------------------------------------------------
index = cache.location_index()
mask = services.index.isin(matching.index)
found = nearest.nearest(index, lat, lon, k=int(k), mask=pd.Series(mask, index=services.index)) if index else services.iloc[0:0]
st.subheader(i18n.t("nearest.results", lang, n=found["location_rank"].nunique() if not found.empty else 0))
st.caption(i18n.t("nearest.distance_note", lang, factor=i18n.format_number(settings.DETOUR_FACTOR, lang, 1)))
if found.empty:
    st.info(i18n.t("nearest.none", lang))
for rank, group in found.groupby("location_rank", sort=True):
    first = group.iloc[0]
    km = i18n.format_number(first["distance_m"] / 1000, lang, 1)
    road_km = i18n.format_number(first["road_distance_m"] / 1000, lang, 1)
    st.markdown(f"#### {rank}. {safe.md_text(present.address_text(first.to_dict(), lang))}")
    st.markdown(i18n.t("nearest.distance", lang, km=km, road_km=road_km) + "  \n"
                + f"{i18n.t('map.directions', lang)}: {present.directions_markdown(first.to_dict())}")
    for record in group.to_dict("records"):
        phones = ", ".join(f"[{safe.md_text(present.display_phone(p))}]({safe.tel_href(p)})"
                           for p in record.get("phones") or [] if safe.tel_href(p))
        state = present.state_text(record, lang, when)
        st.markdown(f"- **{safe.md_text(i18n.field(record, 'name', lang))}** · {safe.md_text(state)}"
                    + (f" · {phones}" if phones else ""))
    listing.service_expanders(group.to_dict("records"), lang, when)

if not found.empty:
    result_map = mapping.build_map(
        found, lang, boundaries=cache.load_boundaries(), outline=cache.load_outline(), settlements=None,
        when=when, show_areas=False, fit=[(lat, lon), *zip(found["lat"], found["lon"])],
    )
    mapping.add_start_point(result_map, lat, lon, i18n.t("nearest.start_marker", lang))
    st_folium(result_map, key="near_result_map", height=420, use_container_width=True, returned_objects=[])

anywhere = nearest.area_services_for_point(matching, lat, lon, settings.data_dir())
if not anywhere.empty:
    st.subheader(i18n.t("list.anywhere", lang, n=len(anywhere)))
    st.caption(i18n.t("nearest.anywhere_note", lang))
    listing.service_expanders(anywhere.to_dict("records"), lang, when)
by_phone = matching[matching["location_type"] == "confidential"]
if not by_phone.empty:
    st.subheader(i18n.t("list.confidential", lang, n=len(by_phone)))
    st.caption(i18n.t("list.confidential_note", lang))
    listing.service_expanders(by_phone.to_dict("records"), lang, when)

share.share_box("nearest", lang, "share.note_nearest")
common.attribution(lang)

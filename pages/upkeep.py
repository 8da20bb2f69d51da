"""Data upkeep (staff): the directory's health, importing next year's list, fixing a location, verifying.

Nothing is written until staff press a save button; every save is atomic and keeps the replaced
file as a dated copy (geo.upkeep). The page is left out of the navigation when upkeep is off
(KOPER_MAP_UPKEEP=0), and refuses to work if opened anyway.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import hours, i18n, load, mapping, model, present, settings, upkeep
from geo.errors import KoperMapError
from ui import auth, cache, common

lang = common.page_start("page.upkeep", "upkeep.intro")
if not settings.upkeep_enabled():
    st.warning(i18n.t("upkeep.disabled", lang))
    st.stop()
staff_email = auth.require_staff(lang)  # stops here unless a member of staff is signed in (ui/auth.py)
services = common.services_or_stop(lang, needs_map=True)
today = hours.local_now().date()


def _problems_table(problems: pd.DataFrame) -> pd.DataFrame:
    return problems.rename(columns={c: i18n.t(f"upkeep.col.{c}", lang) for c in problems.columns})


def _say_saved(result: upkeep.SaveResult) -> None:
    if not result.changed:
        st.info(i18n.t("upkeep.nothing_changed", lang))
        return
    backup = result.backup.name if result.backup else "—"
    st.success(i18n.t("upkeep.saved", lang, file=result.path.name, backup=backup))


status_tab, import_tab, location_tab, verify_tab = st.tabs([
    i18n.t("upkeep.tab.status", lang), i18n.t("upkeep.tab.import", lang),
    i18n.t("upkeep.tab.location", lang), i18n.t("upkeep.tab.verify", lang),
])

# --- status ------------------------------------------------------------------------------------------
with status_tab:
    try:
        raw = load.read_csv_text(load.services_path(settings.data_dir()))
        problems = upkeep.records_with_problems(raw)
    except KoperMapError as error:
        raw, problems = None, None
        st.error(str(error))
    approximate = upkeep.approximate_locations(services)
    stale = upkeep.stale_records(services, today)
    first, second, third, fourth = st.columns(4)
    first.metric(i18n.t("upkeep.records", lang), len(services))
    second.metric(i18n.t("upkeep.problems", lang), "?" if problems is None else len(problems))
    third.metric(i18n.t("upkeep.approximate", lang), len(approximate))
    fourth.metric(i18n.t("upkeep.stale", lang, days=settings.VERIFY_MAX_AGE_DAYS), len(stale))
    if problems is not None and not problems.empty:
        st.subheader(i18n.t("upkeep.problems", lang))
        st.dataframe(_problems_table(problems), hide_index=True, width="stretch")
    st.subheader(i18n.t("upkeep.approximate", lang))
    by_id = services.set_index("id")
    shown = approximate.assign(
        where=[present.location_text(by_id.loc[i].to_dict() | {"location_type": "site"}, lang) for i in approximate["id"]]
    )[["id", "name_sl", "address", "where"]]
    st.dataframe(shown.rename(columns={c: i18n.t(f"upkeep.col.{c}", lang) for c in shown.columns}),
                 hide_index=True, width="stretch")
    st.subheader(i18n.t("upkeep.stale", lang, days=settings.VERIFY_MAX_AGE_DAYS))
    if stale.empty:
        st.caption(i18n.t("upkeep.none_stale", lang))
    else:
        st.dataframe(stale.rename(columns={c: i18n.t(f"upkeep.col.{c}", lang) for c in stale.columns}),
                     hide_index=True, width="stretch")
    st.download_button(i18n.t("upkeep.download_current", lang), load.services_path(settings.data_dir()).read_bytes(),
                       file_name=settings.SERVICES_FILE, mime="text/csv", key="upkeep_download")

# --- import ------------------------------------------------------------------------------------------
with import_tab:
    st.caption(i18n.t("upkeep.import_help", lang, mb=settings.UPKEEP_MAX_UPLOAD_BYTES // 1_000_000,
                      rows=i18n.format_number(settings.UPKEEP_MAX_ROWS, lang)))
    uploaded = st.file_uploader(i18n.t("upkeep.upload", lang), type=["csv", "xlsx"], key="upkeep_upload")
    preview = None
    if uploaded is not None:
        try:
            preview = upkeep.preview_import(uploaded.name, uploaded.getvalue(), settings.data_dir())
        except KoperMapError as error:
            st.error(i18n.t("upkeep.unreadable", lang, error=str(error)))
    if preview is not None:
        st.caption(i18n.t("upkeep.read_as", lang, encoding=preview.upload.encoding_label, rows=len(preview.upload.frame)))
        if preview.problems:
            st.error(i18n.t("upkeep.rejected", lang, n=len(preview.problems)))
            st.dataframe(_problems_table(pd.DataFrame(
                [{"row": p.row, "field": p.field or "", "value": "" if p.value is None else str(p.value), "message": p.message}
                 for p in preview.problems])), hide_index=True, width="stretch")
        elif preview.diff is not None:
            changes = preview.diff
            st.subheader(i18n.t("upkeep.diff", lang, added=len(changes.added), changed=len(changes.changed),
                                removed=len(changes.removed), unchanged=changes.unchanged))
            lines = ([{"id": i, "change": i18n.t("upkeep.added", lang), "field": "", "old": "", "new": ""} for i in changes.added]
                     + [{"id": i, "change": i18n.t("upkeep.removed", lang), "field": "", "old": "", "new": ""} for i in changes.removed]
                     + [{"id": r.id, "change": i18n.t("upkeep.changed", lang), "field": c.field, "old": c.old, "new": c.new}
                        for r in changes.changed for c in r.changes])
            if lines:
                table = pd.DataFrame(lines)
                st.dataframe(table.rename(columns={c: i18n.t(f"upkeep.col.{c}", lang) for c in table.columns}),
                             hide_index=True, width="stretch")
            if preview.addresses:
                st.markdown(i18n.t("upkeep.new_addresses", lang, n=len(preview.addresses)))
                if st.button(i18n.t("upkeep.locate", lang), key="upkeep_locate"):
                    found = upkeep.geocode_addresses(preview.addresses, online=settings.online_geocoding(),
                                                     store=True, data_dir=settings.data_dir())
                    st.session_state.upkeep_located = [
                        {"address": f.address, "where": present.location_text(
                            {"location_type": "site", "location_precision": f.precision if f.found else "",
                             "location_accuracy_m": f.accuracy_m}, lang), "note": f.note}
                        for f in found]
                if st.session_state.get("upkeep_located"):
                    table = pd.DataFrame(st.session_state.upkeep_located)
                    st.dataframe(table.rename(columns={c: i18n.t(f"upkeep.col.{c}", lang) for c in table.columns}),
                                 hide_index=True, width="stretch")
            if changes.is_empty:
                st.info(i18n.t("upkeep.nothing_changed", lang))
            elif st.button(i18n.t("upkeep.save", lang), type="primary", key="upkeep_save"):
                try:
                    _say_saved(upkeep.save_directory(preview.upload.frame, settings.data_dir()))
                except KoperMapError as error:
                    st.error(str(error))

# --- correct a location -----------------------------------------------------------------------------
with location_tab:
    placed = services[services["location_type"].isin(model.PLACED_TYPES) & (services["address"] != "")]
    addresses = sorted(set(placed["address"]))
    address = st.selectbox(i18n.t("upkeep.address", lang), addresses, key="upkeep_address")
    row = placed[placed["address"] == address].iloc[0].to_dict()
    st.caption(i18n.t("upkeep.now_at", lang, where=present.location_text(row, lang)))
    start = (float(row["lat"]), float(row["lon"])) if pd.notna(row.get("lat")) else settings.MAP_CENTER
    picked = st.session_state.get("upkeep_pick", {}).get(address)
    pick_map = mapping.build_map(placed[placed["address"] == address], lang, boundaries=cache.load_boundaries(),
                                 outline=cache.load_outline(), settlements=None, when=hours.local_now(),
                                 show_areas=False, center=start, zoom=17)
    if picked:
        mapping.add_start_point(pick_map, picked[0], picked[1], i18n.t("upkeep.new_point", lang))
    returned = st_folium(pick_map, key="upkeep_map", height=360, use_container_width=True, returned_objects=["last_clicked"])
    last = returned.get("last_clicked") if isinstance(returned, dict) else None
    if isinstance(last, dict) and "lat" in last and "lng" in last:
        point = (round(float(last["lat"]), 6), round(float(last["lng"]), 6))
        if point != picked:
            st.session_state.setdefault("upkeep_pick", {})[address] = point
            st.rerun()
    with st.form("upkeep_location_form"):
        left, right = st.columns(2)
        lat = left.number_input(i18n.t("upkeep.lat", lang), value=(picked or start)[0], format="%.6f", step=0.0001)
        lon = right.number_input(i18n.t("upkeep.lon", lang), value=(picked or start)[1], format="%.6f", step=0.0001)
        who = st.text_input(i18n.t("upkeep.who", lang), max_chars=80)
        note = st.text_input(i18n.t("upkeep.note", lang), max_chars=300)
        if st.form_submit_button(i18n.t("upkeep.save_location", lang)):
            try:
                upkeep.record_manual_location(address, lat, lon, who=who, note=note, data_dir=settings.data_dir())
                st.success(i18n.t("upkeep.location_saved", lang, address=address))
            except KoperMapError as error:
                st.error(str(error))

# --- verified today ----------------------------------------------------------------------------------
with verify_tab:
    names = dict(zip(services["id"], services["name_sl"]))
    chosen = st.multiselect(i18n.t("upkeep.verify_which", lang), list(names), format_func=names.get, key="upkeep_verify")
    if st.button(i18n.t("upkeep.verify", lang, date=i18n.format_day(today, lang)), disabled=not chosen, key="upkeep_verify_button"):
        try:
            _say_saved(upkeep.mark_verified(chosen, data_dir=settings.data_dir(), today=today))
        except KoperMapError as error:
            st.error(str(error))

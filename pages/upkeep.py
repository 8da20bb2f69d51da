"""Data upkeep (staff only): the directory's health, importing a new list, fixing a location, verifying, history.

Nothing is written until staff press a save button; every save is all-or-nothing, logged with
the signed-in identity and keeps the replaced file as a dated copy (geo.upkeep). The page is
left out of the navigation unless a member of staff is signed in and upkeep is on
(KOPER_MAP_UPKEEP), and refuses to work if opened anyway (ui/auth.py).
"""
from __future__ import annotations

import streamlit as st

from geo import i18n, settings
from ui import auth, cache, common, upkeep_history, upkeep_location, upkeep_panel

lang = common.page_start("page.upkeep", "upkeep.intro")
if not settings.upkeep_enabled():
    st.warning(i18n.t("upkeep.disabled", lang))
    st.stop()
staff_email = auth.require_staff(lang)  # stops here unless a member of staff is signed in (ui/auth.py)
services = common.services_or_stop(lang, needs_map=True)
data_dir = cache.data_folder()

status_tab, import_tab, location_tab, verify_tab, history_tab = st.tabs([
    i18n.t("upkeep.tab.status", lang), i18n.t("upkeep.tab.import", lang), i18n.t("upkeep.tab.location", lang),
    i18n.t("upkeep.tab.verify", lang), i18n.t("upkeep.tab.history", lang),
])
with status_tab:
    upkeep_panel.status_section(services, data_dir, lang)
with import_tab:
    upkeep_panel.import_section(data_dir, staff_email, lang)
with location_tab:
    upkeep_location.location_section(services, data_dir, staff_email, lang)
with verify_tab:
    upkeep_panel.verify_section(services, data_dir, staff_email, lang)
with history_tab:
    upkeep_history.log_section(data_dir, lang)
    upkeep_history.restore_section(data_dir, staff_email, lang)

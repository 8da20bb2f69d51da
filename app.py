"""Koper social-services map: page configuration and routing only."""
from pathlib import Path

import streamlit as st

from geo import i18n, safe, settings
from geo.errors import KoperMapError
from ui import routing

# A local icon: a material or emoji icon would make the browser fetch it from a CDN.
ICON = Path(__file__).parent / "ui" / "icon.svg"
st.set_page_config(page_title="Koper – socialne storitve", page_icon=str(ICON), layout="wide")

routing.mark_entrypoint()
lang = i18n.language(st.query_params.get("lang"))
# Each url_path is its file's name: a fresh server routes its first request by file name
# (ui/routing.py), and a mismatch showed "Page not found" first.
pages = [
    st.Page("pages/map.py", title=i18n.t("page.map", lang), icon=":material/map:", default=True),
    st.Page("pages/nearest.py", title=i18n.t("page.nearest", lang), icon=":material/near_me:", url_path="nearest"),
    st.Page("pages/directory.py", title=i18n.t("page.directory", lang), icon=":material/list:", url_path="directory"),
    st.Page("pages/areas.py", title=i18n.t("page.areas", lang), icon=":material/holiday_village:", url_path="areas"),
    st.Page("pages/coverage.py", title=i18n.t("page.coverage", lang), icon=":material/analytics:", url_path="coverage"),
    st.Page("pages/area.py", title=i18n.t("page.area_profile", lang), icon=":material/location_city:", url_path="area"),
    st.Page("pages/council.py", title=i18n.t("page.council", lang), icon=":material/co_present:", url_path="council"),
]
# Staff tools; left out of a public deployment with KOPER_MAP_UPKEEP=0.
if settings.upkeep_enabled():
    pages.append(st.Page("pages/upkeep.py", title=i18n.t("page.upkeep", lang), icon=":material/edit_note:", url_path="upkeep"))
try:
    st.navigation(pages).run()
except KoperMapError as error:
    # A missing or broken data or asset file: say which and how to fix it, never a stack trace.
    st.error(i18n.t("app.broken_files", lang, error=safe.md_text(error)))

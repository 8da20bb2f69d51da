"""Koper social-services map: page configuration and routing only."""
from pathlib import Path

import streamlit as st

from geo import i18n
from ui import routing

# A local icon: a material or emoji icon would make the browser fetch it from a CDN.
ICON = Path(__file__).parent / "ui" / "icon.svg"
st.set_page_config(page_title="Koper – socialne storitve", page_icon=str(ICON), layout="wide")

routing.mark_entrypoint()
lang = i18n.language(st.query_params.get("lang"))
pages = [
    st.Page("pages/map.py", title=i18n.t("page.map", lang), icon=":material/map:", default=True),
    st.Page("pages/nearest.py", title=i18n.t("page.nearest", lang), icon=":material/near_me:", url_path="nearest"),
    st.Page("pages/directory.py", title=i18n.t("page.directory", lang), icon=":material/list:", url_path="directory"),
    st.Page("pages/areas.py", title=i18n.t("page.areas", lang), icon=":material/holiday_village:", url_path="areas"),
]
st.navigation(pages).run()

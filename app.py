"""Koper social-services map: page configuration and routing only."""
import streamlit as st

from geo import i18n
from ui import routing

st.set_page_config(page_title="Koper – socialne storitve", page_icon=":material/diversity_1:", layout="wide")

routing.mark_entrypoint()
lang = i18n.language(st.query_params.get("lang"))
pages = [
    st.Page("pages/directory.py", title=i18n.t("page.directory", lang), icon=":material/list:", default=True),
    st.Page("pages/areas.py", title=i18n.t("page.areas", lang), icon=":material/map:", url_path="areas"),
]
st.navigation(pages).run()

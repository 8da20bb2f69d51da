"""Koper social-services map: page configuration and routing only."""
import streamlit as st

from geo import i18n

st.set_page_config(page_title="Koper – socialne storitve", page_icon="🧭", layout="wide")

lang = i18n.language(st.query_params.get("lang"))
pages = [
    st.Page("pages/directory.py", title=i18n.t("page.directory", lang), icon="📋", default=True, url_path="directory"),
    st.Page("pages/areas.py", title=i18n.t("page.areas", lang), icon="🗺️", url_path="areas"),
]
st.navigation(pages).run()

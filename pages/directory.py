"""Directory page: every service with its facts and source, filterable."""
import streamlit as st

from geo import hours, i18n, model, present, safe
from ui import common

lang = common.page_start("page.directory", "directory.intro")
services = common.services_or_stop(lang)

left, right = st.columns(2)
categories = left.multiselect(
    i18n.t("directory.filter_category", lang),
    model.CATEGORIES,
    format_func=lambda c: i18n.t(f"category.{c}", lang),
    placeholder=i18n.t("directory.choose", lang),
    key="directory_categories",
)
kinds = right.multiselect(
    i18n.t("directory.filter_location_type", lang),
    model.LOCATION_TYPES,
    format_func=lambda k: i18n.t(f"location_type.{k}", lang),
    placeholder=i18n.t("directory.choose", lang),
    key="directory_kinds",
)
shown = services
if categories:
    shown = shown[shown["category"].isin(categories)]
if kinds:
    shown = shown[shown["location_type"].isin(kinds)]

st.subheader(i18n.t("directory.count", lang, n=len(shown)))
now = hours.local_now()
for record in shown.to_dict("records"):
    title = f"{safe.md_text(i18n.field(record, 'name', lang))} · {i18n.t('category.' + record['category'], lang)}"
    kind = (i18n.t("record_kind.information", lang) if record.get("record_kind") == model.INFORMATION
            else present.delivery_text(record, lang))  # a funding call is shown as information (issue 13)
    title += f" · {kind}" if kind else ""
    with st.expander(title):
        st.markdown(present.details_markdown(record, lang, now))
common.attribution(lang)

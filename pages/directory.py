"""Directory page: every service with its facts and source, with the same filters as the map (and its link)."""
import dataclasses

import streamlit as st

from geo import filters, i18n, model, present, safe, settings
from ui import common, filter_panel, urlstate

PREFIX = "directory"
KINDS_KEY = "directory_kinds"

lang = common.page_start("page.directory", "directory.intro")
services = common.services_or_stop(lang)


def _reset() -> None:
    filter_panel.reset(PREFIX)
    st.session_state.pop(KINDS_KEY, None)


# --- the filters: the map's (search, category, for whom, hours, price), plus the kind of location -----------
with st.sidebar:
    st.header(i18n.t("filters.title", lang))
held_kinds = st.session_state.setdefault(
    KINDS_KEY, list(filters.from_query_params(st.query_params.to_dict()).location_types))
# the counts beside each filter say what ticking it would show here: among the chosen kinds of location
of_kinds = services[services["location_type"].isin(held_kinds)] if held_kinds else services
chosen = filter_panel.filter_widgets(of_kinds, lang, PREFIX)
kinds = st.sidebar.multiselect(
    i18n.t("directory.filter_location_type", lang),
    model.LOCATION_TYPES,
    format_func=lambda k: i18n.t(f"location_type.{k}", lang),
    placeholder=i18n.t("directory.choose", lang),
    key=KINDS_KEY,
    default=held_kinds,
)
st.sidebar.button(i18n.t("filters.reset", lang), on_click=_reset, key="directory_reset")
chosen = dataclasses.replace(chosen, location_types=tuple(kinds))
when = filter_panel.moment(chosen)
shown = filters.apply(services, chosen, lang)
urlstate.write(filters.to_query_params(chosen), filter_panel.FILTER_PARAMS)

st.subheader(i18n.plural("directory.count", lang, len(shown)))
common.moment_caption(chosen, when, lang)
for record in shown.to_dict("records"):
    title = f"{safe.md_text(i18n.field(record, 'name', lang))} · {i18n.t('category.' + record['category'], lang)}"
    kind = (i18n.t("record_kind.information", lang) if record.get("record_kind") == model.INFORMATION
            else present.delivery_text(record, lang))  # a funding call is shown as information (issue 13)
    title += f" · {kind}" if kind else ""
    with st.expander(title):
        st.markdown(present.details_markdown(record, lang, when))
        mistake = present.mistake_markdown(record, lang, settings.feedback_email())  # a mailto: link; nothing stored
        if mistake:
            st.markdown(mistake)
if shown.empty:
    st.info(i18n.t("map.none", lang))
common.attribution(lang)

"""Nearest centre: from an address, a settlement, a local community, a map click or the device."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import filters, i18n, nearest
from ui import cache, common, filter_panel, nearest_results, share, start_point, urlstate

PREFIX = "near"

lang = common.page_start("page.nearest", "nearest.intro")
services = common.services_or_stop(lang, needs_map=True)

# --- where the search starts (a settlement or an area can come from the link) ------------------------
start = start_point.choose(lang, services)

# --- what is needed -----------------------------------------------------------------------------------
with st.sidebar:
    st.header(i18n.t("nearest.what", lang))
chosen = filter_panel.filter_widgets(services, lang, PREFIX, facets=("category", "target_group", "hours"))
k = start_point.k_slider(lang)
when = filter_panel.moment(chosen)
matching = filters.apply(services, chosen, lang)
urlstate.write({**filters.to_query_params(chosen), **start_point.link_params(start, k)},
               filter_panel.FILTER_PARAMS + start_point.PARAMS)

if start is None:
    st.info(i18n.t("nearest.no_start", lang))
    st.stop()

nearest_results.start_heading(start, lang)
common.moment_caption(chosen, when, lang)

# --- the nearest places, then the services that come to the point or answer the phone ---------------
index = cache.location_index()
mask = pd.Series(services.index.isin(matching.index), index=services.index)
found = nearest.nearest(index, start.lat, start.lon, k=k, mask=mask) if index else services.iloc[0:0]
nearest_results.places(found, start, lang, when)
nearest_results.unplaced(matching, start, lang, when)

share.share_box("nearest", lang, "share.note_nearest")
common.attribution(lang)

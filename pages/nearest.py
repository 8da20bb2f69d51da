"""Nearest centre: from an address, a settlement, a local community, a map click or the device."""
from __future__ import annotations

import streamlit as st

from geo import answer, filters, i18n
from ui import common, filter_panel, nearest_results, share, start_point, urlstate

PREFIX = "near"

lang = common.page_start("page.nearest", "nearest.intro")
services = common.services_or_stop(lang, needs_map=True)

# --- where the search starts (a settlement or an area can come from the link) ------------------------
start = start_point.choose(lang)

# --- what is needed: in the main column, so a phone shows it without opening the side panel; folded once
# there is a starting point, so on a 390 px phone the answer is not below a screen of choices ------------
st.subheader(i18n.t("nearest.what", lang))
need = st.expander(i18n.t("nearest.need_fold", lang), expanded=start is None)
text_box = need.container()
left, right = need.columns(2)
chosen = filter_panel.filter_widgets(services, lang, PREFIX, facets=("text", "category", "target_group", "hours"),
                                     container=need.container(), containers={"text": text_box, "category": left,
                                                                             "target_group": right},
                                     keep_closed=True)
k = start_point.k_slider(lang, need)
when = filter_panel.moment(chosen)
matching = answer.matching(services, chosen, lang, when)  # closed services kept, with their next opening
urlstate.write({**filters.to_query_params(chosen), **start_point.link_params(start, k)},
               filter_panel.FILTER_PARAMS + start_point.PARAMS)

if start is None:
    st.info(i18n.t("nearest.no_start", lang))
    st.stop()

nearest_results.start_heading(start, lang)
common.moment_caption(chosen, when, lang)

# --- services that come to the home, the nearest places (open, closed then, hours not published), the rest --
nearest_results.show(matching, chosen, start, lang, when, k)

share.share_box("nearest", lang, "share.note_nearest")
common.attribution(lang)

"""Local areas page: the 23 areas with population and measured boundary error."""
import streamlit as st

from geo import areas, i18n, present
from ui import cache, cards, common

lang = common.page_start("page.areas", "areas.intro")
common.geography_or_stop(lang)

include_ankaran = st.toggle(i18n.t("areas.include_ankaran", lang), value=True, key="areas_include_ankaran")
table = areas.filter_areas(cache.load_areas(), include_ankaran)
view = present.areas_table(table, lang)
# the numbers are text in the page's language (present.areas_table): right-aligned as numbers are
numbers = {i18n.t(key, lang) for key in ("areas.population", "areas.official_km2", "areas.computed_km2", "areas.error_pct")}
with cards.wide("areas_table"):
    st.dataframe(view, hide_index=True, width="stretch",
                 column_config={name: st.column_config.TextColumn(name, alignment="right") for name in numbers})
name, population = i18n.t("areas.name", lang), i18n.t("areas.population", lang)
cards.narrow("areas_table", cards.cards_html(view, {c: c for c in view.columns}, title=(name,), lead=(population,),
                                             label=i18n.t("page.areas", lang)))  # a phone: one card per area
st.markdown(i18n.t("areas.total", lang, n=int(table["population"].sum())))
if cache.boundary_is_official():
    st.info(i18n.t("areas.boundary_official", lang))
else:
    median = i18n.format_number(table.loc[table["kind"] == "ks", "area_error_pct"].abs().median(), lang, 1)
    st.info(i18n.t("areas.boundary_note", lang, median=median))
common.attribution(lang)

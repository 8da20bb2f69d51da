"""The referral sheet button (a PDF of the listed services) and the page's print styles.

The PDF is made only when asked for (a button), then kept per selection and language for every
session (``st.cache_data``): a visit that does not print costs nothing. The bytes are handed to
``st.download_button`` directly, never as a deferred callable (the council page's lesson: a
deferred file can be gone when the click arrives).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo import i18n, referral


@st.cache_data(max_entries=64, show_spinner=False)
def _pdf(services: pd.DataFrame, lang: str, day: dt.date, selection: str) -> bytes:
    return referral.referral_pdf(services, lang, dt.datetime.combine(day, dt.time(12)), selection)


def sheet_button(services: pd.DataFrame, lang: str, when: dt.datetime, selection: str, key: str) -> None:
    """"Referral sheet (PDF)": one click makes the sheet of ``services``, a second downloads it.

    ``selection`` is the plain-text description of the filters (``referral.selection_text``).
    """
    flag = f"{key}_asked"
    if not st.session_state.get(flag):
        st.button(i18n.t("referral.make", lang), key=f"{key}_make", help=i18n.t("referral.help", lang),
                  on_click=lambda: st.session_state.update({flag: True}))
        return
    with st.spinner(i18n.t("referral.making", lang)):
        data = _pdf(services.drop(columns=[c for c in ("lat", "lon") if c in services.columns]), lang, when.date(), selection)
    st.download_button(i18n.t("referral.download", lang), data=data, file_name=f"{i18n.t('referral.file', lang)}.pdf",
                       mime="application/pdf", key=f"{key}_file", type="primary", help=i18n.t("referral.help", lang))


#: Printing the page itself: no side panel, header, toolbar, map or buttons; entries open.
PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stSidebarCollapsedControl"], iframe, .stButton, .stDownloadButton, [data-testid="stExpanderToggleIcon"],
  [data-testid="stElementToolbar"], .stSelectbox, .stMultiSelect, .stTextInput { display: none !important; }
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] { margin: 0 !important; padding: 0 !important; max-width: none !important; }
  details > div, details [data-testid="stExpanderDetails"] { display: block !important; height: auto !important; visibility: visible !important; }
  details::details-content { content-visibility: visible !important; display: block !important; }
  .koper-list details { content-visibility: visible !important; }
  .koper-list summary::before, a[href="#koper-list"] { display: none !important; }
  .koper-list summary:focus-visible { outline: none !important; }
  a[href^="tel:"]::after { content: ""; }
}
</style>
<script>
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; d.dataset.koperPrinted = "1"; });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll("details[data-koper-printed]").forEach(function (d) { d.open = false; delete d.dataset.koperPrinted; });
});
</script>"""


def print_styles() -> None:
    """Put the print styles on the page (call once per page that lists services)."""
    st.html(PRINT_CSS, unsafe_allow_javascript=True)  # a constant script (opens entries for printing), no data

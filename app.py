"""Koper social-services map: page configuration and routing only."""
import streamlit as st

from geo import i18n, safe, settings
from geo.errors import KoperMapError
from ui import auth, common, first_paint, routing

# The language: ?lang=, else this session's or this browser's earlier choice (the menu's links and
# the sign-in round trip drop the query string); written back to ?lang= (ui/common.py).
lang = common.session_language()
routing.configure_page(lang)  # before the navigation: else the browser fetches a page's material icon from a CDN
# The pages (ui/routing.py); the staff page only for a signed-in member of staff (ui/auth.py).
page = st.navigation(routing.pages(lang))
routing.configure_page(lang, page.title)  # the tab's title: the page and the app, in the language
common.mark_document(lang)  # <html lang>, the language cookie, the map frames' titles
auth.sidebar_control(lang)  # "Sign in (staff)" / "Sign out"; nothing when sign-in is not configured
# A new visitor's service map sends the map before the side panel's widgets (ui/first_paint.py).
first_paint.begin(deferrable=page.url_path == "")
with routing.routed():
    try:
        page.run()
    except KoperMapError as error:
        # A missing or broken data or asset file: say which and how to fix it, never a stack trace.
        st.error(i18n.t("app.broken_files", lang, error=safe.md_text(error)))
    except Exception as error:  # st.stop / st.rerun are not Exceptions: they pass through
        routing.log_unexpected(error, page.url_path)
        if settings.raise_errors():
            raise
        st.error(i18n.t("app.unexpected", lang))
    first_paint.release(wait=False)  # anything still held back (a page that failed before its map)

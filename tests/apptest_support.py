"""Running the app's pages with streamlit.testing.v1.AppTest, the way a browser would reach them."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as _app_test

from geo import settings


class _SteadyPagesManager(PagesManager):
    """A PagesManager of a server where app.py's ``st.navigation`` has already run once.

    AppTest starts every run as a *fresh* server (it resets ``uses_pages_directory``), so with our
    ``pages/`` folder each run would first execute the page file alone, which reruns through app.py
    (ui/routing.py) and drops one-shot widget events (form submits, button clicks without a
    callback). A running server is past that point after its first request; the fresh-server case
    is what tests/test_browser.py checks in a real browser.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


class RoutedAppTest(AppTest):
    """AppTest whose runs all go through app.py, as on a server that has served its first request."""

    def _run(self, *args, **kwargs):
        with _steady_pages_manager():
            return super()._run(*args, **kwargs)


@contextmanager
def _steady_pages_manager():
    original = _app_test.PagesManager
    _app_test.PagesManager = _SteadyPagesManager
    try:
        yield
    finally:
        _app_test.PagesManager = original

#: Every page's file, as app.py's navigation knows it.
PAGES = ["pages/map.py", "pages/nearest.py", "pages/directory.py", "pages/areas.py",
         "pages/coverage.py", "pages/area.py", "pages/council.py", "pages/whatif.py"]
DEFAULT_PAGE = "pages/map.py"


#: The staff page; run_page signs a member of staff in for it (ui/auth.py).
UPKEEP_PAGE = "pages/upkeep.py"
STAFF_EMAIL = "osebje@koper.si"


def sign_in(app: AppTest, email: str | None = STAFF_EMAIL, *, verified: bool | None = True,
            staff_emails: tuple[str, ...] = (STAFF_EMAIL,)) -> AppTest:
    """Configure sign-in (a complete ``[auth]``, ``[staff] emails``) and, unless ``email`` is None,
    make ``email`` the signed-in identity (``email_verified`` left out when ``verified`` is None)."""
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie-secret-0123456789",
        "client_id": "koper-map", "client_secret": "test-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    app.secrets["staff"] = {"emails": list(staff_emails)}
    if email is None:
        app.user = {"is_logged_in": False}
    else:
        app.user = {"is_logged_in": True, "email": email, **({} if verified is None else {"email_verified": verified})}
    return app


def run_page(page: str = DEFAULT_PAGE, lang: str = "sl", *, staff: bool | None = None, **params: str) -> AppTest:
    """Open ``page`` through app.py (its routing and page config) with the given link parameters.

    ``staff`` signs a member of staff in first; by default only for the staff page.
    """
    app = RoutedAppTest(settings.PROJECT_DIR / "app.py", default_timeout=60)
    if staff or (staff is None and page == UPKEEP_PAGE):
        sign_in(app)
    app.query_params["lang"] = lang
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    if page != DEFAULT_PAGE:
        app.switch_page(page).run()
    return app


def map_args(app: AppTest, index: int = 0) -> dict:
    """The arguments the page passed to streamlit-folium for its ``index``-th map (script, links…)."""
    maps = [e for e in app.get("component_instance") if e.proto.component_name.endswith("st_folium")]
    return json.loads(maps[index].proto.json_args)


def map_rows_text(app: AppTest, index: int = 0) -> str:
    """The marker rows' JSON of a page's map: inline in its script, or the markers file named by the
    view's file the map fetches (``rows_url``, written by ui.frames.map_rows_url under static/); '' for
    a map without them. Each row's first six items are those of ``mapping.location_row``."""
    script = map_args(app, index)["script"]
    found = re.findall(r"var rows = (.*);\n", script)
    if found and found[0] != "null":
        return found[0]
    url = re.findall(r'"rowsUrl": "(/app/static/[^"]+)"', script)  # folium writes option names in camelCase
    if url:
        text = (settings.PROJECT_DIR / "static" / url[0].removeprefix("/app/static/")).read_text(encoding="utf-8")
        view = json.loads(text)
        if view and isinstance(view[0], str):  # a view's file (mapping.rows.view_json): its markers file
            return (settings.PROJECT_DIR / "static" / view[0].removeprefix("/app/static/")).read_text(encoding="utf-8")
        return text
    return ""


def map_location_ids(app: AppTest, index: int = 0) -> list[str]:
    """The location ids of the markers drawn on a page's map, in drawing order."""
    # The markers are made in the browser from one JSON array (geo.mapping.LocationLayer):
    # each row's third item is the location id.
    rows = map_rows_text(app, index)
    return [row[2] for row in json.loads(rows)] if rows else []


@dataclass
class ListEntry:
    """One entry of a service list drawn as HTML (``ui.listing.entries``), as a reader sees it."""

    service_id: str
    label: str  # the summary's text
    is_open: bool
    body: str = ""  # the details' text
    links: list[str] = field(default_factory=list)  # every href in it


class _EntryParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: list[ListEntry] = []
        self._in = None  # "summary" or "body" while inside one

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details":
            self.entries.append(ListEntry(attrs.get("data-service-id", ""), "", "open" in attrs))
        elif tag == "summary" and self.entries:
            self._in = "summary"
        elif tag == "div" and self._in is None and self.entries and self.entries[-1].label:
            self._in = "body"
        elif tag == "br" and self._in == "body":
            self.entries[-1].body += "\n"
        if tag == "a" and self.entries:
            self.entries[-1].links.append(attrs.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "summary":
            self._in = None
        elif tag == "details":
            self._in = None
        elif tag == "p" and self._in == "body":
            self.entries[-1].body += "\n"

    def handle_data(self, data):
        if self._in == "summary":
            self.entries[-1].label += data
        elif self._in == "body":
            self.entries[-1].body += data


def list_entries(app: AppTest) -> list[ListEntry]:
    """Every service list entry drawn as HTML on the page (``ui.listing.entries``), in page order."""
    parser = _EntryParser()
    for element in app.get("html"):
        if 'class="koper-list"' in element.proto.body:
            parser.feed(element.proto.body)
    return parser.entries


def list_labels(app: AppTest) -> list[str]:
    """The labels of the page's list entries drawn as HTML, in page order."""
    return [e.label for e in list_entries(app)]


def texts(app: AppTest) -> str:
    """All Markdown, captions and headings of the page, and the list entries' labels and details, as one
    string (for 'is it said' checks)."""
    parts = [e.value for kind in ("markdown", "caption", "subheader", "title", "info", "warning", "error")
             for e in getattr(app, kind)]
    parts += [e.label for e in app.expander]
    parts += [f"{e.label}\n{e.body}\n{' '.join(e.links)}" for e in list_entries(app)]  # links: as the Markdown had them
    return "\n".join(str(p) for p in parts)

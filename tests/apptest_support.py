"""Running the app's pages with streamlit.testing.v1.AppTest, the way a browser would reach them."""
from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

from geo import settings

#: Every page's file, as app.py's navigation knows it.
PAGES = ["pages/map.py", "pages/nearest.py", "pages/directory.py", "pages/areas.py",
         "pages/coverage.py", "pages/area.py", "pages/council.py"]
DEFAULT_PAGE = "pages/map.py"


def run_page(page: str = DEFAULT_PAGE, lang: str = "sl", **params: str) -> AppTest:
    """Open ``page`` through app.py (its routing and page config) with the given link parameters."""
    app = AppTest.from_file(str(settings.PROJECT_DIR / "app.py"), default_timeout=60)
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


def map_location_ids(app: AppTest, index: int = 0) -> list[str]:
    """The location ids of the markers drawn on a page's map, in drawing order."""
    # The markers are made in the browser from one JSON array (geo.mapping.LocationLayer):
    # each row's third item is the location id.
    found = re.findall(r"var rows = (.*);\n", map_args(app, index)["script"])
    return [row[2] for row in json.loads(found[0])] if found else []


def texts(app: AppTest) -> str:
    """All Markdown, captions and headings of the page as one string (for 'is it said' checks)."""
    parts = [e.value for kind in ("markdown", "caption", "subheader", "title", "info", "warning", "error")
             for e in getattr(app, kind)]
    parts += [e.label for e in app.expander]
    return "\n".join(str(p) for p in parts)

"""The map's code comes from installed packages and local URLs: no CDN, also inside streamlit-folium."""
from __future__ import annotations

import datetime as dt
import json
import re
import time

import folium
import folium.plugins
import pytest
import streamlit_folium

import browser_support
from geo import areas, assets, directory, errors, i18n, mapping, settings

WHEN = dt.datetime(2026, 11, 23, 10, 0)


@pytest.fixture(scope="module")
def shipped_map_parts():
    outline = json.loads((settings.PROJECT_DIR / "data" / settings.MUNICIPALITY_OUTLINE_FILE).read_text("utf-8"))
    data = settings.PROJECT_DIR / "data"
    return directory.directory_table(data), areas.load_boundaries(data), outline, areas.load_settlements(data)


@pytest.fixture
def shipped_map(shipped_map_parts):
    table, boundaries, outline, settlements = shipped_map_parts
    return mapping.build_map(table, "sl", boundaries=boundaries, outline=outline,
                             settlements=settlements, when=WHEN)


def small_map() -> folium.Map:
    m = folium.Map(location=settings.MAP_CENTER, zoom_start=11, tiles=None)
    cluster = folium.plugins.MarkerCluster().add_to(m)
    folium.Marker(settings.MAP_CENTER).add_to(cluster)
    return m


def test_every_asset_exists_in_its_installed_package():
    for asset in assets.ALL_ASSETS:
        assert asset.source().is_file(), asset


def test_local_resources_are_local_urls_under_the_static_route():
    resources = assets.local_map_resources()
    links = resources.map_js + resources.map_css + resources.cluster_js + resources.cluster_css
    assert [name for name, _ in resources.map_js] == ["leaflet"]  # no jQuery: nothing of ours calls $
    for _name, url in links:
        assert url.startswith("/app/static/vendor/"), url
        assert resources.files[url].is_file()
    assert "/app/static/vendor/leaflet-1.9.3/leaflet.js" in resources.files


def test_ensure_static_assets_copies_identical_files(tmp_path):
    copied = assets.ensure_static_assets(tmp_path)
    assert set(copied) == {a.name for a in assets.ALL_ASSETS}
    for asset in assets.ALL_ASSETS:
        target = tmp_path / "vendor" / asset.relative_path
        assert copied[asset.name] == target
        assert target.read_bytes() == asset.source().read_bytes()
    # The layer-control icon sits where leaflet.css looks for it (images/ beside the CSS).
    assert (copied["leaflet_css"].parent / "images" / "layers.png").is_file()


def test_ensure_static_assets_is_idempotent_and_repairs_changed_files(tmp_path):
    copied = assets.ensure_static_assets(tmp_path)
    leaflet = copied["leaflet"]
    first_inode = leaflet.stat().st_ino
    started = time.perf_counter()
    assets.ensure_static_assets(tmp_path)
    assert time.perf_counter() - started < 0.5
    assert leaflet.stat().st_ino == first_inode  # not rewritten
    leaflet.write_text("broken")
    assets.ensure_static_assets(tmp_path)
    assert leaflet.read_bytes() == assets.MAP_ASSETS[0].source().read_bytes()
    assert not [p for p in (tmp_path / "vendor").rglob(".tmp-*")]


def test_vendor_folder_is_ignored_by_git():
    lines = (settings.PROJECT_DIR / ".gitignore").read_text().splitlines()
    assert "static/vendor/" in lines or "/static/vendor/" in lines


def test_use_local_resources_changes_instances_not_folium_classes():
    class_js = list(folium.Map.default_js)
    cluster_js = list(folium.plugins.MarkerCluster.default_js)
    m = small_map()
    assets.use_local_resources(m)
    html = m.get_root().render()
    assert assets.external_links(html) == []
    assert '<script src="/app/static/vendor/leaflet_markercluster-1.4.1/leaflet.markercluster.js"></script>' in html
    assert folium.Map.default_js == class_js and folium.plugins.MarkerCluster.default_js == cluster_js
    assert assets.external_links(small_map().get_root().render())  # an untouched map still uses CDNs


def test_elements_we_cannot_serve_offline_are_refused_by_name():
    m = small_map()
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(errors.AssetError, match="Fullscreen"):
        assets.use_local_resources(m)


def test_a_folium_popup_is_refused_because_it_needs_jquery():
    m = small_map()
    folium.Marker([45.5, 13.7], popup=folium.Popup("x")).add_to(m)
    with pytest.raises(errors.AssetError, match="jQuery"):
        assets.use_local_resources(m)


def test_external_links_finds_cdn_scripts_and_stylesheets():
    html = ('<script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="//cdn.example/y.css"/>'
            '<script src="/app/static/vendor/a.js"></script><a href="https://example.si">x</a>')
    assert assets.external_links(html) == ["https://cdn.example/x.js", "//cdn.example/y.css"]


def test_streamlit_folium_gets_only_local_script_and_css_links(monkeypatch, shipped_map):
    """st_folium loads the scripts listed in the elements' default_js/css inside its iframe."""
    captured = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: captured.update(kwargs))
    streamlit_folium.st_folium(shipped_map, key="map", returned_objects=[])
    js, css = captured["js_links"], captured["css_links"]
    assert js[0].endswith("/leaflet.js") and any("markercluster" in u for u in js)
    assert all(u.startswith("/app/static/vendor/") for u in js + css), js + css
    assert not re.search(r"https?://", captured["header"])
    assert "L.markerClusterGroup" in captured["script"]
    # no jQuery loaded (one sequential script less in the frame, issue 14) and nothing calls it
    assert not any("jquery" in u.lower() for u in js) and "$(" not in captured["script"]


def test_standalone_html_inlines_everything(shipped_map):
    html = assets.standalone_html(shipped_map)
    assert not re.search(r"<script\b[^>]*\bsrc=", html)
    assert not re.search(r"<link\b[^>]*\bhref=", html)
    assert assets.external_links(html) == []
    assert 't.version="1.9.3"' in html  # Leaflet's own code
    assert "markerClusterGroup" in html and "jQuery" not in html
    assert "url(data:image/png;base64," in html  # leaflet.css images inlined
    assert "sourceMappingURL" not in html
    # Inlined code never closes its <script> early.
    for block in re.findall(r"<script>(.*?)</script>", html, re.DOTALL):
        assert "</script" not in block.lower()


def test_standalone_html_refuses_foreign_scripts():
    m = small_map()
    m.get_root().header.add_child(folium.JavascriptLink("https://cdn.example/other.js"), name="other")
    with pytest.raises(errors.AssetError, match="cdn.example"):
        assets.standalone_html(m)


@pytest.mark.browser
def test_standalone_map_draws_offline_in_a_browser(tmp_path, shipped_map):
    browser_support.require_browser()
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "map.html"
    page_file.write_text(assets.standalone_html(shipped_map), encoding="utf-8")
    outside, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(browser_support.CHROMIUM), args=browser_support.CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 650})
            page.on("request", lambda r: r.url.startswith(("file:", "data:")) or outside.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            # no internet: the street tiles (the one thing the file may fetch) never arrive
            page.route(re.compile(r"^https?://"), lambda route: route.abort())
            page.goto(page_file.as_uri())
            page.wait_for_selector(".koper-legend", timeout=10_000)
            page.wait_for_selector(".marker-cluster, .koper-marker", timeout=10_000)
            assert page.locator(".koper-legend-row").count() == 7
            assert page.locator("path.leaflet-interactive").count() >= 23  # areas drawn
            # the offline background stays and says so; the street layer is taken off
            page.get_by_text(i18n.t("map.tiles_offline", "sl")).wait_for(timeout=10_000)
            assert page.locator(".leaflet-tile").count() == 0
        finally:
            browser.close()
    # nothing but the street tiles was asked for (Leaflet & co. are inlined)
    assert outside and all(u.startswith("https://tile.openstreetmap.org/") for u in outside), outside
    assert errors == []

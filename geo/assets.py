"""The map's JavaScript and CSS, served from this machine: no request to a CDN, ever.

folium links Leaflet, jQuery, Bootstrap, Font Awesome and plug-ins from CDNs. The map built by
``geo.mapping`` needs only Leaflet and Leaflet.markercluster, and those come from installed XStatic
packages (``xstatic-leaflet``, ``xstatic-leaflet-markercluster``), never from files kept in this
repository. Not jQuery, which folium links by default: only folium's ``Popup`` template calls ``$``,
and our maps build their popups in ``geo/mapping/static/location_layer.js``; the frame loads its
scripts one after another, so each script it does not need is one round trip less before the map
is drawn (issue 14). :func:`use_local_resources` refuses a map with a folium ``Popup``.

Two ways to get them to a browser:

* In the app: :func:`ensure_static_assets` copies the files into ``static/vendor/`` (ignored by
  git), which Streamlit serves at ``/app/static/vendor/…`` (``server.enableStaticServing``).
  :func:`use_local_resources` points a map's ``default_js``/``default_css`` at those URLs;
  streamlit-folium reads exactly these lists to load scripts in its component iframe.
* In a download: :func:`standalone_html` writes one HTML file with the code inlined.
"""
from __future__ import annotations

import base64
import importlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import folium
from branca.element import Element
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster

from geo import settings
from geo.errors import AssetError

#: Where the app serves ``<project>/static/vendor`` (Streamlit's static route).
STATIC_URL_PREFIX = "/app/static/vendor"
#: The folder under ``static/`` the vendored files are copied into.
VENDOR_DIR_NAME = "vendor"


@dataclass(frozen=True)
class Asset:
    """One file taken from an installed XStatic package."""

    name: str  # folium's name for the link (leaflet, leaflet_css, …) or a plain name for images
    package: str  # import name of the XStatic module
    file: str  # path inside the package's data folder
    kind: str  # js, css or file (images the CSS refers to)

    @property
    def folder(self) -> str:
        """The vendor sub-folder, versioned so browsers never keep a stale copy after an upgrade."""
        module = _package(self.package)
        return f"{module.NAME.lower()}-{module.VERSION}"

    @property
    def relative_path(self) -> str:
        """Path below ``static/vendor``."""
        return f"{self.folder}/{self.file}"

    def source(self) -> Path:
        """The file inside the installed package."""
        return Path(_package(self.package).BASE_DIR) / self.file


_LEAFLET = "xstatic.pkg.leaflet"
_CLUSTER = "xstatic.pkg.leaflet_markercluster"

#: Everything the map needs. Names of js/css entries match folium's so that they replace its links.
MAP_ASSETS: tuple[Asset, ...] = (
    Asset("leaflet", _LEAFLET, "leaflet.js", "js"),
    Asset("leaflet_css", _LEAFLET, "leaflet.css", "css"),
    # Images that leaflet.css refers to (layer-control icon, default marker).
    Asset("layers.png", _LEAFLET, "images/layers.png", "file"),
    Asset("layers-2x.png", _LEAFLET, "images/layers-2x.png", "file"),
    Asset("marker-icon.png", _LEAFLET, "images/marker-icon.png", "file"),
    Asset("marker-icon-2x.png", _LEAFLET, "images/marker-icon-2x.png", "file"),
    Asset("marker-shadow.png", _LEAFLET, "images/marker-shadow.png", "file"),
)
CLUSTER_ASSETS: tuple[Asset, ...] = (
    Asset("markerclusterjs", _CLUSTER, "leaflet.markercluster.js", "js"),
    Asset("markerclustercss", _CLUSTER, "MarkerCluster.css", "css"),
    Asset("markerclusterdefaultcss", _CLUSTER, "MarkerCluster.Default.css", "css"),
)
ALL_ASSETS = MAP_ASSETS + CLUSTER_ASSETS


def _package(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        dist = module_name.replace("xstatic.pkg.", "xstatic-").replace("_", "-")
        raise AssetError(f"the map needs the Python package {dist!r}; install it with "
                         f"`pip install -r requirements.txt`") from exc


@dataclass(frozen=True)
class MapResources:
    """Local URLs in folium's ``(name, url)`` form, and the file behind each URL."""

    map_js: list[tuple[str, str]]
    map_css: list[tuple[str, str]]
    cluster_js: list[tuple[str, str]]
    cluster_css: list[tuple[str, str]]
    files: dict[str, Path] = field(default_factory=dict)  # url → source file


def local_map_resources(url_prefix: str = STATIC_URL_PREFIX) -> MapResources:
    """The URLs a map should load its code from (``/app/static/vendor/…`` by default)."""
    prefix = url_prefix.rstrip("/")

    def links(assets: tuple[Asset, ...], kind: str) -> list[tuple[str, str]]:
        return [(a.name, f"{prefix}/{a.relative_path}") for a in assets if a.kind == kind]

    return MapResources(
        map_js=links(MAP_ASSETS, "js"),
        map_css=links(MAP_ASSETS, "css"),
        cluster_js=links(CLUSTER_ASSETS, "js"),
        cluster_css=links(CLUSTER_ASSETS, "css"),
        files={f"{prefix}/{a.relative_path}": a.source() for a in ALL_ASSETS},
    )


def ensure_static_assets(static_dir: Path = settings.PROJECT_DIR / "static") -> dict[str, Path]:
    """Copy the map's files from the XStatic packages into ``static_dir/vendor``; return name → path.

    Idempotent and cheap when up to date (compares size and modification time); each file is
    written to a temporary name and renamed, so a browser never reads a half-written file even
    when two app processes start at once.
    """
    vendor = Path(static_dir) / VENDOR_DIR_NAME
    copied: dict[str, Path] = {}
    for asset in ALL_ASSETS:
        source = asset.source()
        if not source.is_file():
            raise AssetError(f"{source} is missing from its package; reinstall it "
                             f"(`pip install --force-reinstall -r requirements.txt`)")
        target = vendor / asset.relative_path
        if not _up_to_date(source, target):
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            os.close(handle)
            try:
                shutil.copy2(source, temporary)
                os.replace(temporary, target)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        copied[asset.name] = target
    return copied


def _up_to_date(source: Path, target: Path) -> bool:
    if not target.is_file():
        return False
    a, b = source.stat(), target.stat()
    return a.st_size == b.st_size and int(a.st_mtime) == int(b.st_mtime)


def use_local_resources(root: Element, resources: MapResources | None = None) -> None:
    """Point every folium element below ``root`` at the local files (instance attributes only).

    Raises AssetError naming an element whose external code we cannot serve offline, and for a
    folium ``Popup`` (its template needs jQuery, which the maps no longer load).
    """
    resources = resources or local_map_resources()
    for element in _walk(root):
        if isinstance(element, folium.Popup):
            raise AssetError("a folium Popup needs jQuery, which the map does not load; "
                             "build popups as geo/mapping/static/location_layer.js does")
        if isinstance(element, folium.Map):
            element.default_js = list(resources.map_js)
            element.default_css = list(resources.map_css)
        elif isinstance(element, MarkerCluster):
            element.default_js = list(resources.cluster_js)
            element.default_css = list(resources.cluster_css)
        elif isinstance(element, JSCSSMixin):
            external = [url for _, url in [*element.default_js, *element.default_css] if _is_external(url)]
            if external:
                raise AssetError(f"{type(element).__name__} loads {external[0]}, which is not available "
                                 "offline; draw it with the elements geo.mapping uses instead")


def _walk(element: Element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _is_external(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url.strip(), re.IGNORECASE))


def external_links(html: str) -> list[str]:
    """Script and stylesheet URLs in ``html`` that would leave this machine (for tests and checks)."""
    pattern = re.compile(
        r"""<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)|<link\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""",
        re.IGNORECASE,
    )
    return [a or b for a, b in pattern.findall(html) if _is_external(a or b)]


_SOURCE_MAP_COMMENT = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[A-Za-z0-9_.-]+\.png)\1\)")


def _inline_js(path: Path) -> str:
    code = _SOURCE_MAP_COMMENT.sub("", path.read_text(encoding="utf-8"))
    # "</script" would end the element early; "<\/script" means the same inside JS strings.
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _inline_css(path: Path) -> str:
    def data_uri(match: re.Match) -> str:
        image = path.parent / match.group(2)
        if not image.is_file():
            return match.group(0)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = _SOURCE_MAP_COMMENT.sub("", path.read_text(encoding="utf-8"))
    return _CSS_URL.sub(data_uri, css).replace("</style", "<\\/style")


def standalone_html(m: folium.Map) -> str:
    """The map as one self-contained HTML file: Leaflet & co. inlined, nothing fetched but tiles.

    Build a fresh map for this: ``st_folium`` renames the elements of a map it has shown.
    """
    resources = local_map_resources()
    use_local_resources(m, resources)
    html = m.get_root().render()
    for url, path in resources.files.items():
        if path.suffix == ".js":
            tag = f'<script src="{url}"></script>'
            if tag in html:
                html = html.replace(tag, f"<script>/* {path.name} */\n{_inline_js(path)}\n</script>")
        elif path.suffix == ".css":
            tag = f'<link rel="stylesheet" href="{url}"/>'
            if tag in html:
                html = html.replace(tag, f"<style>/* {path.name} */\n{_inline_css(path)}\n</style>")
    leftover = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"', html)
    if leftover:
        raise AssetError(f"cannot inline {leftover[0]}; only the map's own assets can be written offline")
    return html

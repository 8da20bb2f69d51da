"""The fair peer for bench/bench_map.py: a plain Streamlit page with st_folium and a MarkerCluster.

What a straightforward Streamlit map page does: the data loaded once (``st.cache_data``), then on
every run a folium Map with one plain ``folium.Marker`` per address of the service map in a
``MarkerCluster``, handed to ``st_folium``. It loads the same local Leaflet files as ours
(``geo.assets.use_local_resources``; streamlit-folium's default page loads Leaflet from a CDN and
never draws offline). It draws less than our page (no areas, names, legend, popups or list).

Started by bench_map.peer_server from a temporary folder whose ``static/vendor`` holds the map's
files; ``KOPER_MAP_PROJECT`` is the project folder, ``KOPER_MAP_DATA_DIR`` the data.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import folium
import streamlit as st
from folium.plugins import MarkerCluster
from streamlit_folium import st_folium

sys.path.insert(0, os.environ["KOPER_MAP_PROJECT"])

from geo import assets, directory, mapping, settings  # noqa: E402


@st.cache_data(show_spinner=False)
def points(folder: str) -> list[tuple[float, float]]:
    """(lat, lon) of every address the service map draws."""
    services = directory.build_directory(Path(folder)).services
    return [(loc.lat, loc.lon) for loc in mapping.map_locations(services)]


st.title("Peer: st_folium + MarkerCluster")
m = folium.Map(location=list(settings.MAP_CENTER), zoom_start=settings.MAP_ZOOM, tiles=None)
# As ours: without a tile layer Leaflet's max zoom is Infinity and markercluster never finishes.
m.options["min_zoom"], m.options["max_zoom"] = mapping.MIN_ZOOM, mapping.MAX_ZOOM
cluster = MarkerCluster().add_to(m)
for lat, lon in points(str(settings.data_dir())):
    folium.Marker([lat, lon]).add_to(cluster)
assets.use_local_resources(m)
st_folium(m, key="peer_map", height=560, use_container_width=True, returned_objects=["last_object_clicked", "center", "zoom"])

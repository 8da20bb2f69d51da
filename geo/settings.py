"""Project-wide settings, in one place.

Paths resolve relative to the repository, never to the working directory, so scripts,
tests and the app agree on where data lives.
"""
from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the folder holding app.py).
PROJECT_DIR = Path(__file__).resolve().parent.parent

#: Environment variable that points the app and tools at another data directory.
DATA_DIR_ENV = "KOPER_MAP_DATA_DIR"

#: Read-only source material shared with the project (seeds, GURS/SURS reference data).
SHARED_DIR = PROJECT_DIR.parent / "shared"
REFERENCE_DIR = SHARED_DIR / "reference"
SEEDS_DIR = SHARED_DIR / "seeds"


def data_dir() -> Path:
    """The directory the directory data is read from: ``$KOPER_MAP_DATA_DIR`` or ``data/``."""
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured).expanduser().resolve() if configured else PROJECT_DIR / "data"


# File names inside the data directory.
SERVICES_FILE = "services.csv"
MANUAL_COORDINATES_FILE = "manual_coordinates.csv"
GEOCODE_CACHE_FILE = "geocode_cache.csv"
AREAS_FILE = "areas.csv"
AREA_BOUNDARIES_FILE = "areas.geojson"
#: A user-supplied official boundary file; when present it replaces the approximation.
OFFICIAL_AREA_BOUNDARIES_FILE = "areas_official.geojson"
MUNICIPALITY_OUTLINE_FILE = "municipality.geojson"
SETTLEMENTS_FILE = "settlements.csv"
STREETS_FILE = "streets.csv"
DEMAND_POINTS_FILE = "demand_points.csv"

# Geography
#: Spatial reference systems: WGS84 for the web map, D96/TM (Slovenia's national grid) for metres.
CRS_WGS84 = "EPSG:4326"
CRS_D96TM = "EPSG:3794"
#: (south, west, north, east) of the Koper administrative unit (Koper + Ankaran), with a margin.
KOPER_BBOX = (45.42, 13.60, 45.62, 14.02)
#: Map centre (Koper old town) and the default zoom that shows the whole municipality.
MAP_CENTER = (45.53, 13.80)
MAP_ZOOM = 11
#: Road distance ≈ straight-line distance × this factor. An assumed typical detour factor for a
#: road network, not measured for Koper; used only to label "about this far by road".
DETOUR_FACTOR = 1.3

# Geocoding (Nominatim usage policy: own user agent, at most 1 request/s, cache results)
NOMINATIM_USER_AGENT = "koper-social-services-map/0.1 (Mestna obcina Koper service map)"
NOMINATIM_MIN_DELAY_SECONDS = 1.0
NOMINATIM_TIMEOUT_SECONDS = 10
NOMINATIM_COUNTRY_CODES = "si"

# Opening hours
HOLIDAY_COUNTRY = "SI"
TIMEZONE = "Europe/Ljubljana"

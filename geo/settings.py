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
#: (south, west, north, east) of the municipality outline (Koper + Ankaran): the map's first view
#: shows all of it at whatever size the screen is (a phone included), not a fixed zoom.
MUNICIPALITY_BOUNDS = (45.4251, 13.6789, 45.6009, 14.0020)

# Street background of the maps. By default OpenStreetMap's tiles, shown whenever the browser can
# reach them; the offline background (outline, areas, settlement names) stays underneath and is
# what the map shows, and says so, when they cannot be reached.
#: The municipality's own tile server instead of OpenStreetMap: an XYZ URL template
#: (``https://tiles.koper.si/{z}/{x}/{y}.png``); ``off`` (or ``0``/``none``) never asks for tiles.
TILES_ENV = "KOPER_MAP_TILES"
#: The credit the configured tile server asks for, as plain text (shown escaped in the map corner).
TILES_ATTRIBUTION_ENV = "KOPER_MAP_TILES_ATTRIBUTION"
OSM_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: OpenStreetMap's tile usage policy: at most zoom 19, with its credit.
TILES_MAX_ZOOM = 19


def tile_source() -> tuple[str, str | None] | None:
    """(URL template, plain-text attribution or None for OpenStreetMap's own) or None when tiles are off.

    Read from ``$KOPER_MAP_TILES`` / ``$KOPER_MAP_TILES_ATTRIBUTION`` at each call (tests switch
    them). A URL without ``{z}``, ``{x}`` and ``{y}``, or not http(s), is ignored in favour of
    OpenStreetMap, so a typo never leaves the map without a background it could have had.
    """
    configured = os.environ.get(TILES_ENV, "").strip()
    if configured.lower() in ("off", "0", "none", "no", "false"):
        return None
    if configured and configured.startswith(("https://", "http://")) and all(
            part in configured for part in ("{z}", "{x}", "{y}")):
        if configured == OSM_TILES_URL:
            return OSM_TILES_URL, None
        credit = os.environ.get(TILES_ATTRIBUTION_ENV, "").strip()
        host = configured.split("/")[2]
        return configured, credit or f"© {host}"
    return OSM_TILES_URL, None


#: Road distance ≈ straight-line distance × this factor. An assumed typical detour factor for a
#: road network, not measured for Koper; used only to label "about this far by road".
DETOUR_FACTOR = 1.3

# Geocoding (Nominatim usage policy: own user agent, at most 1 request/s, cache results)
NOMINATIM_USER_AGENT = "koper-social-services-map/0.1 (Mestna obcina Koper service map)"
NOMINATIM_MIN_DELAY_SECONDS = 1.0
NOMINATIM_TIMEOUT_SECONDS = 10
NOMINATIM_COUNTRY_CODES = "si"
#: After a rate limit (HTTP 429, or longer if its Retry-After says so), a timeout or an unreachable
#: server, Nominatim is not asked for this long; lookups fall back to the register with a note at once.
NOMINATIM_PAUSE_AFTER_FAILURE_SECONDS = 60

# Opening hours
HOLIDAY_COUNTRY = "SI"
TIMEZONE = "Europe/Ljubljana"

#: Set to 0 to keep the app from asking Nominatim for typed addresses (tests, air-gapped rooms).
ONLINE_GEOCODING_ENV = "KOPER_MAP_ONLINE"


def online_geocoding() -> bool:
    """True unless ``$KOPER_MAP_ONLINE`` is 0/false/no/off: try Nominatim, fall back to the register."""
    return os.environ.get(ONLINE_GEOCODING_ENV, "1").strip().lower() not in ("0", "false", "no", "off")

# Data upkeep: staff import an updated directory, correct locations, mark records verified.
#: Environment variable that switches the upkeep tools off on a public deployment (KOPER_MAP_UPKEEP=0).
UPKEEP_ENV = "KOPER_MAP_UPKEEP"


def upkeep_enabled() -> bool:
    """True when ``$KOPER_MAP_UPKEEP`` is unset, empty or 1/true/yes/on; false for anything else.

    Enabled by default because the app is first of all the office's own tool; any value other
    than the enabling ones (a typo included) switches upkeep off, so a public deployment errs
    on the safe side.
    """
    return os.environ.get(UPKEEP_ENV, "").strip().lower() in ("", "1", "true", "yes", "on")


#: Staff of the upkeep page besides ``[staff]`` in .streamlit/secrets.toml: addresses and ``@domains``,
#: separated by commas or spaces (``KOPER_MAP_STAFF="ana.novak@koper.si, @koper.si"``); see geo.staff.
STAFF_ENV = "KOPER_MAP_STAFF"

#: Set to 1 (development, the test suite) to let an unexpected error on a page raise, with its
#: traceback, instead of the plain translated message a public deployment shows (app.py).
RAISE_ERRORS_ENV = "KOPER_MAP_RAISE_ERRORS"


#: Longest wait, in seconds, for a new visitor's map to be drawn before the rest of the page is sent
#: (ui/first_paint.py); 0 sends it at once (the AppTest suite: no browser there ever draws the map).
FIRST_PAINT_WAIT_ENV = "KOPER_MAP_FIRST_PAINT_WAIT_S"
FIRST_PAINT_WAIT_DEFAULT_S = 1.5


def first_paint_wait_s() -> float:
    """``$KOPER_MAP_FIRST_PAINT_WAIT_S`` in seconds, within 0–5 (default 1.5; unreadable: the default)."""
    try:
        value = float(os.environ.get(FIRST_PAINT_WAIT_ENV, FIRST_PAINT_WAIT_DEFAULT_S))
    except ValueError:
        return FIRST_PAINT_WAIT_DEFAULT_S
    return min(max(value, 0.0), 5.0) if value == value else FIRST_PAINT_WAIT_DEFAULT_S  # NaN: the default


def raise_errors() -> bool:
    """True when ``$KOPER_MAP_RAISE_ERRORS`` is 1/true/yes/on."""
    return os.environ.get(RAISE_ERRORS_ENV, "").strip().lower() in ("1", "true", "yes", "on")

#: Upkeep switch as read at start-up; call ``upkeep_enabled()`` to see a change of the variable.
UPKEEP_ENABLED = upkeep_enabled()
#: Largest upload accepted, in bytes (the 36-record directory is about 50 kB).
UPKEEP_MAX_UPLOAD_BYTES = 2_000_000
#: Largest number of data rows in an upload.
UPKEEP_MAX_ROWS = 2_000
#: Longest text accepted in one cell (the longest cell of the directory has about 350 characters).
UPKEEP_MAX_CELL_CHARS = 5_000
#: Most columns an upload may have (the schema has 41; Excel's empty formatted columns on the
#: right are dropped first). A wide sheet is refused before any cell is looked at.
UPKEEP_MAX_COLUMNS = 100
#: Most cells (rows × columns) an upload may have: 2,000 rows of the schema's width, with room.
UPKEEP_MAX_CELLS = 150_000
#: Most seconds of CPU-bound work (reading and checking) one upload may cost before it is refused,
#: so that a hostile file cannot slow every public page (a 2 MB upload of 1,400 records takes 0.5 s).
UPKEEP_MAX_PARSE_SECONDS = 20.0
#: The append-only change log beside the data (JSON lines: who, when, what, from what to what).
CHANGE_LOG_FILE = "changes.jsonl"
#: Largest total size of the files inside an .xlsx (a zip), to refuse decompression bombs.
UPKEEP_MAX_UNZIPPED_BYTES = 50_000_000
#: File types an upload may have.
UPKEEP_ALLOWED_EXTENSIONS = (".csv", ".xlsx")
#: Folder inside the data directory that keeps the replaced versions of services.csv and
#: manual_coordinates.csv, one dated copy per save (never pruned automatically).
BACKUP_DIR_NAME = "backups"
#: Records whose last_verified is older than this many days are listed for checking.
VERIFY_MAX_AGE_DAYS = 365
#: A hand-placed point with a larger error radius (metres) counts as approximate.
APPROXIMATE_ACCURACY_M = 50
#: Error radius written for a point a member of staff corrects by hand (placed on a map).
#: An assumed typical value for a click on a street-level map, not a measurement.
MANUAL_CORRECTION_ACCURACY_M = 25


#: Where "report a mistake" e-mails go (the directory's keepers); no link when unset.
FEEDBACK_EMAIL_ENV = "KOPER_MAP_FEEDBACK_EMAIL"


def feedback_email() -> str | None:
    """The keepers' e-mail address for "report a mistake" links (``KOPER_MAP_FEEDBACK_EMAIL``).

    None when unset or not a plain address (then no link is shown); the app itself stores nothing.
    """
    value = os.environ.get(FEEDBACK_EMAIL_ENV, "").strip()
    return value if value and "@" in value and not any(c in value for c in "?&#/:; \t\r\n<>\"'") else None

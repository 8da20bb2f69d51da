"""Shared helpers for the benchmarks and the load test: a synthetic directory, percentiles, servers.

Not a benchmark itself. ``write_data_dir`` writes a data directory the app can be pointed at
with ``KOPER_MAP_DATA_DIR``: the real geography files, plus a seeded ``services.csv`` with one
site or office service per synthetic address and a ``manual_coordinates.csv`` placing each
address at a random point inside ``settings.KOPER_BBOX``.
"""
from __future__ import annotations

import csv
import math
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from anywhere without installing

from geo import geocode, model, settings

if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))
import browser_support  # noqa: E402  (the one server launcher, shared with the browser tests)

#: Geography files copied from data/ (everything but the directory itself and its coordinates).
GEOGRAPHY_FILES = ("areas.csv", "areas.geojson", "municipality.geojson", "settlements.csv", "streets.csv",
                   "demand_points.csv", "area_boundary_error.csv")
HOURS = ("Mo-Fr 08:00-15:00; PH off", "Mo-Su 00:00-24:00", "Mo-Fr 07:00-19:00; Sa 08:00-12:00", "")
PHONES = ("+38656634593", "+38656646239", "+38651341554")
SYNTHETIC_DATE = "2026-11-23"
#: A street the register does not know (so no Italian name and no register fallback).
SYNTHETIC_STREET = "Sintetična ulica"


def service_rows(n: int, seed: int = 1) -> tuple[list[dict], list[dict]]:
    """(services.csv rows, manual_coordinates.csv rows): n services, each at its own address."""
    rng = np.random.default_rng(seed)
    south, west, north, east = settings.KOPER_BBOX
    lat, lon = rng.uniform(south, north, n), rng.uniform(west, east, n)
    categories = rng.choice(model.CATEGORIES, n)
    groups = np.array(model.TARGET_GROUPS, dtype=object)
    services, manual = [], []
    for i in range(n):
        address = f"{SYNTHETIC_STREET} {i + 1}, 6000 Koper"
        picked = groups[rng.choice(len(groups), int(rng.integers(1, 3)), replace=False)]
        row = {name: "" for name in model.FIELD_NAMES}
        row.update({
            "id": f"synthetic-{i + 1}",
            "name_sl": f"Sintetična storitev {i + 1}",
            "name_en": f"Synthetic service {i + 1}",
            "description_sl": "Storitev za merjenje hitrosti zemljevida.",
            "category": str(categories[i]),
            "target_groups": ";".join(picked),
            "location_type": "site" if i % 5 else "office",
            "record_kind": "service",
            "service_area": "koper",
            "provider": f"Ponudnik {i % 97 + 1}",
            "address": address,
            "phones": PHONES[i % len(PHONES)],
            "opening_hours": HOURS[i % len(HOURS)],
            "price_type": "free",
            "source": "synthetic",
            "source_lines": "1",
            "last_verified": SYNTHETIC_DATE,
        })
        services.append(row)
        manual.append({"address": address, "lat": f"{lat[i]:.6f}", "lon": f"{lon[i]:.6f}", "area_id": "",
                       "accuracy_m": "10", "method": "synthetic", "placed_on": SYNTHETIC_DATE, "note": ""})
    return services, manual


def write_data_dir(folder: Path, n: int, seed: int = 1) -> Path:
    """A data directory with the real geography and n synthetic located services; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in GEOGRAPHY_FILES:
        if (settings.PROJECT_DIR / "data" / name).is_file():
            shutil.copy2(settings.PROJECT_DIR / "data" / name, folder / name)
    services, manual = service_rows(n, seed)
    for name, fields, rows in ((settings.SERVICES_FILE, model.FIELD_NAMES, services),
                               (settings.MANUAL_COORDINATES_FILE, geocode.MANUAL_COLUMNS, manual)):
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(fields))
            writer.writeheader()
            writer.writerows(rows)
    return folder


def copy_koper_data(folder: Path) -> Path:
    """A copy of data/ (the server may write caches next to the data; the original stays clean)."""
    shutil.copytree(settings.PROJECT_DIR / "data", folder, dirs_exist_ok=True)
    return folder


def speed_up_synthetic_loading() -> None:
    """Load the synthetic directory in seconds instead of hours (this process only, same result).

    Finding an address among the hand-placed points needs no help any more: ``geocode.load_sources``
    indexes the rows once (a dict by normalised address).
    """
    # bilingual.italian_address scans the register (~17 ms per address); the synthetic street is
    # not in the register, so its Italian form is '' — exactly what the scan would return.
    from geo import bilingual

    italian = getattr(bilingual, "italian_addresses", None)
    if italian is not None:
        def italian_addresses(addresses, streets, settlements):
            real = [a for a in addresses if not a.startswith(SYNTHETIC_STREET)]
            return {**{a: "" for a in addresses if a.startswith(SYNTHETIC_STREET)}, **italian(real, streets, settlements)}

        bilingual.italian_addresses = italian_addresses


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (VmRSS from /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def streamlit_server(data_dir: Path, log: Path, timeout_s: float = 120.0, indexed_lookup: bool = False):
    """Run the app on a free port with KOPER_MAP_ONLINE=0; yields (base URL, server pid).

    tests/browser_support.running_server does the work; ``indexed_lookup`` starts the server
    through bench/serve.py, which applies ``speed_up_synthetic_loading`` first.
    """
    launcher = [str(Path(__file__).with_name("serve.py"))] if indexed_lookup else None
    with browser_support.running_server(data_dir, log, timeout_s=timeout_s, launcher=launcher,
                                        extra_args=("--server.fileWatcherType", "none")) as (base, proc):
        yield base, proc.pid

"""Refreshing the geocode cache from Nominatim (``make geocode``): provider addresses only, never citizens'."""
from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from geo import _nominatim
from geo.geocode import files
from geo.geocode.lookup import find_row, lookup_offline
from geo.geocode.online import NO_NETWORK_FAILURES, ask_online
from geo.geocode.sources import RowIndex, load_sources
from geo.text import fold


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lat, lon) points (haversine; plenty for 'did the point move')."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A plain fixed-width text table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def refresh(
    addresses: Iterable[str],
    *,
    data_dir: Path | str,
    only_missing: bool = False,
    geocoder: Any = None,
    today: dt.date | str | None = None,
    out: TextIO | None = None,
) -> int:
    """Geocode provider addresses online into the cache of ``data_dir``; prints what changed.

    Returns an exit code: 0 all done, 1 some failed, 3 no network (nothing written). Without a
    ``geocoder`` a batch Nominatim client is made (retries, waits for the rate limit).
    """
    out = out or sys.stdout
    sources = load_sources(data_dir)
    if geocoder is None:
        geocoder = _nominatim.make_geocoder(interactive=False)
    cache = sources.cache
    table: list[tuple[str, ...]] = []
    succeeded = failed = 0
    seen: set[str] = set()
    for raw in addresses:
        canonical = sources.register.canonical_address(raw) or raw
        if fold(canonical) in seen:
            continue  # two spellings of one address: ask Nominatim once
        seen.add(fold(canonical))
        if only_missing:
            offline = lookup_offline(canonical, replace(sources, cache=cache))
            if offline is not None:
                table.append((canonical, f"skipped ({offline.source})", offline.precision, "", ""))
                continue
        previous = find_row(RowIndex.of(cache, "query", sources.register), sources.register, canonical)
        result, failure = ask_online(canonical, geocoder, today, sources.served_area)
        if result is None:
            if failure in NO_NETWORK_FAILURES and succeeded == 0:
                print(
                    f"No network: could not reach Nominatim ({failure}). The geocode cache was not changed. "
                    "Run `make geocode` again on a machine with internet access.",
                    file=sys.stderr,
                )
                return 3
            failed += 1
            table.append((canonical, f"failed: {failure}", "", "", ""))
            continue
        succeeded += 1
        if previous is None:
            change = "new"
        else:
            moved = distance_m((float(previous["lat"]), float(previous["lon"])), (result.lat, result.lon))
            same_precision = previous["precision"] == result.precision
            change = "unchanged" if moved < 1 and same_precision else f"moved {moved:.0f} m" + (
                "" if same_precision else f", was {previous['precision']}"
            )
            if previous["query"] != canonical:
                cache = cache[cache["query"] != previous["query"]]
        cache = files.upsert_cache_row(cache, files.cache_row(canonical, result))
        table.append((canonical, change, result.precision, f"{result.lat:.6f}", f"{result.lon:.6f}"))
    if succeeded:
        path = files.write_geocode_cache(cache, data_dir)
        print(f"Wrote {path}", file=out)
    print(format_table(table, ("address", "change", "precision", "lat", "lon")), file=out)
    print(f"{succeeded} geocoded, {failed} failed, {len(table) - succeeded - failed} skipped", file=out)
    return 1 if failed else 0

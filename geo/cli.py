"""The package's one command line, ``python -m geo <command>``: the edge where folders are resolved.

    python -m geo coverage [--format csv|json] [--category C] [--target-group G] [--at WHEN]
                           [--include-unknown-hours] [--radius-km R] [--no-ankaran] [--lang sl|it|en]
    python -m geo export --format json|csv|hsds [--output PATH] [--lang sl|it|en] [--excel-bom]
    python -m geo geocode refresh [--only-missing] [--address A ...] [--from-csv FILE]
    python -m geo geocode lookup "Krožna cesta 5, 6000 Koper" [--online]

Library modules stay free of argument parsing and of ``settings.data_dir()``: each command here
reads the data directory (``KOPER_MAP_DATA_DIR`` or ``data/``), calls the library and prints.
Exit codes: 0 done, 1 the data cannot be read or nothing was found, 2 bad arguments.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from geo import areas, coverage, export, hours, hsds, i18n, model, safe, settings
from geo.errors import CoverageError, DataFileError, KoperMapError

PROG = "python -m geo"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (exit 2), without the usage block."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (``args.tool`` names the command)."""
    parser = _Parser(prog=PROG, description="Tools for the map of social services of the Municipality of Koper.")
    commands = parser.add_subparsers(dest="tool", required=True, metavar="{coverage,export,geocode}")
    _coverage_arguments(commands.add_parser(
        "coverage", help="coverage measures for the 23 local areas, one row per area",
        description="Coverage measures for the 23 local areas, one row per area."))
    _export_arguments(commands.add_parser(
        "export", help="the whole directory as JSON, CSV or HSDS 3.0 tables",
        description="Export the Koper social-services directory."))
    # The geocode command's own parser (geocode_parser) reads the rest, so its options live in one place.
    commands.add_parser("geocode", help="place addresses; refresh the geocode cache (lookup | refresh)",
                        add_help=False, prefix_chars="\0").add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None, *, table: pd.DataFrame | None = None, **geocode_options: Any) -> int:
    """Run one command; returns the exit code.

    ``table`` replaces the located directory for ``export`` (tests, callers with a table at hand);
    ``geocode_options`` (geocoder, today, data_dir, out) go to ``run_geocode``.
    """
    args = build_parser().parse_args(argv)
    if args.tool == "coverage":
        return run_coverage(args)
    if args.tool == "export":
        return run_export(args, table)
    return run_geocode(args.rest, **geocode_options)


# --- coverage -----------------------------------------------------------------------------------------

#: Columns of the coverage output. ``name``, ``reach`` and ``gap_text`` are in ``--lang`` (the pages'
#: words: served / not served, "help by phone only (confidential address)", the gap reasons);
#: ``gap_reasons`` stays the English machine text of geo.coverage.
COVERAGE_COLUMNS = (
    "area_id", "name", "population", "population_date", "basis", coverage.PHONE_ONLY, "services_in_area",
    "services_per_1000", "mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km",
    *(f"share_within_{r}km" for r in coverage.SHARE_RADII_KM), "access_2sfca",
    "area_wide_services", "area_wide_ids", "home_services", "reaching_services", *coverage.GAP_FLAGS, "gap", "gap_reasons",
    "reach", "gap_text",
)
_DECIMALS = {
    "services_per_1000": 3, "mean_distance_km": 3, "max_distance_km": 3, "mean_road_distance_km": 3,
    "max_road_distance_km": 3, **{f"share_within_{r}km": 4 for r in coverage.SHARE_RADII_KM}, "access_2sfca": 4,
}


def render_coverage(table: pd.DataFrame, fmt: str, lang: str = "sl") -> str:
    """The text of an ``area_coverage`` table: CSV (one row per area, COVERAGE_COLUMNS, no cell a
    spreadsheet would run as a formula) or JSON (``parameters``, ``notes``, ``areas``; unknown = null).

    ``reach`` and ``gap_text`` say each area in ``lang`` as the pages do (geo.coverage.words), with the
    gap thresholds of ``table.attrs["parameters"]`` (defaults when absent)."""
    out = table.copy()
    records = out.to_dict("records")
    thresholds = coverage.GapThresholds(**table.attrs.get("parameters", {}).get("thresholds", {}))
    out["name"] = [i18n.name_in(r, lang) for r in records]  # no English names: Slovene is official
    out["reach"] = [coverage.words.reach_cell(r, lang) for r in records]
    out["gap_text"] = [coverage.words.gap_text(r, thresholds, lang) for r in records]
    out = out[list(COVERAGE_COLUMNS)].round(_DECIMALS)
    if fmt == "csv":
        out["area_wide_ids"] = out["area_wide_ids"].map(model.LIST_SEPARATOR.join)
        return safe.spreadsheet_frame(out).to_csv(index=False, na_rep="", lineterminator="\n")
    records = [{k: _json_value(v) for k, v in row.items()} for row in out.to_dict("records")]
    document = {"parameters": table.attrs.get("parameters", {}), "notes": table.attrs.get("notes", []), "areas": records}
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _json_value(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def _when_argument(text: str) -> dt.datetime:
    try:
        return hours.parse_when(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _radius_argument(text: str) -> float:
    try:
        return coverage.check_radius(text)
    except CoverageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _coverage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--category", choices=model.CATEGORIES, help="only this category (default: all)")
    parser.add_argument("--target-group", choices=model.TARGET_GROUPS, help="only services for this group or for everyone")
    parser.add_argument("--at", type=_when_argument, metavar="WHEN",
                        help="only services open then: 'Sa 10:00' (next such time) or 2026-11-28T10:00")
    parser.add_argument("--include-unknown-hours", action="store_true", help="with --at, keep services whose hours are unknown")
    parser.add_argument("--radius-km", type=_radius_argument, default=coverage.DEFAULT_RADIUS_KM,
                        help="2SFCA catchment radius (km)")
    parser.add_argument("--no-ankaran", action="store_true", help="only the 22 local communities of Koper")
    parser.add_argument("--lang", choices=model.LANGUAGES, default="sl",
                        help="language of the area names and of the reach and gap_text columns")


def _coverage_inputs(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Services (located), areas and demand points of the data directory; raises KoperMapError."""
    from geo import directory  # here, not at import: the other commands need no geocoding set-up

    # directory_table raises on a broken file (no fallback to an older table, as a tool should).
    return directory.directory_table(data_dir), areas.load_areas(data_dir), areas.load_demand_points(data_dir)


def run_coverage(args: argparse.Namespace) -> int:
    """Print the coverage table (CSV: assumptions on stderr); 1 when the data cannot be read."""
    try:
        services, areas_table, demand = _coverage_inputs(settings.data_dir())
        table = coverage.area_coverage(
            services, areas_table, demand, category=args.category, target_group=args.target_group, at=args.at,
            include_unknown_hours=args.include_unknown_hours, radius_km=args.radius_km,
            include_ankaran=not args.no_ankaran,
        )
    except KoperMapError as exc:
        print(f"{PROG} coverage: error: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        # CSV stays machine-readable; the assumptions go to stderr.
        for note in table.attrs["notes"]:
            print(f"# {note}", file=sys.stderr)
    sys.stdout.write(render_coverage(table, args.format, args.lang))
    return 0


# --- export -------------------------------------------------------------------------------------------

def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", required=True, choices=export.FORMATS,
                        help="json, csv or hsds (Open Referral HSDS 3.0 CSV tables)")
    parser.add_argument("--output", type=Path, help="file for json/csv (default: standard output); "
                        f"directory for hsds (default: {hsds.DEFAULT_HSDS_DIR}/)")
    parser.add_argument("--lang", choices=model.LANGUAGES,
                        help="one language for text fields (json/csv default: all three; hsds default: sl)")
    parser.add_argument("--excel-bom", action="store_true", help="start the CSV with a UTF-8 BOM so Excel reads it as UTF-8")


def _directory_table() -> pd.DataFrame:
    """The located directory of the data directory; raises KoperMapError for a broken file."""
    from geo import directory  # here, not at import: the other commands need no geocoding set-up

    return directory.directory_table(settings.data_dir())


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    # newline="" keeps the CSV's CRLF as written on every platform.
    output.write_text(text, encoding="utf-8", newline="")


def run_export(args: argparse.Namespace, table: pd.DataFrame | None = None) -> int:
    """Write the export (stdout, a file, or the HSDS folder); 1 when the directory cannot be read.

    Raises SystemExit(2) for ``--excel-bom`` with a format other than csv.
    """
    if args.excel_bom and args.format != "csv":
        build_parser().exit(2, f"{PROG} export: error: --excel-bom applies to --format csv only\n")
    try:
        frame = _directory_table() if table is None else table
    except KoperMapError as exc:
        print(f"Cannot export: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        # geo.directory and its helpers are built separately; say what is missing.
        print(f"Cannot export: the located directory is not available ({exc})", file=sys.stderr)
        return 1

    if args.format == "hsds":
        tables = hsds.hsds_tables(frame, lang=args.lang or i18n.DEFAULT_LANGUAGE)
        for path in hsds.write_hsds(tables, args.output or hsds.DEFAULT_HSDS_DIR):
            print(path)
        return 0
    records = export.export_records(frame, lang=args.lang)
    if args.format == "json":
        text = export.records_json(records)
    else:
        text = (export.EXCEL_BOM if args.excel_bom else "") + export.records_csv(records, lang=args.lang)
    _write_text(text, args.output)
    return 0


# --- geocode ------------------------------------------------------------------------------------------

def geocode_parser() -> argparse.ArgumentParser:
    """The geocode command's arguments: ``lookup ADDRESS [--online]`` and ``refresh [...]``."""
    parser = _Parser(prog=f"{PROG} geocode", description="Place addresses; refresh the geocode cache.")
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_cmd = commands.add_parser("refresh", help="geocode provider addresses online into the cache")
    refresh_cmd.add_argument("--only-missing", action="store_true", help="skip addresses already cached or placed by hand")
    refresh_cmd.add_argument("--address", action="append", help="an address to refresh (repeatable)")
    refresh_cmd.add_argument("--from-csv", metavar="FILE", help="a CSV file with an 'address' column")
    lookup_cmd = commands.add_parser("lookup", help="print where an address is placed (never stores)")
    lookup_cmd.add_argument("address")
    lookup_cmd.add_argument("--online", action="store_true", help="also ask Nominatim (needs a network)")
    return parser


def _refresh_addresses(args: argparse.Namespace, data_dir: Path) -> list[str]:
    """Addresses to refresh: --address/--from-csv, else every provider address of the directory."""
    from geo import geocode, load, text  # lazily: geopy and the register are needed by this command only

    addresses: list[str] = list(args.address or [])
    if args.from_csv:
        path = Path(args.from_csv)
        if not path.is_file():
            raise DataFileError(f"{path}: file not found (--from-csv needs a CSV with an 'address' column)")
        addresses.extend(geocode.read_csv(path, ("address",))["address"])
    if not addresses and not args.from_csv:
        addresses = list(load.provider_addresses(data_dir))
    unique: dict[str, str] = {}
    for address in addresses:
        cleaned = " ".join(str(address).split())
        if cleaned:
            unique.setdefault(text.fold(cleaned), cleaned)
    return list(unique.values())


def _print_lookup(result: Any, out: TextIO) -> int:
    if result is None:
        print("No match in the manual file, the cache or the register.", file=out)
        return 1
    for field in ("lat", "lon", "precision", "source", "label", "retrieved_on", "note"):
        print(f"{field:13} {getattr(result, field) if getattr(result, field) is not None else ''}", file=out)
    return 0


def run_geocode(
    argv: Sequence[str],
    *,
    geocoder: Any = None,
    today: dt.date | str | None = None,
    data_dir: Path | str | None = None,
    out: TextIO | None = None,
) -> int:
    """``lookup`` (prints where an address is placed, never stores) or ``refresh`` (provider addresses
    online into the geocode cache). ``data_dir`` None means settings.data_dir(); ``geocoder`` and
    ``today`` replace Nominatim and the date (tests). Exit codes: 0 done, 1 not found / some failed,
    2 bad input, 3 no network (refresh: nothing written)."""
    from geo import geocode  # lazily: geopy and the register are needed by this command only

    args = geocode_parser().parse_args(list(argv))
    out = out or sys.stdout
    folder = Path(data_dir) if data_dir is not None else settings.data_dir()
    try:
        if args.command == "lookup":
            if args.online and geocoder is None:
                geocoder = geocode.make_online_geocoder()
            result = geocode.geocode(args.address, online=args.online, data_dir=folder, geocoder=geocoder, today=today)
            return _print_lookup(result, out)
        addresses = _refresh_addresses(args, folder)
        if not addresses:
            print("No addresses to geocode.", file=sys.stderr)
            return 2
        return geocode.refresh(addresses, only_missing=args.only_missing, data_dir=folder, geocoder=geocoder,
                               today=today, out=out)
    except KoperMapError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

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
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from geo import areas, coverage, export, i18n, model, settings
from geo.errors import CoverageError, KoperMapError

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
    # The geocoder's own parser (geo.geocode.command) reads the rest, so its options live in one place.
    commands.add_parser("geocode", help="place addresses; refresh the geocode cache (lookup | refresh)",
                        add_help=False, prefix_chars="\0").add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None, *, table: pd.DataFrame | None = None, **geocode_options: Any) -> int:
    """Run one command; returns the exit code.

    ``table`` replaces the located directory for ``export`` (tests, callers with a table at hand);
    ``geocode_options`` (geocoder, today, data_dir, out) go to ``geo.geocode.command.run``.
    """
    args = build_parser().parse_args(argv)
    if args.tool == "coverage":
        return run_coverage(args)
    if args.tool == "export":
        return run_export(args, table)
    return run_geocode(args.rest, **geocode_options)


# --- coverage -----------------------------------------------------------------------------------------

def _when_argument(text: str) -> dt.datetime:
    try:
        return coverage.parse_when(text)
    except CoverageError as exc:
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
    parser.add_argument("--lang", choices=model.LANGUAGES, default="sl", help="language of the area names")


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
    sys.stdout.write(coverage.render(table, args.format, args.lang))
    return 0


# --- export -------------------------------------------------------------------------------------------

def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", required=True, choices=export.FORMATS,
                        help="json, csv or hsds (Open Referral HSDS 3.0 CSV tables)")
    parser.add_argument("--output", type=Path, help="file for json/csv (default: standard output); "
                        f"directory for hsds (default: {export.DEFAULT_HSDS_DIR}/)")
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
        tables = export.hsds_tables(frame, lang=args.lang or i18n.DEFAULT_LANGUAGE)
        for path in export.write_hsds(tables, args.output or export.DEFAULT_HSDS_DIR):
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

def run_geocode(argv: Sequence[str], **options: Any) -> int:
    """``lookup`` / ``refresh`` through the geocoder's own command (geo.geocode.command.run)."""
    from geo.geocode import command  # lazily: geopy and the register are needed by this command only

    return command.run(command.build_parser(prog=f"{PROG} geocode").parse_args(list(argv)), **options)

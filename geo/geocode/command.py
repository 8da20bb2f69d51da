"""Command line of the geocoder (thin: parses arguments, resolves the data directory, calls the library).

    python -m geo.geocode refresh [--only-missing] [--address A ...] [--from-csv FILE]
    python -m geo.geocode lookup "Krožna cesta 5, 6000 Koper" [--online]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any, TextIO

from geo import settings
from geo.errors import DataFileError, KoperMapError
from geo.geocode import files
from geo.geocode.lookup import geocode
from geo.geocode.cache_refresh import refresh
from geo.geocode.result import GeocodeResult
from geo.text import fold


def _refresh_addresses(args: argparse.Namespace, data_dir: Path) -> list[str]:
    """Addresses to refresh: --address/--from-csv, else every provider address of the directory."""
    addresses: list[str] = list(args.address or [])
    if args.from_csv:
        path = Path(args.from_csv)
        if not path.is_file():
            raise DataFileError(f"{path}: file not found (--from-csv needs a CSV with an 'address' column)")
        table = files.read_csv(path, ("address",))
        addresses.extend(table["address"])
    if not addresses and not args.from_csv:
        try:
            from geo import load  # lazily: only this command needs the directory itself
        except ImportError as error:
            raise KoperMapError(
                f"cannot list provider addresses ({error}); pass --address or --from-csv instead"
            ) from None
        addresses = list(load.provider_addresses(data_dir))
    unique: dict[str, str] = {}
    for address in addresses:
        text = " ".join(str(address).split())
        if text:
            unique.setdefault(fold(text), text)
    return list(unique.values())


def _print_lookup(result: GeocodeResult | None, out: TextIO) -> int:
    if result is None:
        print("No match in the manual file, the cache or the register.", file=out)
        return 1
    for field in ("lat", "lon", "precision", "source", "label", "retrieved_on", "note"):
        print(f"{field:13} {getattr(result, field) if getattr(result, field) is not None else ''}", file=out)
    return 0


def build_parser(prog: str = "python -m geo.geocode") -> argparse.ArgumentParser:
    """The geocode command's arguments (``refresh`` and ``lookup`` subcommands)."""
    parser = argparse.ArgumentParser(prog=prog, description="Place addresses; refresh the geocode cache.")
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_cmd = commands.add_parser("refresh", help="geocode provider addresses online into the cache")
    refresh_cmd.add_argument("--only-missing", action="store_true", help="skip addresses already cached or placed by hand")
    refresh_cmd.add_argument("--address", action="append", help="an address to refresh (repeatable)")
    refresh_cmd.add_argument("--from-csv", metavar="FILE", help="a CSV file with an 'address' column")
    lookup_cmd = commands.add_parser("lookup", help="print where an address is placed (never stores)")
    lookup_cmd.add_argument("address")
    lookup_cmd.add_argument("--online", action="store_true", help="also ask Nominatim (needs a network)")
    return parser


def run(
    args: argparse.Namespace,
    *,
    geocoder: Any = None,
    today: dt.date | str | None = None,
    data_dir: Path | str | None = None,
    out: TextIO | None = None,
) -> int:
    """Run parsed geocode arguments; ``data_dir`` None means settings.data_dir(). Returns the exit code."""
    out = out or sys.stdout
    folder = Path(data_dir) if data_dir is not None else settings.data_dir()
    try:
        if args.command == "lookup":
            result = geocode(args.address, online=args.online, store=False, data_dir=folder, geocoder=geocoder, today=today)
            return _print_lookup(result, out)
        addresses = _refresh_addresses(args, folder)
        if not addresses:
            print("No addresses to geocode.", file=sys.stderr)
            return 2
        return refresh(addresses, only_missing=args.only_missing, data_dir=folder, geocoder=geocoder, today=today, out=out)
    except KoperMapError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None, **options: Any) -> int:
    """Command-line entry point; ``options`` as for ``run``. Returns the exit code."""
    return run(build_parser().parse_args(argv), **options)

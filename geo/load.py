"""Reading the directory from disk, validated on every load.

A broken file never takes the app down: :func:`load_services_safe` returns the error together
with the last good table the caller kept (``ui.cache`` keeps it per data directory; geo holds no
state between calls).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import model, settings
from geo.errors import DataFileError, DataValidationError, KoperMapError, Problem


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV with every cell as a string (empty cells as ""); errors name the file."""
    if not path.is_file():
        raise DataFileError(f"{path}: file not found. Set {settings.DATA_DIR_ENV} or restore the file.")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            [Problem(path.name, None, None, None, f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8")]
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataValidationError([Problem(path.name, None, None, None, f"cannot be read as CSV: {exc}")]) from None


def services_path(data_dir: Path | str) -> Path:
    """Where the services table lives in the data directory the caller resolved."""
    if data_dir is None:
        raise TypeError("data_dir is required: resolve it at the entry point (settings.data_dir())")
    return Path(data_dir) / settings.SERVICES_FILE


def load_services(data_dir: Path | str) -> pd.DataFrame:
    """Load and validate ``services.csv``; raises DataFileError or DataValidationError."""
    path = services_path(data_dir)
    return model.parse_services(read_csv_text(path), file=path.name)


@dataclass(frozen=True)
class LoadResult:
    """The services to show, and the error that stopped a fresher load, if any."""

    services: pd.DataFrame | None
    error: KoperMapError | None = None

    @property
    def is_stale(self) -> bool:
        """True when an error occurred but older good data is being shown."""
        return self.error is not None and self.services is not None


def load_services_safe(data_dir: Path | str, last_good: pd.DataFrame | None = None) -> LoadResult:
    """Load the services; on error, return ``last_good`` (the caller's last good table, or None) with it.

    Never raises for a missing or invalid file (KoperMapError); a good load has ``error`` None.
    """
    try:
        return LoadResult(load_services(data_dir))
    except KoperMapError as exc:
        return LoadResult(last_good, exc)


def provider_addresses(data_dir: Path | str) -> list[str]:
    """Distinct addresses of services that are drawn on the map (sites and offices)."""
    services = load_services(data_dir)
    placed = services[services["location_type"].isin(model.PLACED_TYPES)]
    return sorted(set(placed["address"]) - {""})

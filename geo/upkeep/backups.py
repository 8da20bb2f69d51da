"""Dated copies of the replaced data files: ``<data dir>/backups/<stem>-YYYY-MM-DD-HHMMSS[-n].csv``.

Every save keeps the version it replaces here (never pruned automatically); staff can list them
and restore one (``saving.restore_backup``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from geo import atomic, settings
from geo.errors import DataFileError
from geo.upkeep import changelog

#: The data files that are backed up and can be restored.
BACKED_UP_FILES = (settings.SERVICES_FILE, settings.MANUAL_COORDINATES_FILE)
_NAME = re.compile(r"^(?P<stem>services|manual_coordinates)-(?P<stamp>\d{4}-\d{2}-\d{2}-\d{6})(?:-(?P<n>\d+))?\.csv$")


@dataclass(frozen=True)
class Backup:
    """One dated copy: its path, the data file it is a copy of, when it was taken (Koper time), size in bytes."""

    path: Path
    file: str
    taken_at: dt.datetime
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def backup_dir(data_dir: Path | str) -> Path:
    """The folder of dated copies: ``<data dir>/backups``."""
    return Path(data_dir) / settings.BACKUP_DIR_NAME


def keep_backup(path: Path, data_dir: Path | str, now: dt.datetime | None = None) -> Path | None:
    """Copy the current ``path`` to a new dated name in ``backups/``; None if ``path`` does not exist.

    The time is Koper's wall clock (a naive ``now`` is taken as such). Raises OSError when the copy
    cannot be written (no file is left half-written: ``geo.atomic``).
    """
    if not path.is_file():
        return None
    folder = backup_dir(data_dir)
    stamp = changelog.local_time(now).strftime("%Y-%m-%d-%H%M%S")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    counter = 2
    while target.exists():  # two saves within one second
        target = folder / f"{path.stem}-{stamp}-{counter}{path.suffix}"
        counter += 1
    return atomic.write_bytes(target, path.read_bytes())


def list_backups(data_dir: Path | str) -> list[Backup]:
    """Every backup of ``BACKED_UP_FILES``, newest first (other files in the folder are ignored)."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match or not path.is_file():
            continue
        taken = dt.datetime.strptime(match["stamp"], "%Y-%m-%d-%H%M%S")
        found.append((taken, int(match["n"] or 1), Backup(path, f"{match['stem']}.csv", taken, path.stat().st_size)))
    return [b for _t, _n, b in sorted(found, key=lambda x: (x[0], x[1]), reverse=True)]


def find_backup(data_dir: Path | str, name: str) -> Backup:
    """The listed backup called ``name``; DataFileError for any other name (no paths, no other files)."""
    for backup in list_backups(data_dir):
        if backup.name == name:
            return backup
    raise DataFileError(f"{name!r} is not a backup in {settings.BACKUP_DIR_NAME}/; choose one from the list")

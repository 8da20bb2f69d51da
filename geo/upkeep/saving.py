"""Saving the directory: all or nothing, logged, never over a change made since the preview.

Every save (an import, "verified today", a restore, and ``locations.record_manual_location``)
goes through :func:`replace_file`: the change-log lines are appended, the file being replaced
is copied to ``backups/``, and the new content replaces it atomically (``geo.atomic``). If any
step fails, the steps before it are undone: no log line, no backup, no partial file is left, and
an OSError (disk full, read-only folder) becomes a :class:`geo.errors.StorageError`. The content
is checked to load, by parsing the very bytes that will be written, before anything is touched.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import atomic, load, model, settings
from geo.errors import DataValidationError, KoperMapError, Problem, StaleDirectoryError, StorageError
from geo.upkeep import backups, changelog, checking, comparing
from geo.upkeep.guard import require_enabled

# One read-modify-write at a time within the (single) server process: two staff saving at once
# must neither interleave a backup nor lose one another's change (re-entrant: mark_verified and
# restore_backup call save_directory). A lock, not a cache: it holds no data.
_save_lock = threading.RLock()
_MISSING = "missing"
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


@dataclass(frozen=True)
class SaveResult:
    """Where the table went, and the copy of the version it replaced (None if nothing was replaced)."""

    path: Path
    backup: Path | None
    changed: bool


def stamp_of(content: bytes | None) -> str:
    """The stamp of a file's content (SHA-256, hex), ``"missing"`` for no file."""
    return _MISSING if content is None else hashlib.sha256(content).hexdigest()


def directory_stamp(data_dir: Path | str) -> str:
    """The stamp of ``services.csv`` as it is now (see :func:`stamp_of`)."""
    path = load.services_path(data_dir)
    return stamp_of(path.read_bytes() if path.is_file() else None)


def check_actor(actor: str, file: str) -> str:
    """The staff identity with its whitespace collapsed; DataValidationError when there is none."""
    who = " ".join(str(actor or "").split())
    if not who:
        raise DataValidationError([Problem(file, None, "actor", "", "say who is making the change (the signed-in staff)")])
    return who


def _storage_error(path: Path, error: OSError) -> StorageError:
    if error.errno in _FULL:
        reason = "full"
    elif error.errno in _READ_ONLY or isinstance(error, PermissionError):
        reason = "read_only"
    else:
        reason = "other"
    return StorageError(path.name, reason, error.strerror or str(error))


def replace_file(
    path: Path,
    data: bytes,
    *,
    data_dir: Path | str,
    entries: Iterable[changelog.Entry],
    now: dt.datetime | None = None,
) -> Path | None:
    """Log ``entries``, back up ``path`` and replace it with ``data``; all or nothing. Returns the backup.

    Call it holding ``_save_lock``. Raises StorageError (nothing changed, nothing left behind)
    when a step cannot be written; other exceptions are re-raised after the same clean-up.
    """
    try:
        size_before = changelog.append(data_dir, entries)
    except OSError as error:
        raise _storage_error(path, error) from error
    backup = None
    new_folder = not backups.backup_dir(data_dir).exists()
    try:
        backup = backups.keep_backup(path, data_dir, now)
        atomic.write_bytes(path, data)
    except BaseException as error:
        if backup is not None:
            backup.unlink(missing_ok=True)
        if new_folder:
            try:
                backups.backup_dir(data_dir).rmdir()  # made by this attempt; still empty
            except OSError:
                pass
        changelog.rollback(data_dir, size_before)
        if isinstance(error, OSError):
            raise _storage_error(path, error) from error
        raise
    return backup


def csv_bytes(frame: pd.DataFrame, columns: Iterable[str]) -> bytes:
    """The project's CSV form of a table of strings: UTF-8, ``,``, ``\\n``, minimal quoting."""
    return frame.reindex(columns=list(columns)).fillna("").to_csv(index=False, lineterminator="\n").encode("utf-8")


def table_of(content: bytes) -> pd.DataFrame:
    """Parse CSV bytes as ``load.read_csv_text`` reads a file: every cell a string, empty as ""."""
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8")


def save_directory(
    frame: pd.DataFrame,
    data_dir: Path | str,
    *,
    actor: str,
    expected_stamp: str | None = None,
    now: dt.datetime | None = None,
    action: str = changelog.IMPORT,
    detail: str = "",
) -> SaveResult:
    """Normalise and validate the raw table and replace ``services.csv`` with it, logged and backed up.

    ``expected_stamp`` (from the preview, :func:`directory_stamp`) makes the save refuse with
    StaleDirectoryError when the file changed since. Raises DataValidationError (nothing written)
    when the table is not valid, UpkeepDisabled when upkeep is off, StorageError when the disk
    refuses. Writing the same content again changes nothing and logs nothing.
    """
    require_enabled()
    path = load.services_path(data_dir)
    who = check_actor(actor, path.name)
    table = checking.normalise(frame)
    problems = model.validate_services(table, file=path.name)
    if problems:
        raise DataValidationError(problems)
    data = csv_bytes(table, model.FIELD_NAMES)
    model.parse_services(table_of(data), file=path.name)  # the bytes to be written load: checked before writing
    with _save_lock:
        current = path.read_bytes() if path.is_file() else None
        if expected_stamp is not None and stamp_of(current) != expected_stamp:
            last = changelog.last_change(data_dir, path.name)
            raise StaleDirectoryError(path.name, last.actor if last else "", last.when if last else "")
        if current == data:
            return SaveResult(path, None, False)
        entries = _entries(current, table, who=who, action=action, detail=detail, now=now)
        backup = replace_file(path, data, data_dir=data_dir, entries=entries, now=now)
    return SaveResult(path, backup, True)


def _entries(current: bytes | None, table: pd.DataFrame, *, who: str, action: str, detail: str,
             now: dt.datetime | None) -> list[changelog.Entry]:
    """Log lines for replacing ``current`` by ``table``: one per added/removed record and changed field.

    When the file replaced cannot be compared (broken by hand), one line says it was replaced whole.
    """
    when = changelog.timestamp(now)
    file = settings.SERVICES_FILE
    try:
        old = table_of(current) if current is not None else pd.DataFrame(columns=list(model.FIELD_NAMES), dtype=str)
        lines = comparing.change_lines(comparing.diff(old, table))
    except (KoperMapError, ValueError, pd.errors.ParserError, UnicodeDecodeError):
        return [changelog.Entry(when, who, action, file, "*", "replaced", detail=detail)]
    return [changelog.Entry(when, who, action, file, line["id"], line["change"], line["field"], line["old"], line["new"], detail)
            for line in lines]


def mark_verified(
    record_ids: str | Iterable[str],
    *,
    data_dir: Path | str,
    actor: str,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Set ``last_verified`` of the given records to today (Koper's date) and save, logged and backed up."""
    require_enabled()
    wanted = [record_ids] if isinstance(record_ids, str) else list(record_ids)
    path = load.services_path(data_dir)
    with _save_lock:
        table = load.read_csv_text(path)
        known = set(table["id"]) if "id" in table.columns else set()
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise DataValidationError([Problem.said(path.name, None, "id", i, "problem.unknown_id") for i in unknown])
        day = (today or changelog.local_time(now).date()).isoformat()
        table.loc[table["id"].isin(wanted), "last_verified"] = day
        return save_directory(table, data_dir, actor=actor, now=now, action=changelog.VERIFIED)


def restore_backup(
    name: str,
    *,
    data_dir: Path | str,
    actor: str,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Put the backup called ``name`` back in place, itself logged and with a backup of what it replaces.

    A backup of ``services.csv`` is checked like an import; one of ``manual_coordinates.csv`` like
    a location correction. Raises DataFileError for a name that is not a listed backup,
    DataValidationError when the backup would not load, StorageError when the disk refuses.
    """
    require_enabled()
    backup = backups.find_backup(data_dir, name)
    content = backup.path.read_bytes()
    if backup.file == settings.SERVICES_FILE:
        return save_directory(table_of(content), data_dir, actor=actor, now=now, action=changelog.RESTORE,
                              detail=backup.name)
    from geo.upkeep import locations  # the manual points' own checks

    return locations.restore_manual(content, backup.name, data_dir=data_dir, actor=actor, now=now)

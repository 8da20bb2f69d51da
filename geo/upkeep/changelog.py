"""The append-only change log beside the data: who changed which record and field, when, from what to what.

``<data dir>/changes.jsonl`` (``settings.CHANGE_LOG_FILE``) holds one JSON object per line, so
no spreadsheet ever evaluates it and a line is never rewritten. Each line has: ``when`` (ISO 8601
with the Europe/Ljubljana offset), ``actor`` (the signed-in staff identity), ``action`` (one of
``ACTIONS``), ``file`` (the data file changed), ``record`` (a record id, or the address of a
hand-placed point), ``change`` ("added", "removed" or "changed" for a record; "changed" for a
field), ``field``, ``old``, ``new`` and ``detail`` (e.g. the backup restored).

A save appends its lines *before* it replaces the data file and removes them again
(:func:`rollback`) if the replacement fails, so the log never claims a change that did not happen
and never misses one that did.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from geo import hours, settings

#: What a line records: an imported table, a corrected location, records marked verified, a backup restored.
IMPORT, LOCATION, VERIFIED, RESTORE = "import", "location", "verified", "restore"
ACTIONS = (IMPORT, LOCATION, VERIFIED, RESTORE)
COLUMNS = ("when", "actor", "action", "file", "record", "change", "field", "old", "new", "detail")


@dataclass(frozen=True)
class Entry:
    """One line of the change log (see the module docstring for the fields)."""

    when: str
    actor: str
    action: str
    file: str
    record: str
    change: str = "changed"
    field: str = ""
    old: str = ""
    new: str = ""
    detail: str = ""


def local_time(now: dt.datetime | None = None) -> dt.datetime:
    """``now`` as an aware Europe/Ljubljana time (a naive ``now`` is taken as Koper's wall clock)."""
    if now is None:
        return dt.datetime.now(hours.TZ)
    return now.replace(tzinfo=hours.TZ) if now.tzinfo is None else now.astimezone(hours.TZ)


def timestamp(now: dt.datetime | None = None) -> str:
    """ISO 8601 to the second with the offset, e.g. ``2026-12-01T09:30:00+01:00``."""
    return local_time(now).isoformat(timespec="seconds")


def log_path(data_dir: Path | str) -> Path:
    """``<data dir>/changes.jsonl``."""
    return Path(data_dir) / settings.CHANGE_LOG_FILE


def append(data_dir: Path | str, entries: Iterable[Entry]) -> int | None:
    """Append ``entries`` in one write and flush them to disk; returns the log's size before (None if it was new).

    Raises OSError when the log cannot be written; a partial line it may have left is removed.
    """
    lines = "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in entries).encode("utf-8")
    path = log_path(data_dir)
    before = path.stat().st_size if path.is_file() else None
    if not lines:
        return before
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, lines)
            if written != len(lines):  # a short write: the disk is full
                raise OSError(28, "No space left on device (short write)", str(path))
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        rollback(data_dir, before)
        raise
    return before


def rollback(data_dir: Path | str, size_before: int | None) -> None:
    """Remove what :func:`append` added after ``size_before`` (the file itself if it was new); never raises."""
    path = log_path(data_dir)
    try:
        if size_before is None:
            path.unlink(missing_ok=True)
        elif path.is_file() and path.stat().st_size > size_before:
            os.truncate(path, size_before)
    except OSError:
        pass  # truncating needs no space; if even this fails, the data file itself was not replaced


def read_log(data_dir: Path | str) -> pd.DataFrame:
    """The log as a table, most recent first; columns ``COLUMNS``, every cell a string.

    A line that cannot be read (cut short by a crash) is skipped; an absent log is an empty table.
    """
    path = log_path(data_dir)
    rows = []
    if path.is_file():
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict):
                    rows.append({c: str(entry.get(c, "") or "") for c in COLUMNS})
    return pd.DataFrame(rows[::-1], columns=list(COLUMNS), dtype=str)


def last_change(data_dir: Path | str, file: str) -> Entry | None:
    """The most recent line about ``file`` (e.g. ``services.csv``), or None."""
    log = read_log(data_dir)
    mine = log[log["file"] == file]
    return Entry(**mine.iloc[0].to_dict()) if not mine.empty else None

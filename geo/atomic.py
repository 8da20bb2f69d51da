"""Replacing files so that a crash or a kill leaves either the old or the new version, whole.

The new content goes to a temporary file in the same directory, is flushed and fsynced, and
then renamed over the target with ``os.replace`` (atomic on POSIX and Windows when both names
are in one directory). A kill between the two steps can leave a hidden ``.<name>.*.tmp`` file
behind; readers never look at those names, so it is only litter.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO

#: Suffix of the temporary files; readers and tests recognise leftovers by it.
TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """The name prefix of temporary files written for ``path`` (``.services.csv.``)."""
    return f".{path.name}."


def _write_payload(handle: BinaryIO, data: bytes) -> None:
    """Write the file body; a seam so tests can make a write fail or stall halfway."""
    handle.write(data)


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Replace ``path`` with ``data`` atomically; returns the path.

    On any error (including KeyboardInterrupt) the temporary file is removed and the old
    file is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    temp = Path(temp_name)
    try:
        # Reopened by name so that handle.name is the temporary path (tests tell files apart by it).
        os.close(fd)
        with open(temp, "wb") as handle:
            _write_payload(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)  # mkstemp creates 0600; keep the permissions the file had
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)
    return path


def write_text(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Replace ``path`` with ``text`` atomically (no newline translation); returns the path."""
    return write_bytes(path, text.encode(encoding))


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself; not every platform lets a directory be opened, so failures pass."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def leftover_temp_files(path: Path | str) -> list[Path]:
    """Temporary files a killed writer of ``path`` left behind (safe to delete when no write is running)."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    prefix = temp_prefix(path)
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(TEMP_SUFFIX))

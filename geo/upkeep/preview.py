"""A whole import, previewed: read, checked, compared and stamped, with nothing written."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import load, model
from geo.errors import DataValidationError, KoperMapError, Problem
from geo.upkeep import checking, comparing, placing, saving
from geo.upkeep.reading import Upload, read_upload


@dataclass(frozen=True)
class ImportPreview:
    """An upload with its problems, what it would change, and the addresses that need placing."""

    upload: Upload
    problems: tuple[Problem, ...]
    diff: comparing.Diff | None
    addresses: tuple[str, ...]
    #: Why the current table could not be read (the import then replaces it whole).
    current_error: KoperMapError | None = None
    #: The stamp of ``services.csv`` the preview compared against; pass it to ``save_directory``
    #: (``expected_stamp``) so the save refuses if the directory changed meanwhile.
    stamp: str = ""
    #: Advice keys (``checking.ADVICE_*``) for problems that saving the file differently avoids.
    advice: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the upload can be saved."""
        return not self.problems


def preview_import(name: str, content: bytes, data_dir: Path | str) -> ImportPreview:
    """Read and check an upload and compare it with the current table of ``data_dir``; writes nothing.

    Raises what ``read_upload`` raises when the file cannot be read as a table at all.
    """
    upload = read_upload(name, content)
    problems = tuple(checking.validate_upload(upload))
    path = load.services_path(data_dir)
    current_bytes = path.read_bytes() if path.is_file() else None
    current, current_error = _current_table(path, current_bytes)
    new = checking.normalise(upload.frame)
    try:
        changes = comparing.diff(current, new)
    except DataValidationError:
        changes = None  # ids missing or repeated: already among the problems
    if upload.budget is not None:
        upload.budget.check()
    return ImportPreview(upload, problems, changes, tuple(placing.addresses_to_geocode(current, new)), current_error,
                         saving.stamp_of(current_bytes), checking.advice(problems))


def _current_table(path: Path, content: bytes | None) -> tuple[pd.DataFrame, KoperMapError | None]:
    """The raw current table (from the bytes the stamp is taken of), or an empty one and the error."""
    empty = pd.DataFrame(columns=list(model.FIELD_NAMES), dtype=str)
    if content is None:
        try:
            load.read_csv_text(path)  # the error that names the missing file
        except KoperMapError as error:
            return empty, error
    try:
        return saving.table_of(content), None
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        return empty, DataValidationError([Problem.said(path.name, None, None, None, "problem.csv_unreadable", detail=str(exc))])

"""Exceptions of the project; each message names the bad value and how to fix it."""
from __future__ import annotations

from dataclasses import dataclass


class KoperMapError(Exception):
    """Base class for every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file.

    ``row`` is the line number as a spreadsheet shows it (the header is row 1).
    """

    file: str
    row: int | None
    field: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        shown = "" if self.value in (None, "") else f" (value: {self.value!r})"
        return f"{where}: {self.message}{shown}"


class DataValidationError(KoperMapError):
    """A data file broke the schema; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        head = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(head + more)


class DataFileError(KoperMapError):
    """A data file is missing or cannot be read at all."""


class GeocodingError(KoperMapError):
    """The online geocoder failed (network, rate limit, malformed answer, no result)."""

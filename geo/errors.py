"""Exceptions of the project; each message names the bad value and how to fix it."""
from __future__ import annotations

from dataclasses import dataclass


class KoperMapError(Exception):
    """Base class for every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file.

    ``row`` is the line number as a spreadsheet shows it (the header is row 1). ``message`` is
    English (command line, logs); a problem made with :meth:`said` also carries its text key of
    ``geo.i18n`` (``problem.*``) and placeholders, so that the staff page says it in the staff
    member's language (``geo.i18n.problem_text``).
    """

    file: str
    row: int | None
    field: str | None
    value: object
    message: str
    key: str = ""
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def said(cls, file: str, row: int | None, field: str | None, value: object, key: str, /,
             **params: object) -> "Problem":
        """A problem whose message is the text ``key`` (``problem.*``): English in ``message``, translatable."""
        from geo import i18n  # here, not at the top: geo.i18n's tables must not depend on this module

        return cls(file, row, field, value, i18n.t(key, "en", **params), key, tuple(params.items()))

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


class CoverageError(KoperMapError, ValueError):
    """A coverage parameter or input table is not usable; the message names it and the fix."""


class ScenarioError(KoperMapError, ValueError):
    """A hypothetical place or a location-allocation request is not usable; the message names it and the fix."""


class UnknownPlaceError(KoperMapError, LookupError):
    """A settlement or area named as a starting point is not in the data."""


class AssetError(KoperMapError):
    """A map asset is missing (package not installed) or the map needs a resource we cannot serve."""


class GeocodingError(KoperMapError):
    """The online geocoder failed (network, rate limit, malformed answer, no result)."""


class GeocoderPaused(GeocodingError):
    """Nominatim was not asked: it failed a moment ago (429, timeout, unreachable) and is left alone.

    ``seconds`` is how long the pause still lasts; the lookup falls back to the register.
    """

    def __init__(self, message: str, seconds: float = 0.0):
        super().__init__(message)
        self.seconds = seconds


class GeocoderBusy(GeocodingError):
    """Nominatim was not asked: other lookups hold the next request slots (≥ 1 s apart, its usage
    policy), and waiting for one would keep a citizen waiting; the lookup falls back to the register."""


class UpkeepDisabled(KoperMapError):
    """Editing the directory is switched off for this deployment (``KOPER_MAP_UPKEEP``)."""


class NotStaff(KoperMapError):
    """Nobody, or nobody on the staff list (``[staff]`` / ``KOPER_MAP_STAFF``), is signed in."""


class UploadRefused(DataFileError):
    """An upload broke a limit or cannot be read; ``key``/``params`` name the translated reason.

    ``key`` is a text key of ``geo.i18n`` (``upkeep.refused.*``) and ``params`` its placeholders,
    so the staff page can say it in the staff member's language; ``str()`` is the English text.
    """

    def __init__(self, message: str, key: str, **params: object):
        super().__init__(message)
        self.key = key
        self.params = params


class StaleDirectoryError(KoperMapError):
    """The directory changed since the preview a save was based on (no lost update).

    ``changed_by`` and ``changed_at`` (ISO 8601 with offset) come from the change log; they are
    empty when the file was changed outside the app.
    """

    def __init__(self, file: str, changed_by: str, changed_at: str):
        who = changed_by or "someone outside the app"
        when = changed_at or "an unknown time"
        super().__init__(
            f"{file} was changed by {who} at {when} after this preview was made; nothing was saved. "
            "Look at the new preview and save again."
        )
        self.file = file
        self.changed_by = changed_by
        self.changed_at = changed_at


class StorageError(KoperMapError):
    """A save could not be written (disk full, read-only folder, no permission); nothing was changed.

    ``reason`` is "full", "read_only" or "other"; ``detail`` is the operating system's message.
    """

    def __init__(self, file: str, reason: str, detail: str):
        super().__init__(f"{file} could not be saved ({reason}: {detail}); the data is unchanged.")
        self.file = file
        self.reason = reason
        self.detail = detail

"""What a lookup answers: a point, how exactly it places the address, and where it came from."""
from __future__ import annotations

from dataclasses import dataclass

#: How exactly a point places an address, best first.
PRECISIONS = ("manual", "address", "street", "settlement")

#: Source names written to GeocodeResult.source and the cache.
SOURCE_MANUAL = "manual"
SOURCE_NOMINATIM = "nominatim"
SOURCE_REGISTER = "gurs-rpe"


@dataclass(frozen=True)
class Note:
    """A note about a result as a text key of ``geo.i18n`` (``geocode.note.*``) and its placeholders.

    ``GeocodeResult.note`` keeps the same notes in English (command line, staff tables, logs);
    pages show ``notes`` in the reader's language.
    """

    key: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, key: str, **params: object) -> Note:
        return cls(key, tuple(sorted((name, str(value)) for name, value in params.items())))


#: Notes a lookup can make: key (``geo.i18n``: ``geocode.note.<key>``) → English template.
AMBIGUOUS, STREET_NOT_FOUND, ONLINE_FAILED, NOT_CACHED = "ambiguous", "street_not_found", "online_failed", "not_cached"
NOTE_TEXTS = {
    AMBIGUOUS: "{name} exists in several settlements ({places}); placed in {chosen}. "
               "Add the postcode or settlement to choose another.",
    STREET_NOT_FOUND: "Street not found in the register; placed by the postcode.",
    # ``failure`` (a FAILURES key) is the reason to translate; ``reason`` its English text.
    ONLINE_FAILED: "Online geocoder failed ({reason}); placed from the offline register.",
    NOT_CACHED: "Not saved to the geocode cache ({reason}); the next lookup will ask again.",
}
#: Why an online lookup gave no usable answer: key (``geo.i18n``: ``geocode.failure.<key>``) → English text.
FAILURES = {
    "paused": "not asked, paused after a recent failure",
    "busy": "not asked, busy with other lookups",
    "timeout": "timed out",
    "rate_limited": "rate limited, HTTP 429",
    "unavailable": "service unavailable or no network",
    "malformed": "malformed answer",
    "refused": "request refused",
    "quota": "quota exceeded",
    "query_rejected": "query rejected",
    "service_error": "service error",
    "geocoder_error": "geocoder error",
    "network": "network error",
    "no_result": "no result",
    "outside_country": "result outside Slovenia",
    "outside_area": "result outside Koper and Ankaran",
    "unexpected": "unexpected error",
}


def failure_key(reason: str) -> str:
    """The FAILURES key of an English failure text ("unexpected error, KeyError" → "unexpected")."""
    for key, text in FAILURES.items():
        if reason == text or reason.startswith(text + ","):
            return key
    return "unexpected"


def english(notes: tuple[Note, ...]) -> str:
    """The notes as one English text (the ``note`` of a GeocodeResult)."""
    return " ".join(NOTE_TEXTS[n.key].format(**dict(n.params)) for n in notes)


@dataclass(frozen=True)
class GeocodeResult:
    """Where an address was placed (WGS84 degrees), how exactly (one of PRECISIONS), and from which source."""

    lat: float
    lon: float
    precision: str
    source: str
    label: str
    retrieved_on: str | None
    note: str = ""
    #: Estimated error radius of a hand-placed point, in metres (None when not stated).
    accuracy_m: int | None = None
    #: The notes the geocoder made (not a hand-placed point's own note, which is data), translatable.
    notes: tuple[Note, ...] = ()

"""What the coverage numbers mean: the vocabulary, the gap thresholds, how an area is measured, the gap rule.

No data work here: the constants and rules that geo.coverage.measures applies and that every
output (pages, CLI, PDF) explains. English text here is for the command line and ``attrs``;
the pages say the same in sl/it/en through geo.coverage.words.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import hours, settings
from geo.errors import CoverageError

#: The "category" value of the rows that count every category.
ALL = "all"
#: Radii (km) of the share_within_* columns.
SHARE_RADII_KM = (1, 5, 10)
#: Default 2SFCA catchment radius, km (straight line): a short drive anywhere in the municipality.
DEFAULT_RADIUS_KM = 10.0
#: Rates are given per this many residents.
PER_RESIDENTS = 1000
#: S_j in 2SFCA: "services" = number of matching services at the location, "locations" = 1 each.
SUPPLY_MODES = ("services", "locations")
#: Target group that stands for everyone. It matches every target-group choice (as in geo.filters),
#: but for a specific group such services are listed (general_ids) and never close a gap.
GENERAL_GROUP = "general"

# How an area is measured for a selection (column ``basis``):
#: only places to go (site/office) match: distances, shares within reach, 2SFCA.
PLACES = "places"
#: only services that come to the residents match (location type ``area``: at home, in the
#: community, accommodation): served / not served and by how many providers, no distance.
DELIVERED = "delivered"
#: both: the places are measured by distance, the delivered part by served / not served.
MIXED = "mixed"
#: nothing matching is available to the area's residents at all.
NOTHING = "none"
BASES = (PLACES, DELIVERED, MIXED, NOTHING)
#: Column: True where nothing the residents can go to or receive matches, but confidential services
#: (crisis centres, safe houses: no public address) do; they help by phone only, which is not a gap
#: (set by geo.coverage.phone.mark_phone_only).
PHONE_ONLY = "phone_only"

GAP_FLAGS = ("gap_far", "gap_low_share", "gap_not_reached")
#: Columns of area_coverage, in order (coverage_by_category puts "category" first).
COLUMNS = (
    "area_id", "name_sl", "name_it", "population", "population_date", "basis", PHONE_ONLY,
    "services_in_area", "services_per_1000", "below_min_in_area",
    "mean_distance_km", "max_distance_km", "mean_road_distance_km", "max_road_distance_km",
    *(f"share_within_{r}km" for r in SHARE_RADII_KM),
    "access_2sfca",
    "area_wide_services", "area_wide_ids", "has_area_wide",
    "home_services", "home_ids", "reaching_services", "reaching_ids", "general_ids",
    *GAP_FLAGS, "gap", "gap_reasons",
)


@dataclass(frozen=True)
class GapThresholds:
    """When an area is flagged as a gap. Each flag's explanation names its threshold (``describe``)."""

    #: gap_far: population-weighted mean straight-line distance to the nearest matching place above this.
    max_mean_distance_km: float = 10.0
    #: gap_low_share: share of residents within share_radius_km of a matching place below min_share.
    share_radius_km: float = 5.0
    min_share: float = 0.5
    #: Not a gap: ``below_min_in_area`` notes fewer matching places located inside the area than
    #: this. A service inside the boundary is a neutral fact; residents' distances decide gaps.
    min_services_in_area: int = 1

    def __post_init__(self) -> None:
        for name in ("max_mean_distance_km", "share_radius_km"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise CoverageError(f"GapThresholds.{name} must be a distance in km above 0, got {value!r}")
        if not isinstance(self.min_share, (int, float)) or not 0 <= self.min_share <= 1:
            raise CoverageError(f"GapThresholds.min_share must be a share between 0 and 1 (0.5 = 50 %), got {self.min_share!r}")
        if not isinstance(self.min_services_in_area, int) or self.min_services_in_area < 0:
            raise CoverageError(f"GapThresholds.min_services_in_area must be a whole number ≥ 0, got {self.min_services_in_area!r}")

    def describe(self) -> dict[str, str]:
        """Each gap flag and the rule that raises it."""
        return {
            "gap_far": f"population-weighted mean straight-line distance to the nearest matching place "
                       f"> {self.max_mean_distance_km:g} km, or no matching service of any kind for the area's residents",
            "gap_low_share": f"share of residents within {self.share_radius_km:g} km (straight line) of a "
                             f"matching place < {self.min_share:.0%}",
            "gap_not_reached": "the selection is delivered to the residents (at home, in the community, "
                               "accommodation) somewhere, but no such service serves this area",
        }


def bases(has_places: np.ndarray, has_delivered: np.ndarray) -> np.ndarray:
    """The ``basis`` of each area from: matching places exist / matching delivered services exist."""
    return np.select([has_places & has_delivered, has_places, has_delivered], [MIXED, PLACES, DELIVERED],
                     default=NOTHING).astype(object)


def add_gaps(table: pd.DataFrame, share: np.ndarray, usable: np.ndarray, thresholds: GapThresholds) -> None:
    """Add the gap flags, ``gap`` and a ``gap_reasons`` text naming each raised flag's threshold.

    Needs the columns basis, mean_distance_km and reaching_services; ``share`` is the share within
    thresholds.share_radius_km and ``usable`` whether a matching place the area's residents may use
    exists (service_area), both per row. A gap is about residents: far from a matching place, few
    within reach of one, or not reached by a delivered service when the selection is delivered
    (basis delivered or mixed). Having no service inside the boundary is never a gap.
    """
    basis = table["basis"].to_numpy(dtype=object)
    measured = np.isin(basis, (PLACES, MIXED))
    delivered = np.isin(basis, (DELIVERED, MIXED))
    nothing = basis == NOTHING
    no_place = measured & ~np.asarray(usable, dtype=bool)
    mean_km = table["mean_distance_km"].to_numpy(dtype=float)
    reaching = table["reaching_services"].to_numpy()
    with np.errstate(invalid="ignore"):
        flags = {
            # NaN (an area without demand points) compares False: not flagged.
            "gap_far": (measured & (mean_km > thresholds.max_mean_distance_km)) | no_place | nothing,
            "gap_low_share": (measured & (share < thresholds.min_share)) | nothing,
            "gap_not_reached": delivered & (reaching == 0),
        }
    for name, flag in flags.items():
        table[name] = flag
    table["gap"] = flags["gap_far"] | flags["gap_low_share"] | flags["gap_not_reached"]

    limit, radius, minimum = thresholds.max_mean_distance_km, thresholds.share_radius_km, thresholds.min_share
    reasons = []
    # One pass over the output rows (areas), not over services or demand points.
    for far, low, unreached, km, part, none, unusable in zip(
            flags["gap_far"], flags["gap_low_share"], flags["gap_not_reached"], mean_km, share, nothing, no_place):
        texts = []
        if far and none:
            texts.append(f"gap_far: no matching service of any kind for these residents (counted as > {limit:g} km)")
        elif far and unusable:
            texts.append(f"gap_far: no matching place these residents may use (service_area), so no distance "
                         f"(counted as > {limit:g} km)")
        elif far:
            texts.append(f"gap_far: mean distance {km:.1f} km > {limit:g} km")
        if low:
            texts.append(f"gap_low_share: {part:.0%} of residents within {radius:g} km < {minimum:.0%}")
        if unreached:
            texts.append("gap_not_reached: no matching service delivered to the residents serves this area")
        reasons.append("; ".join(texts))
    table["gap_reasons"] = pd.Series(reasons, index=table.index, dtype=object)


def assumptions(radius_km: float = DEFAULT_RADIUS_KM, thresholds: GapThresholds | None = None,
                at: dt.datetime | None = None, include_unknown_hours: bool = False,
                supply: str = "services", include_ankaran: bool = True) -> list[str]:
    """The approximations and rules behind the numbers, in plain English, for every output."""
    thresholds = thresholds or GapThresholds()
    notes = [
        ("Residents are represented by demand points: one per spatial district (prostorski okoliš) at its "
         "register centroid, each carrying an equal share of its area's population (district populations are "
         "not published), so rural and urban districts of one area weigh the same."),
        ("Population is as the source gives it, with its reference date in population_date; the dates "
         "may differ between areas."),
        ("Distances are straight lines between points projected to D96/TM (EPSG:3794, metres); road distances "
         f"are straight-line × {settings.DETOUR_FACTOR:g} (an assumed detour factor, not measured on the road network)."),
        ("Places to go (site and office) are measured by distance, shares and 2SFCA; a place outside the 23 "
         "areas still counts as the nearest one but not in services_in_area."),
        ("Services delivered to the residents (location type area: at home, at changing places in the "
         "community, accommodation without a public address) have no point: they serve every resident of "
         "the areas in their service_area, so for them the measure is served / not served and by how many "
         "(reaching_services; home_services for those at the person's home). basis says per area whether "
         "places, delivered services, both (mixed) or nothing matched."),
        ("Who may use a service counts: each service's service_area (koper = the 22 local communities of "
         "Koper, ankaran = Ankaran) limits the residents it serves, places (site, office) included; a place "
         "with no service_area serves everyone (e.g. a hypothetical place)."),
        ("A distance is empty (NaN) when no matching place the residents may use exists: it is unknown, not "
         "zero. The shares are then empty too when a delivered service is the measure (basis delivered), and 0 "
         "when nothing matches at all (basis none)."),
        ("For a specific target group, services for everyone (target group general, e.g. the defibrillator "
         "network) are listed (general_ids, area_wide_ids) but do not count in any measure and never close a gap."),
        ("Having no matching service located inside an area is a neutral fact (services_in_area, "
         "below_min_in_area), never a gap by itself."),
        ("Information records (record_kind information, e.g. a funding call) and confidential services "
         "(crisis centres, safe houses: no public address) never enter any measure. Where confidential services "
         "are all that matches an area's selection (phone_only), the area is helped by phone only: its distances "
         "and shares are empty (not measured by distance) and it is not a gap."),
        (f"access_2sfca: two-step floating catchment area accessibility, straight-line catchment of {radius_km:g} km, "
         f"supply S_j = {'number of matching services at a location' if supply == 'services' else '1 per location'} "
         "(each service serves only the demand points of its service_area); "
         f"the population-weighted mean over the area's demand points, in services per {PER_RESIDENTS:,} residents. "
         "Demand outside Koper and Ankaran is not counted, so values near the municipal edge are overstated."),
    ]
    if not include_ankaran:
        notes.append("Ankaran's row is left out; its residents still count as demand in the 2SFCA catchments.")
    if at is not None:
        unknown = "included" if include_unknown_hours else "left out"
        notes.append(f"Only services open at {hours.to_local(at):%a %Y-%m-%d %H:%M} (Koper time, Slovenian public "
                     f"holidays applied); services whose hours are unknown then are {unknown}. Services known to "
                     "be closed then are listed with their next opening by time_status(), not counted.")
    notes += [f"{flag}: {rule}." for flag, rule in thresholds.describe().items()]
    notes.append("gap: any of the flags. No service inside the area is not a gap.")
    return notes

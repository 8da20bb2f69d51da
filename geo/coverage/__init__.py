"""Coverage of the 23 local areas: how far residents are from a place, whether a service comes to them, gaps.

For each area (22 KS of Koper + Ankaran) and a choice of category, target group and time:

- places to go (site/office): distance from the area's demand points to the nearest matching place
  its residents may use (service_area), population-weighted mean and maximum, straight line and
  ≈ road (× settings.DETOUR_FACTOR); share of residents within 1, 5 and 10 km; 2SFCA
  accessibility (geo.access); places located in the area and per 1,000 residents (a neutral fact);
- services delivered to the residents (location type area: at home, in the community,
  accommodation): served / not served and by how many providers, no distance;
- ``basis`` says per area which of the two measures applies (places, delivered, mixed, none);
- gap flags about residents, each against a stated threshold (GapThresholds): far from a
  matching place, few within reach of one, or not reached by a delivered service.

Confidential services and information records (funding calls) are dropped at the entry point and
never reach any measure; where confidential services (crisis centres, safe houses) are all that
matches, ``phone_only`` says the residents are helped by phone only, not a gap (``phone``). Every
approximation is stated by ``assumptions()`` and travels with the result in ``DataFrame.attrs``;
``words`` says the same to people in sl/it/en.

Modules: ``rules`` (vocabulary, thresholds, the gap rule, assumptions), ``inputs`` (rows that count,
eligibility, arrays prepared once), ``measures`` (the tables), ``phone`` (by phone only), ``timing``
(open at a time, closed with next opening), ``words`` (translated texts). Command line: ``python -m geo coverage`` (geo.cli).
"""
from __future__ import annotations

from geo.coverage import words
from geo.coverage.inputs import areas_of_points as _areas_of_points
from geo.coverage.inputs import counted, service_area_token, serves_area, without_confidential
from geo.coverage.measures import area_coverage, check_radius, coverage_by_category
from geo.coverage.rules import (
    ALL,
    BASES,
    COLUMNS,
    DEFAULT_RADIUS_KM,
    DELIVERED,
    GAP_FLAGS,
    GENERAL_GROUP,
    MIXED,
    NOTHING,
    PER_RESIDENTS,
    PHONE_ONLY,
    PLACES,
    SHARE_RADII_KM,
    SUPPLY_MODES,
    GapThresholds,
    assumptions,
)
from geo.coverage.timing import STATUS_COLUMNS, open_at, time_status

__all__ = [
    "ALL", "BASES", "COLUMNS", "DEFAULT_RADIUS_KM", "DELIVERED", "GAP_FLAGS", "GENERAL_GROUP", "MIXED", "NOTHING",
    "PER_RESIDENTS", "PHONE_ONLY", "PLACES", "SHARE_RADII_KM", "STATUS_COLUMNS", "SUPPLY_MODES", "GapThresholds",
    "_areas_of_points", "area_coverage", "assumptions", "check_radius", "counted", "coverage_by_category",
    "open_at", "service_area_token", "serves_area", "time_status", "without_confidential", "words",
]

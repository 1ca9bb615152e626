"""Targets, thresholds and weights of the share measures, whose apply where, and the colour of a
figure against them.

Whose: each side is judged by what its counterpart expects of it. The measures about the CDMO
(and those about both sides) use the sponsor organization's targets and weights: the customer
sets what it expects of its supplier. The measures about the sponsor use the CDMO's. So both
sides of a project see the same colours. An organization that has set nothing for a measure gets
`DEFAULTS` (keyed by measure key; `FALLBACK` for a measure not listed there, such as one added
after this table was written).

Colour: a figure is judged on the whole percentage it shows (so the reader can check it), at or
above a threshold counting as the better band:
  at or above the target                 green  "on target"
  below the target, at or above amber    green  "close to target"
  below amber, at or above red           amber  "below target"
  below red                              red    "well below target"
A figure on too few records has no colour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal.organizations.models import Organization

from .measures import MEASURES, SHARE, Measure
from .measures.base import CDMO, SPONSOR
from .models import OrganizationTarget


@dataclass(frozen=True)
class Targets:
    """Whole percentages: `red` <= `amber` <= `target`; `weight` in the side's overall score."""

    target: int
    amber: int
    red: int
    weight: int

    def __post_init__(self):
        if not 0 <= self.red <= self.amber <= self.target <= 100 or self.weight < 0:
            raise ValueError(f"Targets out of order: {self}")


# What a customer can fairly expect when it has said nothing (see docs/scorecards.md).
DEFAULTS: dict[str, Targets] = {
    "on_time": Targets(target=90, amber=80, red=65, weight=3),
    "cadence": Targets(target=95, amber=85, red=70, weight=2),
    "responsiveness": Targets(target=90, amber=80, red=65, weight=2),
    "meeting_discipline": Targets(target=90, amber=75, red=60, weight=1),
    "no_surprises": Targets(target=80, amber=65, red=50, weight=2),
    "service_issues": Targets(target=90, amber=80, red=65, weight=2),
    "cdmo_actions_on_time": Targets(target=85, amber=70, red=55, weight=1),
    "decisions_on_time": Targets(target=85, amber=70, red=50, weight=2),
    "sponsor_actions_on_time": Targets(target=85, amber=70, red=55, weight=1),
    "updates_acknowledged": Targets(target=80, amber=65, red=50, weight=1),
    "minutes_confirmed": Targets(target=85, amber=70, red=55, weight=1),
    "decision_maker_present": Targets(target=90, amber=75, red=60, weight=2),
}
FALLBACK = Targets(target=85, amber=70, red=50, weight=1)


def default(key: str) -> Targets:
    return DEFAULTS.get(key, FALLBACK)


@dataclass(frozen=True)
class Band:
    colour: str  # "green", "amber", "red": a CSS class suffix
    words: str  # what the colour says, for everyone (colour is never the only sign)


ON_TARGET = Band("green", "on target")
CLOSE = Band("green", "close to target")
BELOW = Band("amber", "below target")
WELL_BELOW = Band("red", "well below target")


def judge(percent: int | None, targets: Targets) -> Band | None:
    """The band of a whole percentage against `targets` (None: nothing to judge)."""
    if percent is None:
        return None
    if percent >= targets.target:
        return ON_TARGET
    if percent >= targets.amber:
        return CLOSE
    if percent >= targets.red:
        return BELOW
    return WELL_BELOW


def share_measures() -> list[Measure]:
    return [measure for measure in MEASURES if measure.kind == SHARE]


def setter_side(measure: Measure) -> str:
    """Which side's organization sets the targets of `measure`: its counterpart."""
    return CDMO if measure.side == SPONSOR else SPONSOR


def measures_set_by(organization: Organization) -> list[Measure]:
    """The share measures whose targets `organization` sets: a sponsor, those about its CDMOs (and
    about both sides); a CDMO, those about its sponsors."""
    side = CDMO if organization.is_cdmo else SPONSOR
    return [measure for measure in share_measures() if setter_side(measure) == side]


def organization_targets(organization: Organization) -> dict[str, Targets]:
    """What `organization` has set, by measure key (defaults for what it has not): one query."""
    stored = {
        row.measure: Targets(row.target, row.amber, row.red, row.weight)
        for row in OrganizationTarget.objects.filter(organization=organization)
    }
    return {
        measure.key: stored.get(measure.key, default(measure.key))
        for measure in measures_set_by(organization)
    }


def targets_for(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], dict[str, Targets]]:
    """For each (sponsor id, CDMO id), the targets that apply to each share measure, by measure
    key: one query whatever the number of pairs."""
    pairs = list(dict.fromkeys(pairs))
    ids = {org_id for pair in pairs for org_id in pair}
    stored = {
        (organization_id, measure): Targets(target, amber, red, weight)
        for organization_id, measure, target, amber, red, weight in OrganizationTarget.objects.filter(
            organization_id__in=ids
        ).values_list("organization_id", "measure", "target", "amber", "red", "weight")
    }
    resolved = {}
    for sponsor_id, cdmo_id in pairs:
        setter = {SPONSOR: sponsor_id, CDMO: cdmo_id}
        resolved[sponsor_id, cdmo_id] = {
            measure.key: stored.get((setter[setter_side(measure)], measure.key), default(measure.key))
            for measure in share_measures()
        }
    return resolved


def save_organization_targets(*, actor, organization: Organization, values: dict[str, Targets], now) -> None:
    """Store `organization`'s targets (one row a measure, replaced in place; history kept by
    pghistory). Only the measures the organization sets are stored."""
    allowed = {measure.key for measure in measures_set_by(organization)}
    rows = [
        OrganizationTarget(
            organization=organization,
            measure=key,
            target=targets.target,
            amber=targets.amber,
            red=targets.red,
            weight=targets.weight,
            updated_at=now,
            updated_by=actor,
        )
        for key, targets in values.items()
        if key in allowed
    ]
    OrganizationTarget.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["organization", "measure"],
        update_fields=["target", "amber", "red", "weight", "updated_at", "updated_by"],
    )

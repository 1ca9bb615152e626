"""Targets, thresholds and weights of the share measures, whose apply where, and the colour of a
figure against them.

Whose: each side is judged by what its counterpart expects of it. The measures about the CDMO
(and those about both sides) use the sponsor organization's targets and weights: the customer
sets what it expects of its supplier. The measures about the sponsor use the CDMO's. So both
sides of a project see the same colours. An organization that has set nothing for a measure gets
`DEFAULTS` (keyed by measure key; `FALLBACK` for a measure not listed there, such as one added
after this table was written).

One project (its Health tab, its evidence pages, its overall score: `project_targets`): the
working agreement in force may agree a measure's target and thresholds, which win over both
organizations' (the weight stays the setter's: the agreement agrees what is expected, not how the
setter weighs it). Roll-ups over many projects (the executive comparisons) keep the
organizations' targets: a relationship's projects may each have agreed something else.

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
from dataclasses import dataclass, field, replace

from portal.organizations.models import Organization
from projects.agreed_targets import DEFAULT_NOTICE_DAYS
from projects.models import AgreementStatus, Project, WorkingAgreement

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
    # Where they come from, in words for the Health tab ("agreed in the working agreement v3",
    # "Acme's default"); not part of what they are.
    source: str = field(default="", compare=False)

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


def targets_for(
    pairs: Iterable[tuple[int, int]], names: dict[int, str] | None = None
) -> dict[tuple[int, int], dict[str, Targets]]:
    """For each (sponsor id, CDMO id), the organizations' targets that apply to each share
    measure, by measure key: one query whatever the number of pairs. `names` (organization id:
    name) words their source ("Acme's default")."""
    pairs = list(dict.fromkeys(pairs))
    names = names or {}
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
        applying = {}
        for measure in share_measures():
            side = setter_side(measure)
            row = stored.get((setter[side], measure.key))
            if row is None:
                applying[measure.key] = replace(default(measure.key), source=PORTAL_DEFAULT)
            else:
                whose = names.get(setter[side], f"the {'CDMO' if side == CDMO else 'sponsor'}")
                applying[measure.key] = replace(row, source=f"{whose}'s default")
        resolved[sponsor_id, cdmo_id] = applying
    return resolved


PORTAL_DEFAULT = "the portal's default"


@dataclass(frozen=True)
class Agreed:
    """The scorecard terms of the working agreement version in force on a project."""

    number: int
    targets: dict[str, list[int]]  # {measure key: [target, amber, red]}
    tolerance_days: int
    notice_days: int = DEFAULT_NOTICE_DAYS  # of a slip, for No surprises

    @property
    def source(self) -> str:
        return f"agreed in the working agreement v{self.number}"


def agreed_now(project: Project) -> Agreed | None:
    """The scorecard terms of the version in force now, or None (no version in force): one query."""
    row = (
        WorkingAgreement.objects.filter(project=project, status=AgreementStatus.IN_FORCE)
        .values_list("number", "scorecard_targets", "on_time_tolerance_days", "slip_notice_days")
        .first()
    )
    return Agreed(row[0], row[1] or {}, row[2], row[3]) if row else None


def project_targets(project: Project, agreed: Agreed | None) -> dict[str, Targets]:
    """The targets that apply to each share measure of one project (with `sponsor` and `cdmo`
    loaded), by measure key: those the working agreement in force agreed (`agreed_now`), else the
    counterpart organization's, else the portal's default. One query (the organizations'). The
    agreement in force now judges every quarter shown, as an organization's targets do."""
    applying = targets_for(
        [(project.sponsor_id, project.cdmo_id)],
        names={project.sponsor_id: project.sponsor.name, project.cdmo_id: project.cdmo.name},
    )[project.sponsor_id, project.cdmo_id]
    if agreed is None:
        return applying
    for key, (target, amber, red) in agreed.targets.items():
        if key in applying:  # a measure retired since the agreement named it is left alone
            applying[key] = Targets(target, amber, red, applying[key].weight, source=agreed.source)
    return applying


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

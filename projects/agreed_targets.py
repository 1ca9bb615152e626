"""The scorecard measures a working agreement may set targets for: a registry the scorecards app
fills.

The scorecards (oversight) sit above projects, so the agreement cannot import their measures.
`ScorecardsConfig.ready()` registers each share measure's key and name here, in the Health tab's
order; the agreement form lists them and the services validate the agreed targets against them:

    register_agreed_measure("on_time", "On-time delivery", about="the CDMO")

An agreed target is three whole percentages, `[target, amber, red]` with red <= amber <= target,
stored by measure key in `WorkingAgreement.scorecard_targets`; a measure left out keeps the
organizations' default (docs/working-agreement.md, "Scorecard terms").
"""

from __future__ import annotations

from dataclasses import dataclass

# The on-time delivery tolerance an agreement may grant, in calendar days.
MAX_TOLERANCE_DAYS = 30
# The notice of a slip the CDMO owes the sponsor (No surprises), in calendar days before the
# baseline date: 14 unless an agreement says otherwise, and what versions meant before they could.
DEFAULT_NOTICE_DAYS = 14
MIN_NOTICE_DAYS, MAX_NOTICE_DAYS = 1, 90


@dataclass(frozen=True)
class AgreedMeasure:
    key: str
    name: str
    about: str = ""  # whom it judges ("the CDMO"): two measures may share a name, one a side

    @property
    def label(self) -> str:
        """ "Action items on time, about the CDMO"."""
        return f"{self.name}, about {self.about}" if self.about else self.name


_measures: dict[str, AgreedMeasure] = {}


def register_agreed_measure(key: str, name: str, about: str = "") -> None:
    """Let working agreements set a target for the measure `key` (called once per measure, from
    the app that computes it); `about` names whom it judges ("the CDMO")."""
    _measures[key] = AgreedMeasure(key, name, about)


def agreed_measures() -> list[AgreedMeasure]:
    """The measures an agreement may set targets for, in the order they were registered."""
    return list(_measures.values())


def measure_name(key: str) -> str:
    """The measure's label ("Action items on time, about the CDMO"); a key no longer registered (a measure retired after an agreement named
    it) is shown as it was stored."""
    measure = _measures.get(key)
    return measure.label if measure else key


def targets_problem(targets) -> str | None:
    """Why `targets` is not a valid {measure key: [target, amber, red]} mapping, or None."""
    if not isinstance(targets, dict):
        return "Give the scorecard targets by measure."
    for key, values in targets.items():
        if key not in _measures:
            return f"No scorecard measure is called “{key}”."
        name = _measures[key].label
        if not (
            isinstance(values, list | tuple)
            and len(values) == 3
            and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        ):
            return f"Give {name}'s target and thresholds as three whole percentages."
        target, amber, red = values
        if not all(0 <= v <= 100 for v in values):
            return f"{name}: the target and thresholds are percentages, 0 to 100."
        if not red <= amber <= target:
            return f"{name}: the red threshold must be at or below the amber one, and amber at or below the target."
    return None


def tolerance_problem(days) -> str | None:
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_TOLERANCE_DAYS:
        return f"The on-time tolerance is 0 to {MAX_TOLERANCE_DAYS} calendar days."
    return None


def notice_problem(days) -> str | None:
    if not isinstance(days, int) or isinstance(days, bool) or not MIN_NOTICE_DAYS <= days <= MAX_NOTICE_DAYS:
        return f"The notice of a slip is {MIN_NOTICE_DAYS} to {MAX_NOTICE_DAYS} calendar days."
    return None

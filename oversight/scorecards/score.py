"""The overall score of one side of a project for one quarter.

The weighted mean of the whole percentages its share measures show (a measure on too few records
is left out, and so is one weighing 0), rounded half up. It is judged like a figure, against the
same weighted mean of those measures' targets and thresholds, so a side scoring every measure
exactly on target scores exactly its target. With no measure left to weigh the side has no score:
"not measurable" says so rather than showing 0 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from .measures import Figure, Measure
from .measures.base import half_up
from .targets import Band, Targets, judge


@dataclass(frozen=True)
class Part:
    measure: Measure
    weight: int
    percent: int

    @property
    def label(self) -> str:
        return f"{self.measure.name} ×{self.weight}"


@dataclass(frozen=True)
class Score:
    parts: tuple[Part, ...]
    too_few: tuple[Measure, ...]
    weightless: tuple[Measure, ...]
    total: int  # the side's share measures
    percent: int | None
    targets: Targets | None  # the weighted mean of the parts' targets and thresholds
    band: Band | None

    @property
    def measurable(self) -> bool:
        return self.percent is not None

    @property
    def display(self) -> str:
        return f"{self.percent} %" if self.measurable else "not measurable"

    @property
    def sentence(self) -> str:
        """One sentence saying what the score is made of."""
        if not self.measurable:
            if self.weightless:
                return (
                    f"Not measurable: the measures with enough records ({_names(self.weightless)}) weigh 0."
                )
            return f"Not measurable: none of the {self.total} measures has enough records (3 or more)."
        measures = "measure" if self.total == 1 else "measures"
        said = (
            f"Weighted mean of {len(self.parts)} of {self.total} {measures} with enough records: "
            f"{', '.join(part.label for part in self.parts)}; target {self.targets.target} %."
        )
        if self.too_few:
            said += f" Too few records: {_names(self.too_few)}."
        if self.weightless:
            said += f" Weighing 0: {_names(self.weightless)}."
        return said


def _names(measures: Iterable[Measure]) -> str:
    return ", ".join(measure.name for measure in measures)


def overall(judged: Iterable[tuple[Figure, Targets]]) -> Score:
    """The score of a side's share figures of one quarter, each with the targets that apply."""
    parts, too_few, weightless, total = [], [], [], 0
    weighted_targets = []
    for figure, targets in judged:
        total += 1
        percent = figure.percent
        if percent is None:
            too_few.append(figure.measure)
        elif targets.weight == 0:
            weightless.append(figure.measure)
        else:
            parts.append(Part(figure.measure, targets.weight, percent))
            weighted_targets.append(targets)
    if not parts:
        return Score((), tuple(too_few), tuple(weightless), total, None, None, None)
    weights = sum(part.weight for part in parts)

    def mean(values: Iterable[int]) -> int:
        return half_up(
            Fraction(sum(part.weight * value for part, value in zip(parts, values, strict=True)), weights)
        )

    percent = mean(part.percent for part in parts)
    targets = Targets(
        target=mean(t.target for t in weighted_targets),
        amber=mean(t.amber for t in weighted_targets),
        red=mean(t.red for t in weighted_targets),
        weight=weights,
    )
    return Score(
        tuple(parts), tuple(too_few), tuple(weightless), total, percent, targets, judge(percent, targets)
    )

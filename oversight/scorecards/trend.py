"""A share measure's trend over the five quarters shown: a word and a small line to draw.

The word compares this quarter's whole percentage with the mean of the earlier quarters'
(only those with enough records): `STEADY_POINTS` or more above is "improving", as many or more
below is "falling", anything between is "steady". No word when this quarter has too few records
or no earlier quarter has enough. The line (server-drawn SVG, `scorecards/_sparkline.html`) runs
oldest to newest on a 0–100 % scale, broken where a quarter has too few records, with the target
drawn across it; its text alternative says every point in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .measures import Figure
from .measures.base import half_up
from .targets import Band, Targets, judge

STEADY_POINTS = 5
WIDTH, HEIGHT, PAD = 120, 44, 5

IMPROVING, FALLING, STEADY = "improving", "falling", "steady"


def _x(index: int, count: int) -> float:
    return round(PAD + index * (WIDTH - 2 * PAD) / max(count - 1, 1), 1)


def _y(percent: int) -> float:
    return round(PAD + (100 - percent) * (HEIGHT - 2 * PAD) / 100, 1)


@dataclass(frozen=True)
class Point:
    label: str
    percent: int
    x: float
    y: float
    band: Band | None


@dataclass(frozen=True)
class Trend:
    word: str | None
    points: tuple[Point, ...]  # the quarters with enough records, oldest first
    segments: tuple[str, ...]  # SVG polyline `points` of each unbroken run
    target_y: float
    text: str
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def last(self) -> Point | None:
        return self.points[-1] if self.points else None


def word(now: int | None, earlier: Sequence[int]) -> tuple[str | None, Fraction | None]:
    """The trend word and the mean it compared with (None, None: nothing to compare)."""
    if now is None or not earlier:
        return None, None
    mean = Fraction(sum(earlier), len(earlier))
    if now - mean >= STEADY_POINTS:
        return IMPROVING, mean
    if mean - now >= STEADY_POINTS:
        return FALLING, mean
    return STEADY, mean


def trend(figures: Sequence[Figure], targets: Targets) -> Trend:
    """The trend of one measure's `figures` (this quarter first, as the Health tab holds them)."""
    oldest_first = [(figure.quarter.label, figure.percent) for figure in reversed(figures)]
    return trend_of(figures[0].measure.name, oldest_first, targets)


def trend_of(name: str, oldest_first: Sequence[tuple[str, int | None]], targets: Targets) -> Trend:
    """The trend of the measure `name` over (quarter label, whole percentage or None for too few)
    pairs, oldest first: what a stored business review pack keeps of its figures."""
    percents = [percent for _, percent in oldest_first]
    count = len(oldest_first)
    points, segments, run = [], [], []
    for index, (label, percent) in enumerate(oldest_first):
        if percent is None:
            if len(run) > 1:
                segments.append(" ".join(run))
            run = []
            continue
        point = Point(label, percent, _x(index, count), _y(percent), judge(percent, targets))
        points.append(point)
        run.append(f"{point.x},{point.y}")
    if len(run) > 1:
        segments.append(" ".join(run))
    said, mean = word(percents[-1], [p for p in percents[:-1] if p is not None])
    quarters = ", ".join(
        f"{label} {'too few records' if percent is None else f'{percent} %'}"
        for label, percent in oldest_first
    )
    text = f"{name} by quarter, oldest first: {quarters}; target {targets.target} %."
    if said is None:
        text += " No trend: too few records to compare."
    else:
        text += f" {said.capitalize()}: this quarter against a mean of {half_up(mean)} % before."
    return Trend(said, tuple(points), tuple(segments), _y(targets.target), text)

"""What a measure is, and the shapes every measure's computation shares.

A measure computes over a `Scope`: a set of projects and the quarters shown. It reads its rows
for all of them with one query (only the columns it needs, each row carrying its project id) and
returns `Records`: for each (project id, quarter), one `Record` per thing counted, whether it was
kept (on time, within the agreed time, …) and its sample (slip in days, hours to answer, …).
`tally` turns those into stored counts; the figure's details ("median 3.0 hours") are computed
from the samples by the measure's `describe`, so a roll-up over many projects describes its
samples the same way. One query per measure for 500 projects or for one: the workers refresh
every project set-based, and the Health tab of one project costs what it costs for any.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from portal.core.business_time import BusinessCalendar

from ..quarters import Quarter, bucket

MIN_RECORDS = 3

# Who a measure is about.
CDMO = "cdmo"
SPONSOR = "sponsor"
BOTH = "both"

# How a measure reads: the share of records kept, or a count of records.
SHARE = "share"
COUNT = "count"


@dataclass(frozen=True)
class ProjectFacts:
    """What the measures need to know of each project in scope (read once for all)."""

    id: int
    sponsor_id: int
    cdmo_id: int
    start_date: dt.date
    update_cadence_days: int
    sponsor_calendar: BusinessCalendar
    cdmo_calendar: BusinessCalendar


@dataclass(frozen=True)
class Scope:
    projects: dict[int, ProjectFacts]
    quarters: list[Quarter]
    now: dt.datetime

    @property
    def ids(self) -> list[int]:
        return list(self.projects)

    @property
    def first_day(self) -> dt.date:
        return min(q.start for q in self.quarters)

    @property
    def last_day(self) -> dt.date:
        return max(q.end for q in self.quarters)

    @property
    def starts_at(self) -> dt.datetime:
        return min(q.starts_at() for q in self.quarters)

    @property
    def ends_before(self) -> dt.datetime:
        return max(q.ends_before() for q in self.quarters)

    def bucket(self, day: dt.date) -> Quarter | None:
        return bucket(self.quarters, day)


Ref = tuple[str, int]


@dataclass(frozen=True)
class Record:
    """One thing a measure counts: kept or not, and its sample (None: nothing to sample).

    A measure whose details need two figures of each record gives a tuple, the same length for
    every record of that measure: the stored samples run flat, record after record, and its
    `describe` reads them back in strides (a roll-up concatenates whole records, so the strides
    hold)."""

    kept: bool
    sample: float | tuple[float, ...] | None = None
    # What was counted, for the evidence page (`..evidence`): its kind and primary key ("milestone",
    # 12), and the day it counts by (UTC). Never stored, never compared: a tally is the same
    # without them. A cadence period missed has no object, only its due date (`ref` None).
    ref: Ref | None = field(default=None, compare=False)
    on: dt.date | None = field(default=None, compare=False)
    # The agreed term the record was judged with, for the evidence page's words (on-time
    # delivery: the working agreement's tolerance in days; No surprises: the notice of a slip
    # required, in days). Never stored either.
    allowance: int | None = field(default=None, compare=False)

    @property
    def samples(self) -> tuple[float, ...]:
        if self.sample is None:
            return ()
        return self.sample if isinstance(self.sample, tuple) else (self.sample,)


Records = dict[tuple[int, Quarter], list[Record]]


def records() -> Records:
    return defaultdict(list)


@dataclass(frozen=True)
class Tally:
    """A measure's counts over one project (or a roll-up of many) and one quarter."""

    n: int = 0
    kept: int = 0
    samples: tuple[float, ...] = ()

    @classmethod
    def of(cls, counted: Iterable[Record]) -> Tally:
        counted = list(counted)
        return cls(
            n=len(counted),
            kept=sum(1 for record in counted if record.kept),
            samples=tuple(sample for record in counted for sample in record.samples),
        )

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.n + other.n, self.kept + other.kept, self.samples + other.samples)


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    side: str
    definition: str
    units: tuple[str, str]  # ("milestone", "milestones")
    compute: Callable[[Scope], Records] = field(compare=False, repr=False)
    describe: Callable[[Sequence[float]], tuple[str, ...]] = field(
        default=lambda samples: (), compare=False, repr=False
    )
    kind: str = SHARE
    # The evidence page: the heading of each record's date ("Completed", "Needed by"), the words
    # for kept and not kept, and one record's sample read in words ("slip 5 days").
    dated: str = "Date"
    verdicts: tuple[str, str] = ("on time", "late")
    explain: Callable[[Record], str] = field(default=lambda record: "", compare=False, repr=False)

    def unit(self, count: int) -> str:
        return self.units[0] if count == 1 else self.units[1]


def n_days(count: float) -> str:
    """ "1 day", "5 days", "2.5 days": a record's sample in words (`Measure.explain`)."""
    return f"{count:g} day" if count == 1 else f"{count:g} days"


def n_hours(count: float) -> str:
    """ "1.0 hour", "3.5 hours"."""
    return f"{count:.1f} hour" if round(count, 1) == 1 else f"{count:.1f} hours"


def half_up(value: Fraction) -> int:
    """A non-negative exact value rounded to a whole number, half up (12.5 -> 13), as shown."""
    return int(value + Fraction(1, 2))


@dataclass(frozen=True)
class Figure:
    """One measure over one quarter: its tally, read as a share (0..1) and details."""

    measure: Measure
    quarter: Quarter
    tally: Tally
    # A roll-up's details as the workers wrote them (`RolledUpTally.details`): its tally then
    # carries no samples. None: read them from the tally's samples.
    described: tuple[str, ...] | None = field(default=None, compare=False)

    @property
    def n(self) -> int:
        return self.tally.n

    @property
    def too_few(self) -> bool:
        return self.measure.kind == SHARE and self.n < MIN_RECORDS

    @property
    def share(self) -> float | None:
        if self.measure.kind != SHARE or not self.n:
            return None
        return self.tally.kept / self.n

    @property
    def details(self) -> tuple[str, ...]:
        if self.too_few:
            return ()
        if self.described is not None:
            return self.described
        return self.measure.describe(self.tally.samples)

    @property
    def percent(self) -> int | None:
        """The whole percentage shown, rounded half up exactly (23 of 40, 57.5 %, is 58; a float
        would give 57); the one colours, scores and trends judge. None: too few, or a count.
        In integers: floor(100 kept / n + 1/2) = (200 kept + n) // 2n (a drill-down reads 600)."""
        if self.measure.kind != SHARE or self.too_few or not self.n:
            return None
        return (200 * self.tally.kept + self.n) // (2 * self.n)

    @property
    def display(self) -> str:
        if self.measure.kind == COUNT:
            return str(self.n)
        percent = self.percent
        return "too few to measure" if percent is None else f"{percent} %"

    @property
    def n_label(self) -> str:
        """ "n = 14 milestones" under a share; under a count, which is its own n, what it counts
        ("3", "recognitions")."""
        if self.measure.kind == COUNT:
            return self.measure.unit(self.n)
        return f"n = {self.n} {self.measure.unit(self.n)}"

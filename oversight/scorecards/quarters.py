"""Calendar quarters, in UTC: the periods every scorecard figure is read over.

UTC for everyone, so the sponsor in California and the CDMO in Berlin see the same figures
whatever time zone each has set."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

SLUG = re.compile(r"(\d{4})-q([1-4])")


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: `start` (its first day) to `end` (its last day), both included."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return self.following().start - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    @property
    def slug(self) -> str:
        """ "2026-q3": the quarter in a URL (the evidence page)."""
        return f"{self.year}-q{self.number}"

    @classmethod
    def from_slug(cls, text: str) -> Quarter | None:
        """The quarter a `slug` names, or None for anything else."""
        match = SLUG.fullmatch(text)
        return cls(int(match[1]), int(match[2])) if match else None

    @property
    def span(self) -> str:
        """ "1 Jan – 31 Mar 2026"."""
        return f"{self.start:%-d %b} – {self.end:%-d %b %Y}"

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def following(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def contains(self, day: dt.date) -> bool:
        # Without building `start` and `end`: the refresh asks this of every record it reads.
        return day.year == self.year and (day.month - 1) // 3 + 1 == self.number

    def starts_at(self) -> dt.datetime:
        """The quarter's first instant (UTC)."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC)

    def ends_before(self) -> dt.datetime:
        """The first instant after the quarter (UTC)."""
        return self.following().starts_at()


def utc_date(at: dt.datetime) -> dt.date:
    return at.astimezone(dt.UTC).date()


def last_quarters(today: dt.date, count: int = 5) -> list[Quarter]:
    """The quarter holding `today` and the `count - 1` before it, this quarter first."""
    quarters = [Quarter.of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


def bucket(quarters: list[Quarter], day: dt.date) -> Quarter | None:
    """The quarter of `quarters` that holds `day`, or None."""
    quarter = Quarter.of(day)
    return quarter if quarter in quarters else None

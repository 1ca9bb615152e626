"""No surprises stores two samples a milestone (days of notice, forecast moves): stored and rolled
up whole, its details read the same from a project's figure and from a relationship's."""

import datetime as dt

import pytest
import time_machine

from oversight.scorecards import tasks
from oversight.scorecards.measures import NO_SURPRISES, Figure, Tally
from oversight.scorecards.models import ProjectFigure, RelationshipFigure
from oversight.scorecards.quarters import Quarter
from tests.factories.organizations import CDMOFactory, SponsorFactory
from tests.factories.projects import staff_project

from .helpers import milestone

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)  # Q4 2026
Q3 = Quarter(2026, 3)
d = dt.date


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_pairs_survive_storage_and_the_roll_up(db):
    sponsor, cdmo = SponsorFactory(), CDMOFactory()
    first = staff_project(sponsor=sponsor, cdmo=cdmo, start_date=d(2026, 1, 5))
    second = staff_project(sponsor=sponsor, cdmo=cdmo, start_date=d(2026, 1, 5))
    # First: 30 days' notice (1 move), 0 (no move), 5 days (2 moves).
    milestone(first, d(2026, 8, 31), (d(2026, 8, 1), d(2026, 9, 14)), done=d(2026, 9, 12))
    milestone(first, d(2026, 7, 20), done=d(2026, 7, 25))
    milestone(
        first,
        d(2026, 9, 15),
        (d(2026, 9, 1), d(2026, 9, 12)),
        (d(2026, 9, 10), d(2026, 9, 30)),
        done=d(2026, 9, 29),
    )
    # Second: 60 days' notice with 3 moves (a move earlier, then past the baseline, then further).
    milestone(
        second,
        d(2026, 9, 30),
        (d(2026, 7, 1), d(2026, 9, 25)),
        (d(2026, 8, 1), d(2026, 10, 10)),
        (d(2026, 8, 20), d(2026, 10, 20)),
        done=d(2026, 10, 19),
    )
    tasks.refresh_all()

    row = ProjectFigure.objects.get(project=first, measure=NO_SURPRISES.key, quarter=Q3.start)
    # Flat, a pair a milestone (in the order read: by milestone id).
    assert (row.n, row.kept, list(row.samples)) == (3, 1, [30, 1, 0, 0, 5, 2])
    project_figure = Figure(NO_SURPRISES, Q3, Tally(row.n, row.kept, tuple(row.samples)))
    # Notice 30, 0, 5: median 5; moves 1, 0, 2: mean 1.0.
    assert project_figure.details == ("median 5 days' notice", "1.0 forecast moves per milestone")

    pair = RelationshipFigure.objects.get(
        sponsor=sponsor, cdmo=cdmo, measure=NO_SURPRISES.key, quarter=Q3.start
    )
    rolled = Figure(NO_SURPRISES, Q3, Tally(pair.n, pair.kept, tuple(pair.samples)))
    # Both projects: 2 of 4 kept (30 and 60 days); notice 0, 5, 30, 60: median 17.5; moves
    # 1, 0, 2, 3: mean 1.5.
    assert (pair.projects, rolled.n, rolled.tally.kept, rolled.display) == (2, 4, 2, "50 %")
    assert rolled.details == ("median 17.5 days' notice", "1.5 forecast moves per milestone")

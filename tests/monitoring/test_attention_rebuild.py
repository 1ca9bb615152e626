"""The stored attention figures, and the flag tallies of the dashboard's panels, always equal a
fresh recompute (issue 13).

A seeded random series of real operations through the services, with the clock moving on:
status updates published in every colour, milestones added, slipped and done, service issues
raised, breached by the sweep and closed, flags raised and cleared by sweeps and rechecks,
projects added. After every step each stored row must equal what `live_attention` says now.
"""

import datetime as dt
import random

import pytest
import time_machine

from oversight.monitoring.attention import live_figures
from oversight.monitoring.models import ProjectAttention
from oversight.monitoring.services import sweep
from oversight.monitoring.tally import live_tallies, stored_tallies
from portal.core import clock
from projects.models import Milestone, MilestoneKind, MilestoneStatus, Project
from tests.monitoring.attention_helpers import stored_codes, stored_figures
from tests.monitoring.story import START, Story, make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_operations_keep_every_stored_row_equal_to_a_recompute(world, seed):
    rng = random.Random(seed)
    story = Story(rng, world)
    done, seen = [], []
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(80):
            traveller.shift(dt.timedelta(hours=rng.choice([0, 1, 3, 9, 26, 50])))
            done.append(story.step())
            if len(done) % 20 == 0:  # outside the seeded choices, which stay as they were
                story.rename(story.projects[len(done) % len(story.projects)])
                done.append("rename")
            stored = stored_figures()
            assert stored == live_figures(), done
            assert stored_codes() == dict(Project.objects.values_list("pk", "code")), done
            assert stored_tallies() == live_tallies(), done
            seen += stored.values()
        sweep(now=clock.now())
    assert stored_figures() == live_figures()
    hours, open_counts = stored_tallies()
    assert (hours, open_counts) == live_tallies()
    assert sum(cleared for _raised, cleared in hours.values()) > 0 and sum(open_counts.values()) > 0
    assert ProjectAttention.objects.count() == len(story.projects)
    # The story went somewhere: every figure took a value other than nothing on the way.
    assert {row["overall"] for row in seen} >= {None, "green", "amber", "red"}
    for figure in ("critical_flags", "warning_flags", "breached_issues", "worst_slip", "score"):
        assert max(row[figure] for row in seen) > 0, figure
    assert any(row["decision_maker_flagged"] for row in seen)


def test_a_milestone_saved_by_hand_is_counted_too(world):
    """Any save of a source row refreshes, not only the services' (the admin, a shell)."""
    project = world["projects"][0]
    milestone = Milestone.objects.create(
        project=project,
        kind=MilestoneKind.ENGINEERING_BATCH,
        title="EB-01",
        baseline_date=dt.date(2026, 12, 1),
        forecast_date=dt.date(2026, 12, 29),
    )
    assert ProjectAttention.objects.get(project=project).worst_slip == 28
    milestone.status = MilestoneStatus.CANCELLED
    milestone.save()
    assert ProjectAttention.objects.get(project=project).worst_slip == 0

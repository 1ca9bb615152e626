"""What the issue lists show as an issue's next deadline comes from issues.workflow.next_step."""

import datetime as dt
from types import SimpleNamespace

import pytest

from issues.models import IssueStatus
from issues.workflow import next_step

TODAY = dt.date(2026, 12, 3)
DUE = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def issue(status, **fields):
    defaults = {
        "acknowledge_by": DUE,
        "plan_by": DUE + dt.timedelta(days=2),
        "plan_target": None,
        "closed_at": None,
    }
    return SimpleNamespace(status=status, **{**defaults, **fields})


@pytest.mark.parametrize(
    ("status", "deadline", "label"),
    [
        (IssueStatus.OPEN, DUE, "Acknowledgement by"),
        (IssueStatus.ACKNOWLEDGED, DUE + dt.timedelta(days=2), "Resolution plan by"),
    ],
)
def test_a_running_clock_is_the_next_deadline(status, deadline, label):
    step = next_step(issue(status), TODAY)

    assert (step.deadline, step.deadline_label) == (deadline, label)


@pytest.mark.parametrize(("target", "passed"), [(TODAY - dt.timedelta(days=1), True), (TODAY, False)])
def test_an_accepted_plan_shows_its_target_and_whether_it_passed(target, passed):
    step = next_step(issue(IssueStatus.PLAN_ACCEPTED, plan_target=target), TODAY)

    assert (step.text, step.target_date, step.target_passed, step.deadline) == (
        "Plan in progress",
        target,
        passed,
        None,
    )


def test_the_other_statuses_say_who_the_issue_waits_for():
    closed_at = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)

    assert next_step(issue(IssueStatus.PLAN_PROPOSED), TODAY).text == "Plan waiting for the sponsor"
    assert next_step(issue(IssueStatus.RESOLVED), TODAY).text == "Waiting for the sponsor to confirm"
    closed = next_step(issue(IssueStatus.CLOSED, closed_at=closed_at), TODAY)
    assert (closed.closed, closed.closed_at, closed.deadline) == (True, closed_at, None)

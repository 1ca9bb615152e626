"""Recognition given and received: a count a quarter, the same for both sides."""

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from issues.models import Recognition
from issues.recognition import Target
from issues.services.recognition import recognition_give
from oversight.scorecards.measures import RECOGNITION
from projects.models import StatusUpdate, TeamRole
from projects.selectors import access_for
from tests.factories.projects import staff_project

from .helpers import QUARTERS, UTC, measured, member, published

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
at = dt.datetime


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 1, 5))


def kudos(project, given_at, *, recipient=None, by=TeamRole.SPONSOR_LEAD):
    """A recognition of a new published update (one per person and target)."""
    update = published(project, given_at - dt.timedelta(hours=1))
    return Recognition.objects.create(
        project=project,
        given_by=member(project, by),
        recipient=recipient,
        note="Clear and early.",
        target_type=ContentType.objects.get_for_model(StatusUpdate),
        target_id=update.pk,
        target_label=str(update),
        given_at=given_at,
    )


def test_recognitions_are_counted_in_the_utc_quarter_they_were_given(project):
    pm = member(project, TeamRole.PROJECT_MANAGER)
    # Q3: three, one naming the project manager; the last at 23:30 UTC on 30 September.
    kudos(project, at(2026, 7, 2, 15, tzinfo=UTC), recipient=pm)
    kudos(project, at(2026, 8, 20, 15, tzinfo=UTC), by=TeamRole.DECISION_MAKER)
    kudos(project, at(2026, 9, 30, 23, 30, tzinfo=UTC))
    # Q4: one, given through the service, naming the project manager.
    update = published(project, at(2026, 11, 2, 9, tzinfo=UTC))
    with time_machine.travel(at(2026, 11, 3, 9, tzinfo=UTC), tick=False):
        recognition_give(
            access=access_for(user=member(project, TeamRole.SPONSOR_LEAD), project=project),
            target=Target(label="projects.statusupdate", obj=update),
            note="The deviation was explained before we asked.",
            recipient=pm,
            notify=False,
        )
    # Another project's.
    kudos(staff_project(start_date=dt.date(2026, 1, 5)), at(2026, 8, 3, 15, tzinfo=UTC))

    figures = measured(RECOGNITION, project, QUARTERS)
    q3, q4 = figures[Q3], figures[Q4]
    assert (q3.n, q3.display, q3.n_label, q3.too_few, q3.share) == (3, "3", "recognitions", False, None)
    assert q3.details == ("1 naming a person",)
    assert (q4.n, q4.display, q4.n_label, q4.details) == (1, "1", "recognition", ("1 naming a person",))


def test_a_quarter_without_recognition_reads_0_not_too_few(project):
    figures = measured(RECOGNITION, project, QUARTERS)
    for quarter in QUARTERS:
        figure = figures[quarter]
        assert (figure.n, figure.display, figure.n_label, figure.details) == (0, "0", "recognitions", ())

"""The demo data for milestones and status updates: realistic, varied, and idempotent."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from demo import projects as demo
from demo.world import seed_people_and_projects
from projects.models import (
    DecisionRequest,
    Milestone,
    MilestoneForecastChange,
    Project,
    StatusUpdate,
    UpdateAcknowledgement,
    UpdateComment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher"
    ]  # the demo people sign in with it
    world = seed_people_and_projects()
    demo.seed(world)
    return world


def _counts():
    return tuple(
        model.objects.count()
        for model in (
            Milestone,
            MilestoneForecastChange,
            StatusUpdate,
            DecisionRequest,
            UpdateAcknowledgement,
            UpdateComment,
        )
    )


def test_demo_is_idempotent(seeded):
    before = _counts()
    demo.seed(seeded)
    assert _counts() == before


@pytest.mark.clock
def test_demo_updates_tell_their_story_at_any_instant(seeded):
    """One seed per instant (the demo is slow to build), checked three ways."""
    _holds_months_of_varied_updates()
    _has_slips_with_reasons_and_questions_answered_and_open()
    _acknowledges_most_but_not_all_updates_and_has_a_stale_project()


def _holds_months_of_varied_updates():
    flagship = Project.objects.get(code="ACM-101")
    published = flagship.status_updates.visible_record().order_by("period_end")
    assert published.count() >= 20
    assert (published.last().period_end - published.first().period_end).days >= 90
    rags = set(StatusUpdate.objects.values_list("overall_rag", flat=True))
    assert {"green", "amber", "red"} <= rags
    assert (
        StatusUpdate.objects.filter(overall_rag="green").count()
        > StatusUpdate.objects.exclude(overall_rag="green").count()
    )
    correction = StatusUpdate.objects.get(project=flagship, revision_number=2)
    assert correction.revision_of.status == "superseded" and correction.correction_reason
    assert StatusUpdate.objects.filter(status="draft").count() == 1


def _has_slips_with_reasons_and_questions_answered_and_open():
    assert Milestone.objects.filter(forecast_date__gt=F("baseline_date")).exists()
    assert (
        MilestoneForecastChange.objects.exclude(reason="").count()
        == MilestoneForecastChange.objects.count()
        > 10
    )
    questions = UpdateComment.objects.filter(kind="question")
    answered = questions.filter(answered_at__isnull=False)
    assert answered.count() >= 10
    took = {q.answered_at - q.created_at for q in answered}
    assert min(took) < datetime.timedelta(hours=4) and max(took) > datetime.timedelta(days=2)
    open_questions = questions.filter(answered_at__isnull=True)
    assert open_questions.count() >= 2
    assert any(q.respond_by < timezone.now() for q in open_questions)  # one is overdue
    assert any(q.respond_by > timezone.now() for q in open_questions)
    assert UpdateComment.objects.filter(is_internal=True).exists()
    assert {"open", "decided"} <= set(DecisionRequest.objects.values_list("status", flat=True))


def _acknowledges_most_but_not_all_updates_and_has_a_stale_project():
    records = StatusUpdate.objects.filter(status="published")
    acknowledged = records.filter(acknowledgements__isnull=False).distinct().count()
    assert records.count() * 0.6 < acknowledged < records.count()
    stale = Project.objects.get(code=demo.STALE_PROJECT)
    assert timezone.now() - stale.last_update_published_at > datetime.timedelta(days=20)
    assert stale.next_update_due < timezone.localdate()
    fresh = Project.objects.get(code="ACM-101")
    assert timezone.now() - fresh.last_update_published_at < datetime.timedelta(days=8)

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Event

from portal.accounts.models import User
from portal.core.history import describe_events, history_events
from portal.organizations.models import Organization, OrganizationKind
from portal.signatures.models import Signature
from projects.models import AgreementStatus, Project, ProjectMember, TeamRole, WorkingAgreement
from tests.demo_story import assert_dashboard_story, assert_meeting_history

# Deadlines and schedules: the only moments the demo may put after now.
AHEAD_OF_NOW = {"starts_at", "respond_by", "acknowledge_by", "plan_by", "expires_at", "email_next_attempt_at"}
DEMO_APPS = (
    "accounts",
    "organizations",
    "core",
    "projects",
    "meetings",
    "issues",
    "monitoring",
    "notifications",
)


def _demo_models():
    """Every model the demo writes (history events aside: pghistory keeps its own record)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in DEMO_APPS and not issubclass(model, Event)
    ]


def _counts():
    return {model.__name__: model.objects.count() for model in _demo_models()}


@pytest.mark.django_db
def test_seed_demo_builds_the_world_once_prints_logins_and_signs_its_history(client):
    """One seed checked three ways (the demo is slow to build): what it holds, that seeding again
    adds nothing, and whom the history names. The story it tells is checked at every clock
    instant below."""
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Organization.objects.filter(kind=OrganizationKind.CDMO).count() == 2
    assert Organization.objects.filter(kind=OrganizationKind.SPONSOR).count() == 4
    assert Project.objects.count() == 12
    assert len({p.phase for p in Project.objects.all()}) >= 4
    printed = out.getvalue()
    for login in ("lead@acme.example.com", "pm@northbridge.example.com", "exec@northbridge.example.com"):
        assert login in printed
        assert User.objects.get(email=login).check_password("portal-demo-2026")
    # One project lacks a decision-maker, so the red flags have something true to say.
    assert Project.objects.exclude(members__role=TeamRole.DECISION_MAKER).count() == 1

    # The demo projects run on a working agreement both leads signed at kickoff.
    in_force = WorkingAgreement.objects.filter(status=AgreementStatus.IN_FORCE)
    assert in_force.count() >= 6
    assert (
        not in_force.filter(sponsor_signed_by=None).exists()
        and not in_force.filter(cdmo_signed_by=None).exists()
    )
    assert Signature.objects.filter(action="projects.agreement_sign").count() == 2 * in_force.count()
    # The flagship's agreement also agrees scorecard terms (signed with the rest).
    flagship = in_force.get(project__code="ACM-101")
    assert (flagship.on_time_tolerance_days, flagship.scorecard_targets, flagship.slip_notice_days) == (
        3,
        {"on_time": [92, 85, 70]},
        21,
    )

    # Seeding again adds nothing anywhere: no meeting, flag, notice, update or signature twice.
    before = _counts()
    assert before["Meeting"] and before["Flag"] and before["ServiceIssue"] and before["StatusUpdate"]
    call_command("seed_demo", "--quiet")
    assert _counts() == before

    # The history tab says the demo data loader made the backstory.
    project = Project.objects.get(code="ACM-101")
    client.force_login(User.objects.get(email="lead@acme.example.com"))
    page = client.get(reverse("projects:history", args=[project.pk]))
    assert "Demo data loader" in page.content.decode()
    # Each service's own reason, not the last thing the loader happened to do.
    entries = describe_events(list(history_events(obj=project, sees_internal=False)))
    assert {e.actor for e in entries} == {"Demo data loader"}
    reasons = {e.reason for e in entries}
    assert {"Critical service issue raised", "Monitoring: Decision-maker absent from governance"} <= reasons


@pytest.mark.django_db
def test_seed_demo_scales_up_for_benchmarks():
    call_command("seed_demo", "--projects", "15", "--quiet")
    assert Project.objects.count() == 15
    assert ProjectMember.objects.filter(project__code__startswith="GEN-").count() == 3 * 4
    call_command("seed_demo", "--projects", "15", "--quiet")
    assert Project.objects.count() == 15


@pytest.mark.clock
@pytest.mark.django_db
def test_demo_tells_its_story_and_records_nothing_after_the_moment_it_is_seeded(client):
    """Whatever the hour it is seeded at, the meeting history and the dashboard tell their story,
    and nothing the demo shows as done happens in the future (minutes confirmed tomorrow, an
    invitation sent next week, a notification read in an hour). One seed per instant: the demo
    tests at the real time check that seeding twice adds nothing."""
    call_command("seed_demo", "--quiet")
    assert_meeting_history()
    assert_dashboard_story(client)
    now = timezone.now()
    in_future = []
    for model in _demo_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.DateTimeField) and field.name not in AHEAD_OF_NOW:
                rows = model.objects.filter(**{f"{field.name}__gt": now})
                in_future += [f"{model.__name__}.{field.name} {row.pk}" for row in rows[:3]]
    assert not in_future

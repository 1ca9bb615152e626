"""Helpers for meeting tests: a staffed project, access objects, a meeting run through its life."""

import datetime

import pytest
from django.utils import timezone

from meetings import services
from projects.selectors import get_project_for_user


def access(user, project):
    return get_project_for_user(user=user, project_id=project.pk)[1]


@pytest.fixture
def team(project, sponsor_lead, decision_maker, cdmo_pm, cdmo_sme):
    """The standing team of the shared `project` fixture, by role."""
    return {"lead": sponsor_lead, "dm": decision_maker, "pm": cdmo_pm, "sme": cdmo_sme}


@pytest.fixture
def schedule(project, team, django_capture_on_commit_callbacks):
    """Schedule a meeting as the CDMO PM (invitations run through the real task, eagerly)."""

    def _schedule(
        *,
        by=None,
        kind="weekly",
        starts_at=None,
        invite=("lead", "dm", "sme"),
        guests=(),
        without_decision_maker=False,
        **fields,
    ):
        organizer = by or team["pm"]
        specs = [services.InviteeSpec(user=team[name]) for name in invite]
        specs += [services.InviteeSpec(guest_email=email, guest_name=name) for name, email in guests]
        with django_capture_on_commit_callbacks(execute=True):
            return services.meeting_schedule(
                access=access(organizer, project),
                kind=kind,
                title=fields.pop("title", "Weekly project call"),
                starts_at=starts_at or timezone.now() + datetime.timedelta(days=2),
                duration_minutes=fields.pop("duration_minutes", 60),
                video_url=fields.pop("video_url", "https://teams.example.com/l/weekly"),
                location=fields.pop("location", ""),
                invitees=specs,
                without_decision_maker=without_decision_maker,
            )

    return _schedule

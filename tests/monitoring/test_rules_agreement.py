"""The working agreement's terms, live: its governance rhythm kept, its escalation contacts still
on the team (issue 14). Raised when true, cleared when not, with time moving on."""

import datetime as dt

import pytest
import time_machine

from meetings.models import MeetingKind, MeetingStatus
from oversight.monitoring.checks import next_checks
from oversight.monitoring.models import Flag, FlagKind, Severity
from oversight.monitoring.rules import RULES
from oversight.monitoring.rules.base import JUST_AFTER
from oversight.monitoring.services import sweep
from projects import services
from projects.models import ProjectMember, WorkingAgreement
from projects.services._in_force import put_in_force
from tests.factories.meetings import MeetingFactory, held_meeting
from tests.projects.update_helpers import access

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)  # Monday: the agreement comes into force
WEEK = dt.timedelta(weeks=1)
RHYTHM = next(rule for rule in RULES if rule.kind == FlagKind.GOVERNANCE_RHYTHM_MISSED)


def _terms(sponsor, cdmo, **overrides):
    values = {
        "update_cadence_days": 14,
        "question_response_days": 3,
        "response_hours": {"critical": [2, 6], "major": [8, 16], "minor": [24, 40]},
        "governance_every_weeks": 4,
        "governance_forum": "Joint steering committee",
        "sponsor_escalation": sponsor,
        "cdmo_escalation": cdmo,
        "escalation_steps": "Call the other side's contact within one business day.",
    }
    values.update(overrides)
    return services.AgreementTerms(**values)


def _in_force(project, sponsor, cdmo, **overrides):
    """Drafted and signed by the two leads; the escalation contacts are the leads unless overridden."""
    draft = services.agreement_draft(access=access(cdmo, project), terms=_terms(sponsor, cdmo, **overrides))
    services.agreement_sign(access=access(sponsor, project), agreement=draft)
    return services.agreement_sign(access=access(cdmo, project), agreement=draft)


def open_flags(kind):
    return list(Flag.objects.filter(kind=kind, cleared_at__isnull=True))


def _sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        sweep(notify=False)
    return open_flags(FlagKind.GOVERNANCE_RHYTHM_MISSED)


@pytest.fixture
def agreed(project, sponsor_lead, cdmo_pm):
    with time_machine.travel(T0, tick=False):
        return _in_force(project, sponsor_lead, cdmo_pm)


def test_no_agreement_no_rhythm_flag(project, sponsor_lead, cdmo_pm):
    assert _sweep_at(T0 + 30 * WEEK) == []


def test_rhythm_counted_from_the_agreement_then_from_the_last_meeting_held(project, agreed):
    assert _sweep_at(T0 + 4 * WEEK - dt.timedelta(minutes=1)) == []
    [flag] = _sweep_at(T0 + 4 * WEEK + dt.timedelta(minutes=1))
    assert flag.severity == Severity.WARNING and flag.subject_id == project.pk
    assert flag.explanation == (
        "The working agreement asks for a governance meeting (Joint steering committee) every 4 weeks; "
        "none has been held since it came into force on 5 Oct 2026 and none is scheduled."
    )

    # A meeting scheduled ahead clears it; once its start passed without being held, it is back.
    now = T0 + 5 * WEEK
    with time_machine.travel(now, tick=False):
        MeetingFactory(project=project, kind=MeetingKind.GOVERNANCE, starts_at=now + 2 * WEEK)
    assert _sweep_at(now) == []
    assert open_flags(FlagKind.GOVERNANCE_RHYTHM_MISSED) == []
    assert len(_sweep_at(now + 2 * WEEK + dt.timedelta(hours=1))) == 1

    # Held (attendance recorded) on 16 Nov: cleared for four weeks from then.
    held_at = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(held_at + dt.timedelta(hours=2), tick=False):
        held_meeting(project, starts_at=held_at, kind=MeetingKind.GOVERNANCE, status=MeetingStatus.CONFIRMED)
    assert _sweep_at(held_at + 4 * WEEK - dt.timedelta(minutes=1)) == []
    [flag] = _sweep_at(held_at + 4 * WEEK + dt.timedelta(minutes=1))
    assert "the last was held on 16 Nov 2026 and none is scheduled" in flag.explanation


def test_the_version_in_force_now_sets_the_rhythm(project, agreed, sponsor_lead, cdmo_pm):
    """v1 asks every 4 weeks; v2, in force from week 2, every 8: the clock still runs from the
    agreement's start (no reset), with v2's rhythm."""
    at = T0 + 2 * WEEK
    with time_machine.travel(at, tick=False):
        services.agreement_propose_change(
            access=access(cdmo_pm, project),
            terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=8, governance_forum=""),
            why="Monthly is too often in the quiet phase.",
            needed_by=at.date() + dt.timedelta(days=5),
        )
        put_in_force(WorkingAgreement.objects.get(project=project, number=2), now=at)
    assert _sweep_at(T0 + 4 * WEEK + dt.timedelta(hours=1)) == []
    assert _sweep_at(T0 + 8 * WEEK - dt.timedelta(minutes=1)) == []
    [flag] = _sweep_at(T0 + 8 * WEEK + dt.timedelta(minutes=1))
    assert flag.explanation.startswith("The working agreement asks for a governance meeting every 8 weeks;")
    assert "since it came into force on 5 Oct 2026" in flag.explanation


def test_rhythm_moments(project, agreed):
    now = T0 + WEEK
    assert (project.pk, T0 + 4 * WEEK + JUST_AFTER) in RHYTHM.moments(now, [project.pk])
    with time_machine.travel(now, tick=False):
        meeting = MeetingFactory(project=project, kind=MeetingKind.GOVERNANCE, starts_at=T0 + 6 * WEEK)
    moments = RHYTHM.moments(now, [project.pk])
    assert (project.pk, meeting.starts_at + JUST_AFTER) in moments
    assert next_checks(now, [project.pk])[project.pk] <= T0 + 4 * WEEK + JUST_AFTER
    # The rule's own set-based query: same answer for every project as for one.
    assert set(RHYTHM.moments(now)) >= set(moments)


def test_escalation_contact_left_the_team(project, sponsor_lead, cdmo_pm, decision_maker):
    with time_machine.travel(T0, tick=False):
        agreement = _in_force(project, sponsor_lead, cdmo_pm, sponsor_escalation=decision_maker)
    _sweep_at(T0 + dt.timedelta(days=1))
    assert open_flags(FlagKind.ESCALATION_CONTACT_LEFT) == []

    member = ProjectMember.objects.get(project=project, user=decision_maker)
    member.removed_at = T0 + dt.timedelta(days=2)
    member.save(update_fields=["removed_at"])
    cdmo_pm.is_active = False
    cdmo_pm.save(update_fields=["is_active"])
    _sweep_at(T0 + dt.timedelta(days=2, hours=1))
    [flag] = open_flags(FlagKind.ESCALATION_CONTACT_LEFT)
    assert flag.subject == agreement and flag.subject.get_absolute_url().endswith(f"/{project.pk}/agreement/")
    assert flag.explanation == (
        "Michael Ross (the sponsor's escalation contact) and Lena Hoffmann (the CDMO's escalation contact) "
        "have left the team, but the working agreement in force (version 1) still names them: "
        "propose a change to the agreement."
    )

    member.removed_at = None
    member.save(update_fields=["removed_at"])
    cdmo_pm.is_active = True
    cdmo_pm.save(update_fields=["is_active"])
    _sweep_at(T0 + dt.timedelta(days=3))
    assert open_flags(FlagKind.ESCALATION_CONTACT_LEFT) == []

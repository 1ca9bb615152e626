"""The quarter-hourly sweep evaluates only what came due, and misses nothing (issue 13).

A seeded random series of real operations through the services, with the clock moving on in
uneven steps (minutes to days, across midnights, weekends and business-day deadlines). Each
change re-evaluates its project as the worker does after commit; after every step the sweep of
what came due runs, and the open flags must then be exactly what a full evaluation of every rule
says now: same kinds, subjects, severities and explanations.
"""

import datetime as dt
import random

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import ActionItem, ActionItemStatus, MeetingKind, MeetingStatus
from oversight.monitoring import tasks
from oversight.monitoring.checks import reconcile_checks
from oversight.monitoring.models import Flag, FlagKind, ProjectCheck, Severity
from oversight.monitoring.rules import RULES
from oversight.monitoring.services import sweep, sweep_due
from portal.core import clock
from portal.core.exceptions import ServiceError
from portal.core.models import OutboxTask
from projects import services as project_services
from projects.models import (
    AgreementStatus,
    CommentKind,
    ProjectMember,
    StatusUpdate,
    TeamRole,
    UpdateComment,
    UpdateStatus,
    WorkingAgreement,
)
from projects.services._in_force import put_in_force
from tests.factories.meetings import ActionItemFactory, close_as, held_meeting
from tests.factories.projects import staff_project
from tests.monitoring.story import START, Story, _member, make_world
from tests.projects.update_helpers import published_update


def open_flags() -> dict:
    return {
        (flag.kind, flag.subject_id): (flag.severity, flag.explanation)
        for flag in Flag.objects.filter(cleared_at__isnull=True)
    }


def full_evaluation(now) -> dict:
    """What a full sweep would leave open now: every rule's findings over every project."""
    return {
        (rule.kind, finding.subject_id): (finding.severity, finding.explanation[:400])
        for rule in RULES
        for finding in rule.findings(now)
    }


class TimedStory(Story):
    """The attention story, and the things with clocks: questions, meetings and their minutes,
    action items. Every step ends as a committed change does: the re-evaluation of each project
    it asked for runs, as the worker runs it."""

    def __init__(self, rng, world):
        super().__init__(rng, world)
        self.outbox_seen = OutboxTask.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def _latest_update(self, project):
        return (
            StatusUpdate.objects.filter(project=project, status=UpdateStatus.PUBLISHED)
            .order_by("-published_at")
            .first()
        )

    def ask(self, project):
        update = self._latest_update(project)
        if update is None:
            return self.publish(project)
        project_services.comment_post(
            access=self._access(TeamRole.SPONSOR_LEAD, project),
            update=update,
            body="When is the batch record due?",
            kind=CommentKind.QUESTION,
        )

    def answer(self, project):
        question = (
            UpdateComment.objects.filter(
                update__project=project, kind=CommentKind.QUESTION, answered_at__isnull=True
            )
            .order_by("pk")
            .first()
        )
        if question is None:
            return self.ask(project)
        project_services.question_answer(
            access=self._access(TeamRole.PROJECT_MANAGER, project), question=question, body="Friday."
        )

    def schedule_governance(self, project):
        """A governance meeting ahead, sent without the decision-maker: flagged until it starts."""
        self.counter += 1
        meeting_services.meeting_schedule(
            access=self._access(TeamRole.PROJECT_MANAGER, project),
            kind=MeetingKind.GOVERNANCE,
            title=f"Steering {self.counter}",
            starts_at=timezone.now() + dt.timedelta(hours=self.rng.randint(2, 60)),
            duration_minutes=60,
            location="Board room",
            without_decision_maker=True,
        )

    def hold_meeting(self, project):
        """A meeting held hours ago, its minutes drafted or already sent (their clocks running)."""
        status = self.rng.choice([MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_SENT])
        held_meeting(
            project,
            starts_at=timezone.now() - dt.timedelta(hours=self.rng.randint(1, 40)),
            status=status,
            kind=MeetingKind.GOVERNANCE,
            absent_roles=self.rng.choice([(), (TeamRole.DECISION_MAKER,)]),
        )

    def send_minutes(self, project):
        meeting = project.meetings.filter(status=MeetingStatus.MINUTES_DRAFT).order_by("pk").first()
        if meeting is None:
            return self.hold_meeting(project)
        meeting_services.meeting_close_minutes(
            access=self._access(TeamRole.PROJECT_MANAGER, project), meeting=meeting
        )

    def confirm_minutes(self, project):
        meeting = project.meetings.filter(status=MeetingStatus.MINUTES_SENT).order_by("pk").first()
        if meeting is None:
            return self.hold_meeting(project)
        meeting_services.meeting_confirm_minutes(
            access=self._access(TeamRole.SPONSOR_LEAD, project), meeting=meeting
        )

    def add_action_item(self, project):
        meeting = project.meetings.filter(status=MeetingStatus.MINUTES_DRAFT).order_by("-pk").first()
        if meeting is None:  # items are added to draft minutes only
            return self.hold_meeting(project)
        ActionItemFactory(
            meeting=meeting, due_date=timezone.localdate() + dt.timedelta(days=self.rng.randint(-2, 6))
        )

    def complete_action_item(self, project):
        item = ActionItem.objects.filter(project=project, status=ActionItemStatus.OPEN).order_by("pk").first()
        if item is None:
            return self.add_action_item(project)
        meeting_services.action_item_complete(
            access=self._access(TeamRole.PROJECT_MANAGER, project), item=item
        )

    def agree(self, project):
        """A working agreement signed by both leads (a governance meeting every week or two,
        the decision-maker as the sponsor's escalation contact); with one in force, a new
        version with another rhythm comes into force (as an approved change does)."""
        lead = _member(project, TeamRole.SPONSOR_LEAD)
        pm = _member(project, TeamRole.PROJECT_MANAGER)
        contact = ProjectMember.objects.filter(
            project=project, role=TeamRole.DECISION_MAKER, removed_at__isnull=True
        ).first()
        terms = project_services.AgreementTerms(
            update_cadence_days=project.update_cadence_days,
            question_response_days=project.question_response_days,
            response_hours={"critical": [4, 8], "major": [8, 24], "minor": [16, 40]},
            governance_every_weeks=self.rng.randint(1, 2),
            governance_forum=self.rng.choice(["", "Joint steering committee"]),
            sponsor_escalation=contact.user if contact else lead,
            cdmo_escalation=pm,
            escalation_steps=f"Call the other side's contact ({self.counter}).",
        )
        self.counter += 1
        if not WorkingAgreement.objects.filter(project=project, status=AgreementStatus.IN_FORCE).exists():
            draft = project_services.agreement_draft(
                access=self._access(TeamRole.PROJECT_MANAGER, project), terms=terms
            )
            project_services.agreement_sign(
                access=self._access(TeamRole.SPONSOR_LEAD, project), agreement=draft
            )
            project_services.agreement_sign(
                access=self._access(TeamRole.PROJECT_MANAGER, project), agreement=draft
            )
        elif not WorkingAgreement.objects.filter(project=project, status=AgreementStatus.PROPOSED).exists():
            try:
                change = project_services.agreement_propose_change(
                    access=self._access(TeamRole.PROJECT_MANAGER, project),
                    terms=terms,
                    why="Another rhythm.",
                    needed_by=timezone.localdate() + dt.timedelta(days=5),
                )
            except ServiceError:  # the same terms again
                return
            put_in_force(WorkingAgreement.objects.get(change_request=change), now=clock.now())

    def nothing(self, project):
        """Only time passes."""

    STEPS = {
        "publish": 4,
        "add_milestone": 2,
        "slip": 3,
        "finish_milestone": 1,
        "raise_issue": 3,
        "progress_issue": 3,
        "remove_decision_maker": 1,
        "add_project": 1,
        "ask": 3,
        "answer": 2,
        "schedule_governance": 2,
        "hold_meeting": 2,
        "send_minutes": 2,
        "confirm_minutes": 1,
        "add_action_item": 3,
        "complete_action_item": 1,
        "raise_change": 2,
        "decide_change": 1,
        "decide": 1,
        "agree": 2,
        "nothing": 6,
    }

    def step(self):
        name = super().step()
        self.committed()
        return name

    def committed(self):
        """As after the step's commit: the re-evaluations it asked for run (the worker's task),
        and its other after-commit work is dropped (e-mails, PDFs: not what this test is about)."""
        asked = OutboxTask.objects.filter(pk__gt=self.outbox_seen).order_by("pk")
        rechecks = sorted({row.args[0] for row in asked if row.task_name == tasks.recheck_project.name})
        self.outbox_seen = max([self.outbox_seen, *[row.pk for row in asked]])
        connection.run_on_commit.clear()
        for project_id in rechecks:
            tasks.recheck_project(project_id)


@pytest.fixture
def world(db, settings):
    built = make_world()
    settings.MONITORING_RECHECK_ON_CHANGE = True
    return built


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sweeping_what_came_due_leaves_the_flags_a_full_sweep_would(world, seed):
    rng = random.Random(seed)
    story = TimedStory(rng, world)
    done, evaluated, kinds = [], [], set()
    with time_machine.travel(START, tick=False) as traveller:
        sweep_due(now=clock.now())
        for _ in range(70):
            traveller.shift(dt.timedelta(minutes=rng.choice([0, 15, 60, 180, 540, 1560, 3000])))
            done.append(story.step())
            result = sweep_due(now=clock.now())
            evaluated.append(result.evaluated)
            flags = open_flags()
            assert flags == full_evaluation(clock.now()), done
            # No project's next moment is later than a full pass of the rules says.
            assert reconcile_checks(now=clock.now()) == 0, done
            kinds |= {kind for kind, _subject in flags}
        # The nightly reconciliation finds nothing to change.
        result = sweep(now=clock.now(), notify=False)
        assert (result.raised, result.cleared, result.refreshed) == ([], 0, 0)
    # The sweep did follow what came due: often nothing, never every project every time.
    assert 0 in evaluated and max(evaluated) > 0
    assert sum(evaluated) < len(evaluated) * len(story.projects) / 2
    # And the story reached the clocks: flags that only time raises were raised on the way.
    assert {FlagKind.QUESTION_UNANSWERED, FlagKind.ACTION_ITEM_OVERDUE, FlagKind.STALE_UPDATE} <= kinds
    assert kinds & {FlagKind.MINUTES_NOT_SENT, FlagKind.MINUTES_NOT_CONFIRMED}
    assert kinds & {FlagKind.ISSUE_ACK_BREACH, FlagKind.ISSUE_PLAN_BREACH}


@pytest.fixture
def recheck_on(settings):
    settings.MONITORING_RECHECK_ON_CHANGE = True


def test_a_project_is_evaluated_when_its_moment_comes_and_not_before(db, recheck_on):
    # Days turn at midnight in the portal's zone (UTC), whatever zone an earlier test left active.
    with (
        timezone.override(dt.UTC),
        time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC), tick=False) as traveller,
    ):
        project, other = staff_project(start_date=dt.date(2026, 11, 1)), staff_project()
        published_update(project.members.get(role=TeamRole.PROJECT_MANAGER).user, project)
        published_update(other.members.get(role=TeamRole.PROJECT_MANAGER).user, other)
        meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
        item = ActionItemFactory(meeting=meeting, due_date=dt.date(2026, 11, 3))
        close_as(meeting, MeetingStatus.CONFIRMED)  # no minutes clock running
        assert sweep_due().evaluated == 2  # new projects are due at once
        assert ProjectCheck.objects.get(project=project).check_at == dt.datetime(2026, 11, 4, tzinfo=dt.UTC)
        assert sweep_due().evaluated == 0

        traveller.move_to(dt.datetime(2026, 11, 3, 23, 59, tzinfo=dt.UTC))
        assert sweep_due().evaluated == 0  # due today, not late yet
        traveller.move_to(dt.datetime(2026, 11, 4, 0, 0, tzinfo=dt.UTC))
        assert sweep_due().evaluated == 1
        (flag,) = Flag.objects.filter(kind=FlagKind.ACTION_ITEM_OVERDUE, cleared_at__isnull=True)
        assert (flag.subject_id, flag.severity) == (item.pk, Severity.WARNING)
        # Next: the day it turns critical (more than two weeks late), unless an update is due first.
        assert ProjectCheck.objects.get(project=project).check_at <= dt.datetime(2026, 11, 18, tzinfo=dt.UTC)


def test_without_rechecks_on_change_the_quarter_hourly_sweep_is_the_full_one(db, settings):
    settings.MONITORING_RECHECK_ON_CHANGE = False
    staff_project(), staff_project()
    assert sweep_due().evaluated is None  # every project

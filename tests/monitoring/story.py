"""A story of real operations through the product's own services, for the tests that check what
the monitoring stores against a recompute after any series of them (attention figures, flags).
"""

import datetime as dt
import random

import time_machine
from django.utils import timezone

from issues import services as issue_services
from issues.models import IssueStatus, PlanStatus, ResolutionPlan
from oversight.monitoring.services import recheck_projects, sweep
from portal.accounts.models import OrgRole
from portal.core import clock
from projects import services as project_services
from projects.models import (
    ChangeRequest,
    ChangeStatus,
    DecisionStatus,
    MilestoneKind,
    MilestoneStatus,
    ProjectMember,
    TeamRole,
)
from projects.selectors import access_for
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import staff_project
from tests.projects.update_helpers import published_update

START = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)  # a Monday morning


def _member(project, role):
    return ProjectMember.objects.filter(project=project, role=role, removed_at__isnull=True).first().user


class Story:
    """What one step may do, each through the product's own services."""

    def __init__(self, rng: random.Random, world):
        self.rng, self.world = rng, world
        self.projects = list(world["projects"])
        self.counter = 0

    def _access(self, role, project):
        return access_for(user=_member(project, role), project=project)

    def publish(self, project):
        rag = self.rng.choice(["green", "amber", "red"])
        decisions = []
        if self.rng.random() < 0.4:  # a decision asked of the sponsor, needed by a day near today
            needed_by = timezone.localdate() + dt.timedelta(days=self.rng.randint(0, 4))
            decisions = [{"title": "Approve the resin lot", "needed_by": needed_by.isoformat()}]
        published_update(
            _member(project, TeamRole.PROJECT_MANAGER), project, overall_rag=rag, decisions_needed=decisions
        )

    def decide(self, project):
        decision = project.decision_requests.filter(status=DecisionStatus.OPEN).order_by("pk").first()
        if decision is None:
            return self.publish(project)
        project_services.decision_resolve(
            access=self._access(TeamRole.SPONSOR_LEAD, project), decision=decision, note="Approved."
        )

    def add_milestone(self, project):
        self.counter += 1
        project_services.milestone_create(
            access=self._access(TeamRole.PROJECT_MANAGER, project),
            kind=MilestoneKind.ENGINEERING_BATCH,
            title=f"EB-{self.counter}",
            baseline_date=timezone.localdate() + dt.timedelta(days=self.rng.randint(5, 60)),
        )

    def _open_milestone(self, project):
        open_ones = list(project.milestones.exclude(status=MilestoneStatus.DONE).order_by("pk"))
        return self.rng.choice(open_ones) if open_ones else None

    def slip(self, project):
        milestone = self._open_milestone(project)
        if milestone is None:
            return self.add_milestone(project)
        new_date = milestone.baseline_date + dt.timedelta(days=self.rng.randint(-3, 70))
        if new_date == milestone.forecast_date:
            new_date += dt.timedelta(days=1)
        project_services.milestone_change_forecast(
            access=self._access(TeamRole.PROJECT_MANAGER, project),
            milestone=milestone,
            new_date=new_date,
            reason="The supplier moved the resin delivery.",
            version=milestone.version,
        )

    def finish_milestone(self, project):
        milestone = self._open_milestone(project)
        if milestone is None:
            return self.add_milestone(project)
        project_services.milestone_set_status(
            access=self._access(TeamRole.PROJECT_MANAGER, project),
            milestone=milestone,
            status=MilestoneStatus.DONE,
            actual_date=timezone.localdate(),
            version=milestone.version,
        )

    def raise_issue(self, project):
        issue_services.issue_raise(
            access=self._access(TeamRole.SPONSOR_LEAD, project),
            category="quality",
            severity=self.rng.choice(["critical", "major", "minor"]),
            title="Deviation notified late",
            description="We learned of the deviation from a batch record.",
            desired_outcome="Notice within 24 hours.",
        )

    def progress_issue(self, project):
        """Move one unfinished issue one step on: acknowledge, plan, accept, resolve, close."""
        unfinished = list(project.service_issues.exclude(status=IssueStatus.CLOSED).order_by("pk"))
        if not unfinished:
            return self.raise_issue(project)
        issue = self.rng.choice(unfinished)
        pm = self._access(TeamRole.PROJECT_MANAGER, project)
        lead = self._access(TeamRole.SPONSOR_LEAD, project)
        if issue.status == IssueStatus.OPEN:
            issue_services.issue_acknowledge(access=pm, issue=issue)
        elif issue.status == IssueStatus.ACKNOWLEDGED:
            issue_services.issue_propose_plan(
                access=pm,
                issue=issue,
                owner=_member(project, TeamRole.SME),
                steps="1. Investigate.\n2. Report.",
                target_date=timezone.localdate() + dt.timedelta(days=30),
            )
        elif issue.status == IssueStatus.PLAN_PROPOSED:
            plan = ResolutionPlan.objects.get(issue=issue, status=PlanStatus.PROPOSED)
            issue_services.issue_accept_plan(access=lead, issue=issue, plan=plan)
        elif issue.status == IssueStatus.PLAN_ACCEPTED:
            issue_services.issue_resolve(access=pm, issue=issue, summary="Procedure fixed.")
        elif issue.status == IssueStatus.RESOLVED:
            issue_services.issue_confirm_closed(access=lead, issue=issue)

    def remove_decision_maker(self, project):
        member = ProjectMember.objects.filter(
            project=project, role=TeamRole.DECISION_MAKER, removed_at__isnull=True
        ).first()
        if member is not None:
            project_services.team_member_remove(
                access=self._access(TeamRole.SPONSOR_LEAD, project), member=member, confirmed=True
            )

    def rename(self, project):
        """A new code (an UPDATE, no save): the attention row's copy, which orders the dashboard, follows."""
        self.counter += 1
        project.refresh_from_db()
        project_services.project_update(
            access=self._access(TeamRole.PROJECT_MANAGER, project),
            version=project.version,
            code=f"REN-{self.counter}",
        )

    def raise_change(self, project):
        """A change request needed by a day near today (some already late: flagged at once)."""
        self.counter += 1
        project_services.change_raise(
            access=self._access(TeamRole.PROJECT_MANAGER, project),
            title=f"Change {self.counter}",
            what="Run the campaign in suite B.",
            why="Suite A is requalified late.",
            needed_by=timezone.localdate() + dt.timedelta(days=self.rng.randint(-2, 5)),
            options=[project_services.OptionDraft(label="Suite B", description="Transfer to suite B.")],
            recommended=0,
            recommendation="It keeps the filing date.",
        )

    def decide_change(self, project):
        """The sponsor's lead rejects an open change, or its PM withdraws it."""
        change = (
            ChangeRequest.objects.filter(project=project, status=ChangeStatus.PROPOSED).order_by("pk").first()
        )
        if change is None:
            return self.raise_change(project)
        if self.rng.random() < 0.5:
            project_services.change_reject(
                access=self._access(TeamRole.SPONSOR_LEAD, project), change=change, reason="Too costly."
            )
        else:
            project_services.change_withdraw(
                access=self._access(TeamRole.PROJECT_MANAGER, project), change=change, reason="Not needed."
            )

    def recheck(self, project):
        recheck_projects(project_ids=[project.pk], now=clock.now())

    def sweep(self, project):
        sweep(now=clock.now())

    def add_project(self, project):
        self.counter += 1
        sponsor, cdmo = self.world["sponsor"], self.world["cdmo"]
        created = project_services.project_create(
            actor=self.world["admin"],
            sponsor=sponsor,
            cdmo=cdmo,
            code=f"NEW-{self.counter}",
            name=f"New program {self.counter}",
            start_date=timezone.localdate(),
        )
        project_services.proposal_accept(access=access_for(user=self.world["cdmo_admin"], project=created))
        self.projects.append(staff_project(created))

    STEPS = {
        "publish": 6,
        "add_milestone": 2,
        "slip": 5,
        "finish_milestone": 2,
        "raise_issue": 3,
        "progress_issue": 4,
        "remove_decision_maker": 1,
        "raise_change": 2,
        "decide_change": 2,
        "decide": 2,
        "recheck": 3,
        "sweep": 3,
        "add_project": 1,
    }

    def step(self):
        name = self.rng.choices(list(self.STEPS), weights=list(self.STEPS.values()))[0]
        project = self.rng.choice(self.projects)
        project.refresh_from_db()
        getattr(self, name)(project)
        return name


def make_world():
    """Three staffed projects of one sponsor and CDMO, with the admins who add more."""
    with time_machine.travel(START, tick=False):
        sponsor, cdmo = SponsorFactory(name="Acme Bio"), CDMOFactory(name="Alpha CDMO")
        projects = [
            staff_project(sponsor=sponsor, cdmo=cdmo, code=f"ACM-{i}", start_date=dt.date(2026, 9, 1))
            for i in range(1, 4)
        ]
        return {
            "sponsor": sponsor,
            "cdmo": cdmo,
            "projects": projects,
            "admin": UserFactory(organization=sponsor, org_role=OrgRole.ADMIN),
            "cdmo_admin": UserFactory(organization=cdmo, org_role=OrgRole.ADMIN),
        }

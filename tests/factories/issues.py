"""Factories for service issues (tests and demo data).

The factories build rows directly; tests of the workflow go through the
services. `populate_project` gives the outsider walk one of every model.
"""

from __future__ import annotations

import datetime as dt
import secrets

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from issues.models import (
    Category,
    EventKind,
    IssueEvent,
    IssueStatus,
    PlanStatus,
    Recognition,
    ResolutionPlan,
    ResponseTimeAgreement,
    ServiceIssue,
    ServiceIssueAttachment,
    Severity,
)
from projects.models import ProjectMember, Side, TeamRole
from tests.factories.organizations import UserFactory
from tests.factories.projects import ProjectFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _team_member(project, *, side: str, role: str | None = None):
    members = ProjectMember.objects.filter(project=project, side=side, removed_at__isnull=True)
    if role:
        members = members.filter(role=role)
    member = members.select_related("user").order_by("pk").first()
    if member is not None:
        return member.user
    organization = project.sponsor if side == Side.SPONSOR else project.cdmo
    return UserFactory(organization=organization)


class ServiceIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceIssue

    project = factory.SubFactory(ProjectFactory)
    raised_by = factory.LazyAttribute(lambda o: _team_member(o.project, side=Side.SPONSOR))
    category = Category.COMMUNICATION
    severity = Severity.MAJOR
    title = factory.Sequence(lambda n: f"Weekly update missing, week {n}")
    description = "The weekly update did not arrive and nobody told us why."
    impact = "We could not brief our steering committee."
    desired_outcome = "Updates on the agreed cadence, or a note when one will be late."
    raised_at = factory.LazyFunction(timezone.now)
    acknowledge_within_hours = 8
    plan_within_hours = 24
    acknowledge_by = factory.LazyAttribute(lambda o: o.raised_at + dt.timedelta(days=1))
    plan_by = factory.LazyAttribute(lambda o: o.raised_at + dt.timedelta(days=3))


class ResolutionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResolutionPlan

    issue = factory.SubFactory(ServiceIssueFactory)
    owner = factory.LazyAttribute(
        lambda o: _team_member(o.issue.project, side=Side.CDMO, role=TeamRole.PROJECT_MANAGER)
    )
    proposed_by = factory.LazyAttribute(lambda o: o.owner)
    steps = "1. Name a back-up for the weekly update.\n2. Send the missing update today."
    target_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    status = PlanStatus.PROPOSED


class IssueEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IssueEvent

    issue = factory.SubFactory(ServiceIssueFactory)
    project = factory.LazyAttribute(lambda o: o.issue.project)
    kind = EventKind.NOTE
    actor = factory.LazyAttribute(lambda o: o.issue.raised_by)
    summary = "Note"
    note = "A note on the timeline."


class ServiceIssueAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceIssueAttachment

    issue = factory.SubFactory(ServiceIssueFactory)
    token = factory.LazyFunction(lambda: secrets.token_hex(16))
    original_name = "deviation-report.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.LazyAttribute(lambda o: o.issue.raised_by)
    # Only the name: factories do not write files (tests that download use the service).
    file = factory.LazyAttribute(lambda o: f"issues/factory/{o.token}")


class ResponseTimeAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseTimeAgreement
        django_get_or_create = ("project", "severity")

    project = factory.SubFactory(ProjectFactory)
    severity = Severity.CRITICAL
    acknowledge_within_hours = 2
    plan_within_hours = 8


class RecognitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recognition

    project = factory.LazyAttribute(lambda o: o.target.project)
    target = factory.SubFactory(
        ServiceIssueFactory,
        status=IssueStatus.CLOSED,
        acknowledged_at=factory.LazyFunction(timezone.now),
        resolved_at=factory.LazyFunction(timezone.now),
        closed_at=factory.LazyFunction(timezone.now),
    )
    given_by = factory.LazyAttribute(lambda o: _team_member(o.project, side=Side.SPONSOR))
    note = "Thank you for turning this around within a day."
    target_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    target_id = factory.LazyAttribute(lambda o: o.target.pk)
    target_label = factory.LazyAttribute(lambda o: f"Resolution of a service issue: {o.target}")


def populate_project(project) -> None:
    """One of every issues model for `project` (used by the outsider walk)."""
    issue = ServiceIssueFactory(project=project, title="Victim issue about late batch records")
    IssueEventFactory(issue=issue, kind=EventKind.RAISED, summary="Raised", note="")
    IssueEventFactory(
        issue=issue,
        kind=EventKind.NOTE,
        actor=_team_member(project, side=Side.CDMO),
        summary="Internal note",
        note="Internal: the batch record reviewer is on leave.",
        is_internal=True,
    )
    ResolutionPlanFactory(issue=issue)
    ServiceIssueAttachmentFactory(issue=issue)
    ResponseTimeAgreementFactory(project=project)
    closed = ServiceIssueFactory(
        project=project,
        status=IssueStatus.CLOSED,
        acknowledged_at=timezone.now(),
        resolved_at=timezone.now(),
        closed_at=timezone.now(),
        title="Victim issue resolved well",
    )
    RecognitionFactory(target=closed, project=project)

"""Factories for projects and teams (tests and demo data)."""

import datetime

import factory
from django.utils import timezone

from portal.accounts.models import OrgRole
from projects.models import (
    RAG,
    AttachmentType,
    ChangeOption,
    ChangeRequest,
    CommentKind,
    DecisionRequest,
    Milestone,
    MilestoneForecastChange,
    MilestoneImpact,
    MilestoneKind,
    Modality,
    Phase,
    Project,
    ProjectMember,
    ProposalStatus,
    ServiceScope,
    Side,
    StatusUpdate,
    TeamRole,
    UpdateAcknowledgement,
    UpdateAttachment,
    UpdateComment,
    UpdateStatus,
    side_of_role,
)
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    sponsor = factory.SubFactory(SponsorFactory)
    cdmo = factory.SubFactory(CDMOFactory)
    code = factory.Sequence(lambda n: f"PRJ-{n:03d}")
    name = factory.Sequence(lambda n: f"Program {n}")
    modality = Modality.SMALL_MOLECULE
    phase = Phase.PHASE_1
    service_scope = factory.LazyFunction(lambda: [ServiceScope.PROCESS_DEV, ServiceScope.API_MANUFACTURE])
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=120))

    class Params:
        # ProjectFactory(proposal=True): proposed by the sponsor's admin, waiting for the CDMO
        # (pass proposed_by_org=project's cdmo for the other way round). Default: accepted.
        proposal = factory.Trait(
            proposal_status=ProposalStatus.PROPOSED,
            proposed_by_org=factory.SelfAttribute("sponsor"),
            proposed_by=factory.LazyAttribute(
                lambda p: UserFactory(organization=p.proposed_by_org, org_role=OrgRole.ADMIN)
            ),
        )


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    role = TeamRole.SPONSOR_MEMBER
    side = factory.LazyAttribute(lambda m: side_of_role(m.role))
    user = factory.LazyAttribute(
        lambda m: UserFactory(
            organization=m.project.sponsor if side_of_role(m.role) == Side.SPONSOR else m.project.cdmo
        )
    )


def staff_project(project: Project | None = None, **project_kwargs) -> Project:
    """A project with a complete team: lead, decision-maker, PM, SME, points of contact."""
    project = project or ProjectFactory(**project_kwargs)
    ProjectMemberFactory(project=project, role=TeamRole.SPONSOR_LEAD, is_point_of_contact=True)
    ProjectMemberFactory(project=project, role=TeamRole.DECISION_MAKER)
    ProjectMemberFactory(project=project, role=TeamRole.PROJECT_MANAGER, is_point_of_contact=True)
    ProjectMemberFactory(project=project, role=TeamRole.SME)
    return project


# ---------------------------------------------------------------------------
# Milestones and status updates (issue 3)
# ---------------------------------------------------------------------------


def _team_user(project: Project, role: str):
    member = ProjectMember.objects.filter(project=project, role=role, removed_at__isnull=True).first()
    if member is not None:
        return member.user
    return ProjectMemberFactory(project=project, role=role).user


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    kind = MilestoneKind.ENGINEERING_BATCH
    title = factory.Sequence(lambda n: f"Engineering batch EB-{n:02d}")
    baseline_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))
    forecast_date = factory.LazyAttribute(lambda m: m.baseline_date)


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    """A proposed change, raised by the CDMO project manager; `change_with_options` adds options."""

    class Meta:
        model = ChangeRequest

    project = factory.SubFactory(ProjectFactory)
    raised_by = factory.LazyAttribute(lambda c: _team_user(c.project, TeamRole.PROJECT_MANAGER))
    raised_by_side = Side.CDMO
    title = factory.Sequence(lambda n: f"Move the GMP campaign ({n})")
    what = "Run the GMP campaign in suite B instead of suite A."
    why = "Suite A's HVAC requalification overruns by three weeks."
    needed_by = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=14))
    recommendation = "Suite B keeps the filing date; the cost is small."


def change_with_options(project: Project, impacts=(), **kwargs) -> ChangeRequest:
    """A change with two options: the first moves `impacts` ([(milestone, days)]) and is
    recommended, the second moves nothing."""
    change = ChangeRequestFactory(project=project, **kwargs)
    first = ChangeOption.objects.create(
        change=change,
        position=1,
        label="Suite B",
        description="Transfer the process to suite B.",
        cost_impact="€40k for the transfer runs.",
        quality_impact="Comparability protocol needed.",
        regulatory_impact="None: same site.",
    )
    for milestone, days in impacts:
        MilestoneImpact.objects.create(option=first, milestone=milestone, days=days)
    ChangeOption.objects.create(change=change, position=2, label="Wait for suite A", description="Wait.")
    ChangeRequest.objects.filter(pk=change.pk).update(recommended_option=first)
    change.refresh_from_db()
    return change


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    """A draft by default; `published=True` makes it a complete published record."""

    class Meta:
        model = StatusUpdate

    class Params:
        published = factory.Trait(
            status=UpdateStatus.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            published_by=factory.LazyAttribute(lambda u: u.created_by),
        )

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Week {n}: engineering batch on track")
    period_end = factory.LazyFunction(datetime.date.today)
    period_start = factory.LazyAttribute(lambda u: u.period_end - datetime.timedelta(days=6))
    overall_rag = RAG.GREEN
    schedule_rag = RAG.GREEN
    budget_rag = RAG.GREEN
    quality_rag = RAG.GREEN
    supply_rag = RAG.GREEN
    summary = "Engineering batch EB-02 completed at 200 L; titre 3.1 g/L against a 2.8 g/L target."
    progress = "Harvest and capture done; viral inactivation hold validated."
    risks = "Resin lead time for the Protein A column is 10 weeks."
    created_by = factory.LazyAttribute(lambda u: _team_user(u.project, TeamRole.PROJECT_MANAGER))


class UpdateCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdateComment

    update = factory.SubFactory(StatusUpdateFactory, published=True)
    author = factory.LazyAttribute(lambda c: _team_user(c.update.project, TeamRole.SPONSOR_LEAD))
    kind = CommentKind.COMMENT
    body = "Thanks, clear update."
    respond_by = factory.LazyAttribute(
        lambda c: timezone.now() + datetime.timedelta(days=2) if c.kind == CommentKind.QUESTION else None
    )


def populate_project(project: Project) -> Project:
    """One of each milestone and status-update object for a staffed project (tests, outsider walk)."""
    pm = _team_user(project, TeamRole.PROJECT_MANAGER)
    lead = _team_user(project, TeamRole.SPONSOR_LEAD)
    milestone = MilestoneFactory(project=project, title="GMP batch GMP-01")
    MilestoneForecastChange.objects.create(
        milestone=milestone,
        old_forecast_date=milestone.forecast_date,
        new_forecast_date=milestone.forecast_date + datetime.timedelta(days=14),
        reason="Media lot failed incoming QC; replacement lot arrives in two weeks.",
        changed_by=pm,
    )
    Milestone.objects.filter(pk=milestone.pk).update(
        forecast_date=milestone.forecast_date + datetime.timedelta(days=14)
    )
    update = StatusUpdateFactory(project=project, created_by=pm)
    UpdateAttachment.objects.create(
        update=update,
        file=f"updates/{project.pk}/example/eb02-report.pdf",
        original_name="eb02-report.pdf",
        size_bytes=1024,
        file_type=AttachmentType.PDF,
        uploaded_by=pm,
    )
    needed_by = datetime.date.today() + datetime.timedelta(days=10)
    decision = DecisionRequest.objects.create(
        project=project, update=update, title="Approve the alternative Protein A resin", needed_by=needed_by
    )
    StatusUpdate.objects.filter(pk=update.pk).update(
        status=UpdateStatus.PUBLISHED,
        published_at=timezone.now(),
        published_by=pm,
        decisions_needed=[
            {
                "title": decision.title,
                "needed_by": needed_by.isoformat(),
                "source_decision": None,
                "decision_id": decision.pk,
            }
        ],
    )
    UpdateAcknowledgement.objects.create(update=update, user=lead)
    question = UpdateCommentFactory(
        update=update, author=lead, kind=CommentKind.QUESTION, body="Which resin lot is reserved for GMP-01?"
    )
    UpdateComment.objects.create(
        update=update,
        author=pm,
        kind=CommentKind.ANSWER,
        parent=question,
        body="Lot 24-118, reserved until June.",
    )
    UpdateComment.objects.filter(pk=question.pk).update(answered_at=timezone.now(), answered_by=pm)
    UpdateCommentFactory(
        update=update, author=pm, is_internal=True, body="Internal: check the resin invoice."
    )
    change_with_options(project, impacts=[(milestone, 21)], title="Victim change: move GMP-01 to suite B")
    return project

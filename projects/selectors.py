"""Reads for projects. Visibility lives here and nowhere else.

Every view that touches a project, or anything that belongs to one, starts
from `projects_visible_to` (lists) or `get_project_for_user` (one object),
so the tenancy rule is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.accounts.models import ORG_WIDE_ROLES, OrgRole, User
from portal.organizations.models import Organization, OrganizationKind

from .diffing import FieldDiff, update_changes
from .models import (
    CommentKind,
    DecisionRequest,
    DecisionStatus,
    Milestone,
    MilestoneForecastChange,
    Project,
    ProjectMember,
    Side,
    StatusUpdate,
    TeamRole,
    UpdateAcknowledgement,
    UpdateAttachment,
    UpdateComment,
    UpdateStatus,
)


def projects_visible_to(*, user) -> QuerySet[Project]:
    """Projects `user` may see.

    A user sees a project only if their organization is a party to it and they
    are on its team, or they are an admin or executive of that organization.
    Anonymous users and users without an organization see nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return Project.objects.none()
    org_id = user.organization_id
    projects = Project.objects.filter(Q(sponsor_id=org_id) | Q(cdmo_id=org_id))
    if user.org_role in ORG_WIDE_ROLES:
        return projects
    on_team = ProjectMember.objects.filter(project=OuterRef("pk"), user=user, removed_at__isnull=True)
    return projects.filter(Exists(on_team))


@dataclass(frozen=True)
class ProjectAccess:
    """What one user may do on one project (computed once per request)."""

    user: User
    project: Project
    side: Side
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_cdmo(self) -> bool:
        return self.side == Side.CDMO

    @property
    def is_sponsor(self) -> bool:
        return self.side == Side.SPONSOR

    @property
    def is_org_admin(self) -> bool:
        return self.user.org_role == OrgRole.ADMIN

    @property
    def is_project_manager(self) -> bool:
        return TeamRole.PROJECT_MANAGER in self.roles

    @property
    def is_sponsor_lead(self) -> bool:
        return TeamRole.SPONSOR_LEAD in self.roles

    @property
    def can_manage_project(self) -> bool:
        """Edit the project's details: the CDMO project manager and CDMO admins."""
        return self.is_cdmo and (self.is_project_manager or self.is_org_admin)

    def can_manage_team_side(self, side: str) -> bool:
        """CDMO managers run both sides of the team; sponsor admins and leads their own."""
        if self.can_manage_project:
            return True
        return self.is_sponsor and side == Side.SPONSOR and (self.is_org_admin or self.is_sponsor_lead)

    @property
    def sees_internal(self) -> bool:
        """CDMO-internal notes are never shown to the sponsor."""
        return self.is_cdmo


def get_project_for_user(*, user, project_id: int) -> tuple[Project, ProjectAccess]:
    """The project and the user's access to it, or Http404 if they may not see it."""
    project = projects_visible_to(user=user).select_related("sponsor", "cdmo").filter(pk=project_id).first()
    if project is None:
        raise Http404("No such project.")
    return project, access_for(user=user, project=project)


def access_for(*, user, project: Project) -> ProjectAccess:
    side = Side.SPONSOR if user.organization_id == project.sponsor_id else Side.CDMO
    roles = frozenset(
        ProjectMember.objects.filter(project=project, user=user, removed_at__isnull=True).values_list(
            "role", flat=True
        )
    )
    return ProjectAccess(user=user, project=project, side=side, roles=roles)


@dataclass
class ProjectFilters:
    status: str = ""
    phase: str = ""
    sponsor: int | None = None
    cdmo: int | None = None
    q: str = ""


def project_list(*, user, filters: ProjectFilters) -> QuerySet[Project]:
    """Visible projects for the list page, with everything a row shows (no N+1)."""
    projects = projects_visible_to(user=user).select_related("sponsor", "cdmo")
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.phase:
        projects = projects.filter(phase=filters.phase)
    if filters.sponsor:
        projects = projects.filter(sponsor_id=filters.sponsor)
    if filters.cdmo:
        projects = projects.filter(cdmo_id=filters.cdmo)
    if filters.q:
        projects = projects.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    active = Q(members__removed_at__isnull=True)
    return (
        projects.annotate(team_size=Count("members", filter=active, distinct=True))
        .prefetch_related(
            Prefetch(
                "members",
                queryset=ProjectMember.objects.filter(
                    removed_at__isnull=True, role__in=[TeamRole.PROJECT_MANAGER, TeamRole.SPONSOR_LEAD]
                ).select_related("user"),
                to_attr="key_people",
            )
        )
        .order_by("code", "pk")
    )


def counterparties_for(*, user) -> QuerySet[Organization]:
    """Organizations on the other side of the user's visible projects (for filters)."""
    if not getattr(user, "organization_id", None):
        return Organization.objects.none()
    visible = projects_visible_to(user=user)
    if user.organization.kind == OrganizationKind.SPONSOR:
        return Organization.objects.filter(pk__in=visible.values("cdmo_id")).order_by("name")
    return Organization.objects.filter(pk__in=visible.values("sponsor_id")).order_by("name")


def project_team(*, project: Project) -> QuerySet[ProjectMember]:
    return (
        ProjectMember.objects.filter(project=project, removed_at__isnull=True)
        .select_related("user")
        .order_by("side", "role", "user__full_name")
    )


@dataclass(frozen=True)
class TeamGaps:
    """Who is missing from a team: what the red flags watch for."""

    no_decision_maker: bool
    no_sponsor_contact: bool
    no_cdmo_contact: bool

    @property
    def any(self) -> bool:
        return self.no_decision_maker or self.no_sponsor_contact or self.no_cdmo_contact


def team_gaps(*, members) -> TeamGaps:
    """Gaps in an already-loaded team (no queries)."""
    members = list(members)
    return TeamGaps(
        no_decision_maker=not any(m.role == TeamRole.DECISION_MAKER for m in members),
        no_sponsor_contact=not any(m.is_point_of_contact and m.side == Side.SPONSOR for m in members),
        no_cdmo_contact=not any(m.is_point_of_contact and m.side == Side.CDMO for m in members),
    )


# The team role that runs each side of a team (organization admins can too).
SIDE_MANAGER_ROLE = {Side.SPONSOR: TeamRole.SPONSOR_LEAD, Side.CDMO: TeamRole.PROJECT_MANAGER}


def _manages_side(member: ProjectMember, role: str | None = None) -> bool:
    return (role or member.role) == SIDE_MANAGER_ROLE[member.side] or member.user.org_role == OrgRole.ADMIN


def last_side_manager_refusal(*, member: ProjectMember, new_role: str | None = None) -> str:
    """Why `member` may not leave (or, with `new_role`, change role): they are the last person on
    their side of the team who can manage it, so nobody on the team could undo it. "" if they may."""
    if not _manages_side(member) or (new_role is not None and _manages_side(member, new_role)):
        return ""
    others = (
        ProjectMember.objects.filter(project_id=member.project_id, side=member.side, removed_at__isnull=True)
        .exclude(pk=member.pk)
        .select_related("user")
    )
    if any(_manages_side(other) for other in others):
        return ""
    role = TeamRole(SIDE_MANAGER_ROLE[member.side]).label.lower()
    return (
        f"{member.user} is the last person on the {member.get_side_display().lower()} team who can manage it. "
        f"Make someone else {role} first."
    )


def removal_consequences(*, access: ProjectAccess, member: ProjectMember) -> list[str]:
    """What taking `member` off the team would cost, in words, for the person to confirm first:
    removing yourself, the only decision-maker, or a side's point of contact."""
    consequences = []
    if member.user_id == access.user.pk:
        if access.user.org_role in ORG_WIDE_ROLES:
            consequences.append(
                "You are taking yourself off the team. As an organization "
                f"{access.user.get_org_role_display().lower()} you still see the project."
            )
        else:
            consequences.append(
                "You are taking yourself off the team: you will no longer see this project, "
                "and only someone still on it can add you back."
            )
    if member.role == TeamRole.DECISION_MAKER and not (
        ProjectMember.objects.filter(
            project_id=member.project_id, role=TeamRole.DECISION_MAKER, removed_at__isnull=True
        )
        .exclude(pk=member.pk)
        .exists()
    ):
        consequences.append(
            f"{member.user} is the only decision-maker: nobody will be able to take the sponsor's decisions "
            "on this project, and a “No decision-maker” red flag will be raised."
        )
    if member.is_point_of_contact:
        side = member.get_side_display().lower()
        consequences.append(
            f"{member.user} is the {side} point of contact: the {side} side will have none until someone "
            "else is named, and a red flag will be raised."
        )
    return consequences


def candidates_for_team(*, project: Project, side: str) -> QuerySet[User]:
    """Active people of that side's organization who are not on the team yet."""
    org_id = project.sponsor_id if side == Side.SPONSOR else project.cdmo_id
    on_team = ProjectMember.objects.filter(project=project, removed_at__isnull=True).values("user_id")
    return (
        User.objects.filter(organization_id=org_id, is_active=True)
        .exclude(pk__in=on_team)
        .order_by("full_name")
    )


# ---------------------------------------------------------------------------
# Milestones and status updates (issue 3). Every read starts from a project the
# caller already reached through `get_project_for_user`, so objects of other
# projects are 404, never 403.
# ---------------------------------------------------------------------------


def milestones_for_project(*, project: Project) -> QuerySet[Milestone]:
    """The project's milestones in date order, with `slip` (days) from the database."""
    return (
        Milestone.objects.filter(project=project)
        .with_slip()
        .select_related("owner")
        .order_by(Coalesce("actual_date", "forecast_date"), "baseline_date", "pk")
    )


def get_milestone(*, project: Project, milestone_id: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.with_slip().select_related("owner", "project"), pk=milestone_id, project=project
    )


def milestone_forecast_history(*, milestone: Milestone) -> QuerySet[MilestoneForecastChange]:
    return milestone.forecast_changes.select_related("changed_by").order_by("-changed_at", "-pk")


def updates_for_project(*, access: ProjectAccess) -> QuerySet[StatusUpdate]:
    """The Updates tab: current published updates, newest period first; the CDMO also sees drafts, first.

    Superseded revisions are reached from the revision that corrected them.
    Each row carries its acknowledgement, open-question and comment counts
    (internal notes counted only for those who may read them).
    """
    from .rules import can_read_drafts

    statuses = [UpdateStatus.PUBLISHED]
    if can_read_drafts(access):
        statuses.append(UpdateStatus.DRAFT)
    comments = Q(comments__kind__in=[CommentKind.COMMENT, CommentKind.QUESTION])
    if not access.sees_internal:
        comments &= Q(comments__is_internal=False)
    # Questions count across every revision of the update (the chain shares one root).
    open_questions = UpdateComment.objects.filter(
        Q(update_id=OuterRef("chain_root")) | Q(update__original_id=OuterRef("chain_root")),
        kind=CommentKind.QUESTION,
        answered_at__isnull=True,
    )
    return (
        StatusUpdate.objects.filter(project=access.project, status__in=statuses)
        .select_related("published_by", "created_by")
        .annotate(
            chain_root=Coalesce("original_id", "pk"),
            draft_first=Case(When(status=UpdateStatus.DRAFT, then=Value(0)), default=Value(1)),
            acknowledgement_count=Count("acknowledgements", distinct=True),
            comment_count=Count("comments", filter=comments, distinct=True),
            has_open_question=Exists(open_questions),
        )
        .order_by("draft_first", "-period_end", "-revision_number", "-pk")
    )


def _updates_readable_by(access: ProjectAccess) -> QuerySet[StatusUpdate]:
    from .rules import can_read_drafts

    updates = StatusUpdate.objects.filter(project=access.project)
    if not can_read_drafts(access):
        updates = updates.visible_record()
    return updates


def get_update(*, access: ProjectAccess, update_id: int) -> StatusUpdate:
    """One update of the project; drafts and discarded drafts exist only for the CDMO (404 otherwise)."""
    return get_object_or_404(
        _updates_readable_by(access).select_related("project", "published_by", "created_by", "revision_of"),
        pk=update_id,
    )


def get_comment(*, access: ProjectAccess, comment_id: int) -> UpdateComment:
    """One comment, question or answer on an update the viewer may read; CDMO-internal notes
    only for those who read them (404 otherwise), as on the update's page."""
    comments = UpdateComment.objects.filter(update__in=_updates_readable_by(access))
    if not access.sees_internal:
        comments = comments.filter(is_internal=False)
    return get_object_or_404(comments.select_related("update", "author", "answered_by"), pk=comment_id)


def update_revisions(*, update: StatusUpdate) -> list[StatusUpdate]:
    """Every published revision of this update (oldest first), for the revision trail."""
    return list(
        StatusUpdate.objects.filter(Q(pk=update.root_id) | Q(original_id=update.root_id))
        .visible_record()
        .only("pk", "project_id", "revision_number", "status", "published_at", "title")
        .order_by("revision_number")
    )


def latest_published_update(*, project: Project) -> StatusUpdate | None:
    return (
        StatusUpdate.objects.filter(project=project, status=UpdateStatus.PUBLISHED)
        .order_by("-period_end", "-published_at")
        .only("pk", "project_id", "overall_rag", "title", "published_at", "period_end")
        .first()
    )


def last_published_update(*, project: Project) -> StatusUpdate | None:
    """The most recent current update (for prefilling the next draft and its reference panel)."""
    return (
        StatusUpdate.objects.filter(project=project, status=UpdateStatus.PUBLISHED)
        .order_by("-period_end", "-published_at")
        .first()
    )


def update_attachments(*, update: StatusUpdate) -> list[UpdateAttachment]:
    return list(update.attachments.filter(removed_at__isnull=True).select_related("uploaded_by"))


def correction_changes(
    *, update: StatusUpdate, attachments: list[UpdateAttachment] | None = None
) -> list[FieldDiff]:
    """What a correction changed against the revision it replaces (nothing for a first update).
    `attachments`: the update's own, when the caller has them loaded already."""
    if not update.revision_of_id:
        return []
    previous = update.revision_of
    if attachments is None:
        attachments = update_attachments(update=update)
    return update_changes(
        previous,
        update,
        old_files=[a.original_name for a in update_attachments(update=previous)],
        new_files=[a.original_name for a in attachments],
    )


def update_acknowledgements(*, update: StatusUpdate) -> list[UpdateAcknowledgement]:
    return list(update.acknowledgements.select_related("user").order_by("acknowledged_at"))


def update_thread(*, access: ProjectAccess, update: StatusUpdate) -> list[UpdateComment]:
    """Comments and questions on every revision of this update, oldest first, answers attached.

    CDMO-internal notes are left out for anyone who may not read them: this is
    the one place the thread is read, so the sponsor never receives one.
    """
    chain = StatusUpdate.objects.filter(Q(pk=update.root_id) | Q(original_id=update.root_id)).values("pk")
    comments = UpdateComment.objects.filter(update__in=chain, parent__isnull=True)
    if not access.sees_internal:
        comments = comments.filter(is_internal=False)
    answers = (
        UpdateComment.objects.filter(kind=CommentKind.ANSWER)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return list(
        comments.select_related("author__organization", "answered_by", "update")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("created_at", "pk")
    )


def update_decisions(*, update: StatusUpdate) -> list[tuple[dict, DecisionRequest | None]]:
    """The update's decisions-needed items with the live request each became when published."""
    items = list(update.decisions_needed or [])
    ids = [item.get("decision_id") for item in items if item.get("decision_id")]
    requests = {
        d.pk: d
        for d in DecisionRequest.objects.filter(pk__in=ids, project_id=update.project_id).select_related(
            "decided_by"
        )
    }
    return [(item, requests.get(item.get("decision_id"))) for item in items]


def open_decisions_for_project(*, project: Project) -> QuerySet[DecisionRequest]:
    return (
        DecisionRequest.objects.filter(project=project, status=DecisionStatus.OPEN)
        .select_related("update")
        .order_by("needed_by", "pk")
    )


def get_decision(*, project: Project, decision_id: int) -> DecisionRequest:
    return get_object_or_404(
        DecisionRequest.objects.select_related("update", "decided_by", "project"),
        pk=decision_id,
        project=project,
    )


def decisions_for_user(*, user, include_decided: bool = False) -> QuerySet[DecisionRequest]:
    """Decisions waiting on the sponsor across every project `user` can see, soonest needed first."""
    decisions = DecisionRequest.objects.filter(project__in=projects_visible_to(user=user))
    if include_decided:
        decisions = decisions.filter(status__in=[DecisionStatus.OPEN, DecisionStatus.DECIDED])
    else:
        decisions = decisions.filter(status=DecisionStatus.OPEN)
    return decisions.select_related("project", "update", "decided_by").order_by(
        Case(When(status=DecisionStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "needed_by",
        "pk",
    )


def sponsor_team(*, project: Project) -> list[User]:
    """Active sponsor-side team members with a working login (who hear about updates)."""
    return [
        m.user
        for m in ProjectMember.objects.filter(
            project=project, side=Side.SPONSOR, removed_at__isnull=True, user__is_active=True
        ).select_related("user")
    ]


def cdmo_project_managers(*, project: Project) -> list[User]:
    """Who answers for the CDMO: the project managers, else the CDMO point of contact."""
    members = list(
        ProjectMember.objects.filter(
            project=project, side=Side.CDMO, removed_at__isnull=True, user__is_active=True
        )
        .filter(Q(role=TeamRole.PROJECT_MANAGER) | Q(is_point_of_contact=True))
        .select_related("user")
    )
    managers = [m.user for m in members if m.role == TeamRole.PROJECT_MANAGER]
    return managers or [m.user for m in members]


def correction_draft_of(*, update: StatusUpdate) -> StatusUpdate | None:
    """The correction of `update` being drafted, if any (CDMO side only shows it)."""
    return StatusUpdate.objects.filter(revision_of=update, status=UpdateStatus.DRAFT).first()


def team_users(*, project: Project, side: str | None = None, active_only: bool = False) -> QuerySet[User]:
    """People on the project team (of one side, if given), by name: the choices for an owner,
    an invitee or a plan owner. `active_only` leaves out deactivated accounts."""
    members = ProjectMember.objects.filter(project=project, removed_at__isnull=True)
    if side is not None:
        members = members.filter(side=side)
    people = User.objects.filter(pk__in=members.values("user_id"))
    if active_only:
        people = people.filter(is_active=True)
    return people.order_by("full_name")

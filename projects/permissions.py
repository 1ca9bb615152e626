"""Who may do what on a project: the rules, written once.

Every rule takes the `ProjectAccess` of someone who can already see the project (outsiders never get
this far: the selectors answer 404) and, where the rule depends on it, the object acted on. Services
enforce these rules; views and templates ask them to decide what to show (templates through
`{% can "projects.<verb>" access obj %}`, registered in `ProjectsConfig.ready`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.accounts.models import OrgRole

from .models import ProposalStatus, Side, TeamRole

# Team roles that may export the audit trail, besides org admins and executives.
EXPORT_ROLES = frozenset(
    {TeamRole.SPONSOR_LEAD, TeamRole.SPONSOR_EXECUTIVE, TeamRole.PROJECT_MANAGER, TeamRole.CDMO_EXECUTIVE}
)

if TYPE_CHECKING:
    from .selectors import ProjectAccess


def can_manage_project(access: ProjectAccess) -> bool:
    """Edit the project's details: the CDMO project manager and CDMO admins."""
    return access.is_cdmo and (access.is_project_manager or access.is_org_admin)


def can_manage_team(access: ProjectAccess, side: str) -> bool:
    """Change one side of the team: CDMO managers run both sides, sponsor admins and leads their own.

    Until the other side accepts the proposal, only the proposing side's team can be staffed: nobody
    of the other organization is named on a project it has not agreed to.
    """
    project = access.project
    if not project.is_accepted and side != project.proposing_side:
        return False
    if can_manage_project(access):
        return True
    return access.is_sponsor and side == Side.SPONSOR and (access.is_org_admin or access.is_sponsor_lead)


def can_draft_agreement(access: ProjectAccess) -> bool:
    """Draft the working agreement: either side's lead (sponsor project lead, CDMO project
    manager) or a CDMO admin running the project."""
    return access.project.is_accepted and (access.is_sponsor_lead or can_manage_project(access))


def can_sign_agreement(access: ProjectAccess) -> bool:
    """Sign the working agreement for one's side: the sponsor's project lead, the CDMO's project
    manager."""
    return access.project.is_accepted and (
        (access.is_sponsor and access.is_sponsor_lead) or (access.is_cdmo and access.is_project_manager)
    )


def can_edit_milestones(access: ProjectAccess) -> bool:
    """Create milestones, move forecasts, set status: the CDMO project manager and CDMO admins."""
    return can_manage_project(access)


def can_author_updates(access: ProjectAccess) -> bool:
    """Draft, edit, publish, correct and discard status updates."""
    return can_manage_project(access)


def can_read_drafts(access: ProjectAccess) -> bool:
    """Drafts are CDMO work in progress; the sponsor sees an update once it is published."""
    return access.is_cdmo


def can_acknowledge(access: ProjectAccess) -> bool:
    return access.is_sponsor


def can_comment(access: ProjectAccess) -> bool:
    """Both sides discuss a published update."""
    return access.is_sponsor or access.is_cdmo


def can_ask_question(access: ProjectAccess) -> bool:
    """Sponsor questions start the agreed response-time clock."""
    return access.is_sponsor


def can_answer(access: ProjectAccess) -> bool:
    return access.is_cdmo


def can_post_internal(access: ProjectAccess) -> bool:
    """CDMO-internal notes: written and read by the CDMO side only."""
    return access.sees_internal


def can_resolve_decision(access: ProjectAccess) -> bool:
    """The sponsor's project lead or decision-maker records the sponsor's decision."""
    return access.is_sponsor and bool({TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER} & access.roles)


def can_export_audit_trail(access: ProjectAccess) -> bool:
    """Export the audit trail for an inspection: either side's org admins and executives, and the
    team's leads: the sponsor's project lead and executives, the CDMO's project manager and executives."""
    if access.user.org_role in (OrgRole.ADMIN, OrgRole.EXECUTIVE):
        return True
    return bool(EXPORT_ROLES & access.roles)


def can_decide_proposal(access: ProjectAccess) -> bool:
    """Accept or decline a proposal: an admin of the other organization or, when the sponsor proposed,
    the CDMO project manager named on it."""
    project = access.project
    if project.proposal_status != ProposalStatus.PROPOSED:
        return False
    if access.user.organization_id in (None, project.proposed_by_org_id):
        return False
    if access.is_org_admin:
        return True
    return project.proposing_side == Side.SPONSOR and access.is_cdmo and access.is_project_manager


def can_raise_change(access: ProjectAccess) -> bool:
    """Raise a change request on an accepted project: the CDMO project manager and CDMO admins, or
    the sponsor's project lead, decision-maker and admins (the people who author for their side)."""
    if not access.project.is_accepted:
        return False
    if access.is_cdmo:
        return can_manage_project(access)
    return access.is_org_admin or bool({TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER} & access.roles)


def can_decide_change(access: ProjectAccess) -> bool:
    """Approve an option or reject a change request: whoever records the sponsor's decisions."""
    return can_resolve_decision(access)


def can_withdraw_change(access: ProjectAccess, change) -> bool:
    """Withdraw an open change request: whoever raised it, or someone who may raise changes on the
    same side."""
    if not change.is_open:
        return False
    return access.user.pk == change.raised_by_id or (
        can_raise_change(access) and access.side == change.raised_by_side
    )

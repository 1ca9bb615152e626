"""Who may do what in the service-issue log: the only place these rules are written.

Plain functions `can_<verb>(access, obj=None) -> bool` (see portal/core/permissions.py):
`access` is the viewer's `ProjectAccess` on the issue's project. Services refuse with
`NotAllowed`, views with 403, and templates ask the same rules with
`{% can "issues.<verb>" access obj as name %}` (registered from `IssuesConfig.ready`).

Which side takes which step of the workflow is the workflow's business
(`workflow.CDMO_ACTIONS`); `workflow.may` maps a step to `can_respond` or `can_decide`.
"""

from __future__ import annotations

from portal.accounts.models import ORG_WIDE_ROLES
from projects.models import TeamRole
from projects.selectors import ProjectAccess

from .models import ServiceIssue


def can_raise(access: ProjectAccess, obj=None) -> bool:
    """Anyone on the sponsor side who can see the project raises service issues."""
    return access.is_sponsor


def can_respond(access: ProjectAccess, obj=None) -> bool:
    """Acknowledge, propose plans, resolve: the CDMO project manager(s) and CDMO management."""
    return access.is_cdmo and (
        access.is_project_manager
        or TeamRole.CDMO_EXECUTIVE in access.roles
        or access.user.org_role in ORG_WIDE_ROLES
    )


def can_decide(access: ProjectAccess, issue: ServiceIssue) -> bool:
    """Accept or send back plans, confirm, reopen, escalate: the person who raised the
    issue, the sponsor lead, the decision-maker and sponsor management."""
    return access.is_sponsor and (
        issue.raised_by_id == access.user.pk
        or access.is_sponsor_lead
        or TeamRole.DECISION_MAKER in access.roles
        or TeamRole.SPONSOR_EXECUTIVE in access.roles
        or access.user.org_role in ORG_WIDE_ROLES
    )


def can_write_internal_notes(access: ProjectAccess, obj=None) -> bool:
    """CDMO-internal notes are written (and read) by the CDMO team only."""
    return access.is_cdmo


def can_edit_agreements(access: ProjectAccess, obj=None) -> bool:
    """The agreed response times: the CDMO project manager and CDMO admins."""
    return access.can_manage_project


def can_recognize(access: ProjectAccess, obj=None) -> bool:
    """Recognition is given by the sponsor team."""
    return access.is_sponsor

"""Who may do what with milestones and status updates: the rules, written once.

Every rule takes the `ProjectAccess` of someone who can already see the project
(outsiders never get this far: the selectors answer 404). Services enforce
these rules; views and templates ask them only to decide what to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import TeamRole

if TYPE_CHECKING:
    from .selectors import ProjectAccess


def can_edit_milestones(access: ProjectAccess) -> bool:
    """Create milestones, move forecasts, set status: the CDMO project manager and CDMO admins."""
    return access.can_manage_project


def can_author_updates(access: ProjectAccess) -> bool:
    """Draft, edit, publish, correct and discard status updates."""
    return access.can_manage_project


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

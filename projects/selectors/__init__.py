"""Reads for projects, split by sub-domain; every selector is re-exported here.

Visibility lives in `selectors/project.py` and nowhere else.
"""

from .agreements import (
    SIGNING_ROLES,
    agreement_in_force,
    agreements_for_project,
    has_agreement_in_force,
    pending_agreement,
    signing_leads,
)
from .attachments import (
    update_attachments,
)
from .decisions import (
    decisions_for_user,
    get_decision,
    open_decisions_for_project,
    update_decisions,
)
from .discussion import (
    get_comment,
    update_thread,
)
from .milestones import (
    get_milestone,
    milestone_forecast_history,
    milestones_for_project,
)
from .project import (
    ProjectAccess,
    ProjectFilters,
    access_for,
    access_from_team,
    counterparties_for,
    get_project_for_user,
    get_proposal_for_user,
    project_list,
    projects_visible_to,
    proposal_deciders,
    proposals_visible_to,
    proposals_waiting_for,
    visible_project,
)
from .search import (
    SEARCH_LIMIT,
    matching_text_q,
    picked_project,
    project_label,
    project_search,
)
from .team import (
    SIDE_MANAGER_ROLE,
    TeamGaps,
    candidates_for_team,
    cdmo_project_managers,
    last_side_manager_refusal,
    project_and_team,
    project_team,
    removal_consequences,
    sponsor_team,
    team_gaps,
    team_users,
)
from .updates import (
    correction_changes,
    correction_draft_of,
    get_update,
    last_published_update,
    latest_published_update,
    update_acknowledgements,
    update_revisions,
    updates_for_project,
)

__all__ = [
    "SIGNING_ROLES",
    "agreement_in_force",
    "agreements_for_project",
    "has_agreement_in_force",
    "pending_agreement",
    "signing_leads",
    "SEARCH_LIMIT",
    "matching_text_q",
    "picked_project",
    "project_label",
    "project_search",
    "ProjectAccess",
    "ProjectFilters",
    "SIDE_MANAGER_ROLE",
    "TeamGaps",
    "access_for",
    "access_from_team",
    "candidates_for_team",
    "cdmo_project_managers",
    "correction_changes",
    "correction_draft_of",
    "counterparties_for",
    "decisions_for_user",
    "get_comment",
    "get_decision",
    "get_milestone",
    "get_project_for_user",
    "get_proposal_for_user",
    "get_update",
    "last_published_update",
    "last_side_manager_refusal",
    "latest_published_update",
    "milestone_forecast_history",
    "milestones_for_project",
    "open_decisions_for_project",
    "project_and_team",
    "project_list",
    "project_team",
    "projects_visible_to",
    "proposal_deciders",
    "proposals_visible_to",
    "proposals_waiting_for",
    "removal_consequences",
    "sponsor_team",
    "team_gaps",
    "team_users",
    "update_acknowledgements",
    "update_attachments",
    "update_decisions",
    "update_revisions",
    "update_thread",
    "updates_for_project",
    "visible_project",
]

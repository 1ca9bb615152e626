"""Reads for the service-issue log, by sub-domain. Visibility goes through the project selector.

Sponsor users never receive CDMO-internal timeline entries from any function
here: every timeline read takes the viewer's `ProjectAccess`.
"""

from .agreements import AgreedTimes, agreed_times_for, effective_agreements
from .attachments import get_attachment_for_user, issue_attachments
from .figures import (
    AGE_BUCKETS,
    STILL_WORKED_ON,
    IssueFigures,
    Median,
    figures_by_cdmo,
    figures_for_issues,
    project_figures,
)
from .log import (
    ACTIVE,
    BreachFilter,
    IssueFilters,
    accepted_plan_target,
    breached_q,
    get_issue_for_user,
    issue_in_project,
    issue_list_for_user,
    issue_timeline,
    issues_visible_to,
    overdue_q,
    project_issue_list,
)
from .paging import ListedIssues
from .recognition import (
    issue_recognitions,
    profile_recognition_panel,
    project_recognitions,
    recognitions_by_target,
    recognitions_for_person,
    recognitions_received,
)
from .responses import agreed_escalation_steps, escalation_recipients, get_plan, issue_plans, sponsor_contacts

__all__ = [
    "ACTIVE",
    "accepted_plan_target",
    "AGE_BUCKETS",
    "AgreedTimes",
    "BreachFilter",
    "IssueFigures",
    "ListedIssues",
    "IssueFilters",
    "Median",
    "STILL_WORKED_ON",
    "agreed_escalation_steps",
    "agreed_times_for",
    "breached_q",
    "effective_agreements",
    "escalation_recipients",
    "figures_by_cdmo",
    "figures_for_issues",
    "get_attachment_for_user",
    "get_issue_for_user",
    "get_plan",
    "issue_attachments",
    "issue_in_project",
    "issue_list_for_user",
    "issue_plans",
    "issue_recognitions",
    "issue_timeline",
    "issues_visible_to",
    "overdue_q",
    "project_figures",
    "project_issue_list",
    "profile_recognition_panel",
    "project_recognitions",
    "recognitions_by_target",
    "recognitions_for_person",
    "recognitions_received",
    "sponsor_contacts",
]

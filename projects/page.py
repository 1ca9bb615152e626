"""The frame every project page shares: the header, the tabs and the user's access.

Views of any app that show a project tab call `project_page(...)` and extend
`projects/_layout.html`; the tenancy check happens here, through the selector.
"""

from __future__ import annotations

from django.urls import reverse

from .selectors import get_project_for_user, project_team, team_gaps

# (key, label, URL name), in the order the tabs show.
PROJECT_TABS = [
    ("overview", "Overview", "projects:detail"),
    ("milestones", "Milestones", "projects:milestones"),
    ("updates", "Updates", "projects:updates"),
    ("meetings", "Meetings", "meetings:project_meetings"),
    ("issues", "Service issues", "issues:project_issues"),
    ("team", "Team", "projects:team"),
    ("history", "History", "projects:history"),
]


def project_tabs(project_id: int) -> list[tuple[str, str, str]]:
    return [
        (key, label, reverse(url_name, kwargs={"project_id": project_id}))
        for key, label, url_name in PROJECT_TABS
    ]


def project_page(request, project_id: int, tab: str) -> dict:
    """Context for a project page; Http404 if the user may not see the project."""
    project, access = get_project_for_user(user=request.user, project_id=project_id)
    members = list(project_team(project=project))
    return {
        "project": project,
        "access": access,
        "team": members,
        "gaps": team_gaps(members=members),
        "tab": tab,
        "tabs": project_tabs(project.pk),
        "open_flag_count": project.flags.filter(cleared_at__isnull=True).count(),
    }

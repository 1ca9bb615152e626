"""The frame every project page shares: the header, the tabs and the user's access.

The overview adds its panels (`overview_page`) from the registry in `projects/overview.py`.

Views of any app that show a project tab call `project_page(...)` and extend
`projects/_layout.html`; the tenancy check happens here, through the selector. The tabs come from
the registry in `projects/tabs.py`, which each app fills from its `AppConfig.ready()`; their URLs
are the page's `links` (by tab key), so a panel links to a tab without reversing it again.
"""

from __future__ import annotations

from .overview import overview_panels, read_panels_together
from .overview_rows import contact_items
from .selectors import access_from_team, project_and_team, team_gaps
from .tabs import page_tabs


def project_page(request, project_id: int, tab: str) -> dict:
    """Context for a project page; Http404 if the user may not see the project."""
    return _with_tabs(_frame(request, project_id, tab))


def overview_page(request, project_id: int) -> dict:
    """Context for a project's overview: the frame plus the panels every app registered. The
    panels' reads go first, in one round trip, so the header's badges find theirs made."""
    context = _frame(request, project_id, "overview")
    read_panels_together(context)
    _with_tabs(context)
    context["panels"] = overview_panels(context)
    context["contacts"] = contact_items(context["team"])
    return context


def _frame(request, project_id: int, tab: str) -> dict:
    project, members = project_and_team(user=request.user, project_id=project_id)
    return {
        "project": project,
        "access": access_from_team(user=request.user, project=project, members=members),
        "team": members,
        "gaps": team_gaps(members=members),
        "tab": tab,
    }


def _with_tabs(context: dict) -> dict:
    context["tabs"], context["badges"] = page_tabs(context)
    context["links"] = {item.key: item.url for item in context["tabs"] + context["badges"]}
    return context

"""The read API, version 1: `/api/v1/…` (docs/api.md).

Every list pages by cursor (`paging.page`) in a constant number of queries: the token's read,
the audit row and last use, the page, and one more per prefetched relation (a milestone's
baselines). Every object route answers 404 for what the token's organization does not see.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Swagger

from issues.selectors import issue_timeline
from projects.selectors import organization_access

from . import resources
from .auth import OrganizationToken, RateLimited
from .paging import page
from .schemas import (
    ActionItemOut,
    ChangeRequestOut,
    DecisionOut,
    Error,
    FlagOut,
    ListFilters,
    MeetingOut,
    MilestoneOut,
    Page,
    ProjectOut,
    ScorecardFigureOut,
    ServiceIssueDetailOut,
    ServiceIssueOut,
    StatusUpdateOut,
)

api = NinjaAPI(
    title=f"{settings.PORTAL_NAME} read API",
    version="1",
    description="Read-only JSON for your organization's own systems. Authenticate with "
    "`Authorization: Bearer <token>`; an organization admin makes tokens under Organization › API tokens.",
    auth=OrganizationToken(),
    urls_namespace="api:api-v1",  # under the app namespace of integration/api/urls.py
    # Swagger UI from django-ninja's own static files (no CDN), under the portal's own policy:
    # its page has no inline script (its settings are a JSON block) and React sets styles through
    # the CSSOM, which `style-src 'self'` allows (tests/api/test_docs_browser.py watches for any
    # violation).
    docs=Swagger(settings={"persistAuthorization": False}),
)
ERRORS = {401: Error, 404: Error, 429: Error}


@api.exception_handler(RateLimited)
def rate_limited(request, error: RateLimited):
    response = JsonResponse({"detail": str(error)}, status=429)
    response["Retry-After"] = str(error.seconds)
    return response


def _org(request):
    return request.auth.organization


def _page(request, name: str, filters: ListFilters) -> dict:
    queryset = getattr(resources, name)(_org(request))
    queryset = resources.filtered(
        name, queryset, project=filters.project, status=filters.status, updated_since=filters.updated_since
    )
    return page(queryset, cursor=filters.cursor, limit=filters.limit)


@api.get("/projects", response={200: Page[ProjectOut], **ERRORS}, url_name="projects")
def list_projects(request, filters: Query[ListFilters]):
    """Projects your organization is party to (and its own proposals)."""
    return _page(request, "projects", filters)


@api.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, url_name="project")
def get_project(request, project_id: int):
    return get_object_or_404(resources.projects(_org(request)), pk=project_id)


@api.get("/milestones", response={200: Page[MilestoneOut], **ERRORS}, url_name="milestones")
def list_milestones(request, filters: Query[ListFilters]):
    """Milestones with their baseline history."""
    return _page(request, "milestones", filters)


@api.get("/milestones/{milestone_id}", response={200: MilestoneOut, **ERRORS}, url_name="milestone")
def get_milestone(request, milestone_id: int):
    return get_object_or_404(resources.milestones(_org(request)), pk=milestone_id)


@api.get("/status-updates", response={200: Page[StatusUpdateOut], **ERRORS}, url_name="status_updates")
def list_status_updates(request, filters: Query[ListFilters]):
    """Published status updates (with superseded revisions); never a draft."""
    return _page(request, "status_updates", filters)


@api.get(
    "/status-updates/{statusupdate_id}", response={200: StatusUpdateOut, **ERRORS}, url_name="status_update"
)
def get_status_update(request, statusupdate_id: int):
    return get_object_or_404(resources.status_updates(_org(request)), pk=statusupdate_id)


@api.get("/decisions", response={200: Page[DecisionOut], **ERRORS}, url_name="decisions")
def list_decisions(request, filters: Query[ListFilters]):
    return _page(request, "decisions", filters)


@api.get("/decisions/{decisionrequest_id}", response={200: DecisionOut, **ERRORS}, url_name="decision")
def get_decision(request, decisionrequest_id: int):
    return get_object_or_404(resources.decisions(_org(request)), pk=decisionrequest_id)


@api.get("/change-requests", response={200: Page[ChangeRequestOut], **ERRORS}, url_name="change_requests")
def list_change_requests(request, filters: Query[ListFilters]):
    return _page(request, "change_requests", filters)


@api.get(
    "/change-requests/{changerequest_id}",
    response={200: ChangeRequestOut, **ERRORS},
    url_name="change_request",
)
def get_change_request(request, changerequest_id: int):
    return get_object_or_404(resources.change_requests(_org(request)), pk=changerequest_id)


@api.get("/meetings", response={200: Page[MeetingOut], **ERRORS}, url_name="meetings")
def list_meetings(request, filters: Query[ListFilters]):
    """Meetings; the minutes' text once the minutes were sent."""
    return _page(request, "meetings", filters)


@api.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS}, url_name="meeting")
def get_meeting(request, meeting_id: int):
    return get_object_or_404(resources.meetings(_org(request)), pk=meeting_id)


@api.get("/action-items", response={200: Page[ActionItemOut], **ERRORS}, url_name="action_items")
def list_action_items(request, filters: Query[ListFilters]):
    return _page(request, "action_items", filters)


@api.get("/action-items/{actionitem_id}", response={200: ActionItemOut, **ERRORS}, url_name="action_item")
def get_action_item(request, actionitem_id: int):
    return get_object_or_404(resources.action_items(_org(request)), pk=actionitem_id)


@api.get("/service-issues", response={200: Page[ServiceIssueOut], **ERRORS}, url_name="service_issues")
def list_service_issues(request, filters: Query[ListFilters]):
    """Service issues with their clocks (deadlines, when met, when breached)."""
    return _page(request, "service_issues", filters)


@api.get(
    "/service-issues/{serviceissue_id}",
    response={200: ServiceIssueDetailOut, **ERRORS},
    url_name="service_issue",
)
def get_service_issue(request, serviceissue_id: int):
    """One service issue with its timeline; a sponsor's token never reads CDMO-internal notes."""
    organization = _org(request)
    issue = get_object_or_404(
        resources.service_issues(organization).select_related("project"), pk=serviceissue_id
    )
    access = organization_access(organization=organization, project=issue.project)
    issue.visible_timeline = issue_timeline(issue=issue, access=access)
    return issue


@api.get("/flags", response={200: Page[FlagOut], **ERRORS}, url_name="flags")
def list_flags(request, filters: Query[ListFilters]):
    """Red flags, open and cleared (`status=open` or `cleared`)."""
    return _page(request, "flags", filters)


@api.get("/flags/{flag_id}", response={200: FlagOut, **ERRORS}, url_name="flag")
def get_flag(request, flag_id: int):
    return get_object_or_404(resources.flags(_org(request)), pk=flag_id)


@api.get(
    "/scorecard-figures", response={200: Page[ScorecardFigureOut], **ERRORS}, url_name="scorecard_figures"
)
def list_scorecard_figures(request, filters: Query[ListFilters]):
    """The scorecards' stored figures per project, measure and quarter, where they exist."""
    return _page(request, "scorecard_figures", filters)

"""What a token's organization may read, resource by resource, and the filters of the lists.

Every queryset starts from `projects_visible_to_organization` (projects/selectors): the rule
the pages use, asked for the organization as a whole. Another organization's object is simply not
in the queryset, so the API answers 404 for it, never 403.

`updated_since` (incremental loads) reads `updated_at` where the model keeps one (projects,
milestones, status updates, meetings, service issues). Decisions, change requests and action
items keep no such column but are tracked by django-pghistory: "changed since" is "raised since,
or an audit event since" (the event tables are indexed by object). Flags change only when raised
or cleared; scorecard figures carry the time they were computed.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from issues.models import ServiceIssue
from meetings.models import ActionItem, Meeting
from oversight.monitoring.models import Flag
from oversight.scorecards.models import ProjectFigure
from portal.organizations.models import Organization
from projects.models import ChangeRequest, DecisionRequest, Milestone, MilestoneBaseline, StatusUpdate
from projects.selectors import projects_visible_to_organization


def visible_projects(organization: Organization) -> QuerySet:
    return projects_visible_to_organization(organization=organization)


def _in_visible(model, organization: Organization) -> QuerySet:
    return model.objects.filter(project__in=visible_projects(organization).values("pk"))


def projects(organization: Organization) -> QuerySet:
    return visible_projects(organization).select_related("sponsor", "cdmo")


def milestones(organization: Organization) -> QuerySet:
    baselines = MilestoneBaseline.objects.order_by("set_at", "pk")
    return _in_visible(Milestone, organization).prefetch_related(Prefetch("baselines", queryset=baselines))


def status_updates(organization: Organization) -> QuerySet:
    """Published updates (and superseded revisions, which were published): never a draft."""
    return _in_visible(StatusUpdate, organization).visible_record()


def decisions(organization: Organization) -> QuerySet:
    return _in_visible(DecisionRequest, organization)


def change_requests(organization: Organization) -> QuerySet:
    return _in_visible(ChangeRequest, organization)


def meetings(organization: Organization) -> QuerySet:
    return _in_visible(Meeting, organization)


def action_items(organization: Organization) -> QuerySet:
    return _in_visible(ActionItem, organization).filter(removed_at__isnull=True)


def service_issues(organization: Organization) -> QuerySet:
    return _in_visible(ServiceIssue, organization)


def flags(organization: Organization) -> QuerySet:
    return _in_visible(Flag, organization).select_related("subject_type")


def scorecard_figures(organization: Organization) -> QuerySet:
    return _in_visible(ProjectFigure, organization)


def _event_since(model, since: dt.datetime) -> Exists:
    return Exists(model.pgh_event_model.objects.filter(pgh_obj_id=OuterRef("pk"), pgh_created_at__gte=since))


def _changed_by_events(field: str):
    def changed(queryset: QuerySet, since: dt.datetime) -> QuerySet:
        return queryset.filter(Q(**{f"{field}__gte": since}) | _event_since(queryset.model, since))

    return changed


def _updated_at(queryset: QuerySet, since: dt.datetime) -> QuerySet:
    return queryset.filter(updated_at__gte=since)


def _flag_changed(queryset: QuerySet, since: dt.datetime) -> QuerySet:
    return queryset.filter(Q(raised_at__gte=since) | Q(cleared_at__gte=since))


def _figure_changed(queryset: QuerySet, since: dt.datetime) -> QuerySet:
    return queryset.filter(computed_at__gte=since)


def _flag_status(queryset: QuerySet, status: str) -> QuerySet:
    if status not in {"open", "cleared"}:
        return queryset.none()
    return queryset.filter(cleared_at__isnull=status == "open")


def _status_field(queryset: QuerySet, status: str) -> QuerySet:
    return queryset.filter(status=status)


CHANGED_SINCE = {
    "projects": _updated_at,
    "milestones": _updated_at,
    "status_updates": _updated_at,
    "decisions": _changed_by_events("raised_at"),
    "change_requests": _changed_by_events("raised_at"),
    "meetings": _updated_at,
    "action_items": _changed_by_events("created_at"),
    "service_issues": _updated_at,
    "flags": _flag_changed,
    "scorecard_figures": _figure_changed,
}
STATUS = {"flags": _flag_status, "scorecard_figures": None}


def filtered(
    name: str,
    queryset: QuerySet,
    *,
    project: int | None,
    status: str | None,
    updated_since: dt.datetime | None,
) -> QuerySet:
    """The list's filters: by project, by status (the model's own values; flags: open or
    cleared) and changed at or after `updated_since`."""
    if project is not None:
        queryset = queryset.filter(pk=project) if name == "projects" else queryset.filter(project_id=project)
    if status:
        by_status = STATUS.get(name, _status_field)
        queryset = by_status(queryset, status) if by_status else queryset.none()
    if updated_since is not None:
        if updated_since.tzinfo is None:  # a time without its zone is read as UTC
            updated_since = updated_since.replace(tzinfo=dt.UTC)
        queryset = CHANGED_SINCE[name](queryset, updated_since)
    return queryset

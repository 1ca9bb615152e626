"""Template helpers for milestones and status updates (the header status, slips, RAG colours)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import template
from django.utils import timezone

from portal.core.list_formats import ListDates, link

from ..models import RAG, StatusUpdate, json_date
from ..selectors import latest_published_update, open_decisions_for_project
from ..svg import slip_level as _slip_level

register = template.Library()


@register.simple_tag(takes_context=True)
def latest_update(context, project):
    """The project's latest published update (overall status and when), or None. One query, or
    none when the page has loaded it already (the overview: `latest_update` in its context)."""
    if "latest_update" in context and context.get("project") == project:
        return context["latest_update"]
    return latest_published_update(project=project)


@dataclass(frozen=True)
class HeaderStatus:
    """What the project header says of the latest update, ready to print."""

    update: StatusUpdate
    url: str
    rag_label: str
    cadence: str  # "Updates are due every 7 days; the next one by 4 Dec"
    since: str  # "today", "yesterday", "6 days ago"
    tone: str  # "", " badge-amber" (older than the cadence) or " badge-red" (the next one overdue)
    overdue: bool


@register.simple_tag(takes_context=True)
def header_status(context, project) -> HeaderStatus | None:
    """The header's status badges (templates/projects/_header_status.html), worked out at once
    rather than through a dozen tags and filters on every project page; None before any update."""
    update = latest_update(context, project)
    if update is None:
        return None
    since = days_since(project.last_update_published_at or update.published_at)
    overdue = update_overdue(project)
    cadence = project.update_cadence_days
    due = getattr(project, "next_update_due", None)
    return HeaderStatus(
        update=update,
        url=link("projects:update", project_id=update.project_id, statusupdate_id=update.pk),
        rag_label=dict(RAG.choices).get(update.overall_rag, update.overall_rag),
        cadence=f"Updates are due every {cadence} day{'' if cadence == 1 else 's'}"
        + (f"; the next one by {ListDates().day_month(due)}" if due else ""),
        since="today" if since == 0 else "yesterday" if since == 1 else f"{since} days ago",
        tone=" badge-red" if overdue else " badge-amber" if since is not None and since > cadence else "",
        overdue=overdue,
    )


@register.simple_tag
def days_since(moment) -> int | None:
    if moment is None:
        return None
    return (timezone.localdate() - timezone.localtime(moment).date()).days


@register.simple_tag
def open_decisions(project, limit: int = 10):
    return list(open_decisions_for_project(project=project)[:limit])


@register.filter
def slip_level(milestone) -> str:
    return _slip_level(milestone.slip_days, milestone.status)


@register.filter
def slip_label(days: int | None) -> str:
    if days is None:
        return ""
    if days > 0:
        return f"+{days} day{'s' if days != 1 else ''}"
    if days < 0:
        return f"{days} day{'s' if days != -1 else ''}"
    return "On baseline"


@register.filter
def duration_words(delta: datetime.timedelta | None) -> str:
    """ "3 h 20 min", "2 days 4 h": how long something took, for people."""
    if delta is None:
        return ""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min" if minutes else "under a minute"


@register.filter
def parse_date(value):
    """ISO dates kept in an update's JSON rows, as dates."""
    return json_date(value)


@register.filter
def days_until(day) -> int | None:
    day = parse_date(day)
    if day is None:
        return None
    return (day - timezone.localdate()).days


@register.filter
def human_size(size: int | None) -> str:
    if not size:
        return "0 KB"
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@register.filter
def past_due(milestone, today) -> bool:
    """An open milestone whose forecast date has passed."""
    return milestone.is_overdue(today)


@register.filter
def overdue_at(question, now) -> bool:
    """An unanswered question past its agreed response time."""
    return question.is_overdue(now)


@register.simple_tag
def update_overdue(project) -> bool:
    """The project's next update was due before today (set when an update is published)."""
    due = getattr(project, "next_update_due", None)
    return due is not None and due < timezone.localdate()

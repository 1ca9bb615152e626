"""Small display helpers for service issues: countdowns, ages, business hours, shares."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from portal.core.business_time import describe_business_hours

from .. import workflow

register = template.Library()


def _span(delta: dt.timedelta) -> str:
    """A short human duration: "2d 3h", "3h 20m", "12m"."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 60 * 24)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{max(minutes, 1)}m"


@register.simple_tag
def countdown(deadline: dt.datetime | None, now: dt.datetime | None = None) -> dict:
    """{"text": "due in 3h 20m" / "overdue by 1d 2h", "overdue": bool} for a deadline."""
    if deadline is None:
        return {"text": "", "overdue": False}
    now = now or timezone.now()
    if deadline <= now:
        return {"text": f"overdue by {_span(now - deadline)}", "overdue": True, "soon": False}
    remaining = deadline - now
    return {
        "text": f"due in {_span(remaining)}",
        "overdue": False,
        "soon": remaining <= dt.timedelta(hours=4),
    }


@register.filter
def age(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return _span(timezone.now() - moment)


@register.filter
def span_between(start: dt.datetime | None, end: dt.datetime | None) -> str:
    if not start or not end:
        return ""
    return _span(end - start)


@register.filter
def business_hours(value) -> str:
    if value is None or value == "":
        return "—"
    value = float(value)
    if value < 1:
        return f"{round(value * 60)} business minutes"
    if value >= 16:
        return f"{value / 8:.1f} business days".replace(".0 ", " ")
    return f"{value:.1f} business hours".replace(".0 ", " ")


@register.filter
def agreed(hours) -> str:
    return describe_business_hours(hours) if hours is not None else "—"


@register.filter
def percent(share) -> str:
    if share is None:
        return "—"
    return f"{share * 100:.0f}%"


@register.filter
def severity_badge(severity: str) -> str:
    """The badge style of a severity (workflow.SEVERITY_BADGES)."""
    return workflow.SEVERITY_BADGES.get(severity, "")


@register.filter
def status_badge(status: str) -> str:
    """The badge style of a status (workflow.STATUS_BADGES)."""
    return workflow.STATUS_BADGES.get(status, "")


@register.filter
def waiting_for(issue, cdmo) -> str:
    """What the issue is waiting for, in one sentence (workflow.WAITING_FOR)."""
    return format_html(workflow.WAITING_FOR[issue.status], cdmo=cdmo)

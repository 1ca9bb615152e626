from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from portal.core import timezones
from portal.core.actions import actions_for
from portal.core.permissions import ask

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: dictionary lookup with a variable key (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def ago(value):
    """ "3 days ago", "yesterday", "5 hours ago": one unit, for glanceable tables."""
    if not value:
        return ""
    delta = timezone.now() - value
    if delta.days == 1:
        return "yesterday"
    return f"{timesince(value, depth=1)} ago" if delta.total_seconds() >= 60 else "just now"


@register.simple_tag
def can(rule, access, obj=None) -> bool:
    """`{% can "meetings.prepare" access meeting as may_prepare %}`: the app's own rule, asked once."""
    return ask(rule, access, obj)


@register.simple_tag
def time_span(start, end, style="long") -> str:
    """`{% time_span meeting.starts_at meeting.ends_at "short" %}` in the active zone: one
    date when the meeting starts and ends on the same local day, both when it crosses midnight."""
    return timezones.time_span(start, end, style=style)


@register.simple_tag
def object_actions(obj, access) -> list:
    """`{% object_actions meeting access as actions %}`: what apps above offer this viewer on `obj`
    (portal.core.actions), e.g. the sponsor's "Recognize"."""
    return actions_for(obj, access)

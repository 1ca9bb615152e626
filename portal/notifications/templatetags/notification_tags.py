import datetime as dt

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

register = template.Library()


@register.filter
def when(value: dt.datetime) -> str:
    """Relative ("5 minutes ago") within the day, a plain date and time beyond it, in the active zone."""
    if value is None:
        return ""
    if timezone.now() - value < dt.timedelta(hours=20):
        return naturaltime(value)
    local = timezone.localtime(value)
    fmt = "D j M, H:i" if local.year == timezone.localtime().year else "j M Y, H:i"
    return date_filter(local, fmt)

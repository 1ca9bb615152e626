import datetime as dt

from django import forms
from django.conf import settings

from portal.core.forms import PortalForm


def end_of_day(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The instant `day` ends in `zone` (the next day's midnight there): when a token expiring
    on `day` stops working."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def zone_label(zone: dt.tzinfo) -> str:
    return str(zone).replace("_", " ")


class TokenForm(PortalForm):
    """The expiry is a day in the organization's time zone: the token works until that day ends
    there. The list shows the same day, whatever the viewer's own time zone (docs/api.md)."""

    name = forms.CharField(max_length=100, help_text="What will use it, so you know which to revoke.")
    expires_on = forms.DateField(label="Expires on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: dt.date, zone: dt.tzinfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.zone = today, zone
        field = self.fields["expires_on"]
        field.initial = today + dt.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
        field.help_text = (
            f"The last day it works: it stops at the end of that day, {zone_label(zone)} time "
            f"(the organization's time zone). At most {settings.API_TOKEN_MAX_DAYS} days ahead."
        )

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value <= self.today:
            raise forms.ValidationError("Choose a day after today.")
        if value > self.today + dt.timedelta(days=settings.API_TOKEN_MAX_DAYS):
            raise forms.ValidationError(f"At most {settings.API_TOKEN_MAX_DAYS} days ahead.")
        return value

    @property
    def expires_at(self) -> dt.datetime:
        return end_of_day(self.cleaned_data["expires_on"], self.zone)

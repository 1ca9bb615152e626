import datetime as dt

from django import forms
from django.conf import settings

from portal.core.forms import PortalForm


class TokenForm(PortalForm):
    name = forms.CharField(max_length=100, help_text="What will use it, so you know which to revoke.")
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"At most {settings.API_TOKEN_MAX_DAYS} days ahead; the token stops working that day (UTC).",
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["expires_on"].initial = today + dt.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value <= self.today:
            raise forms.ValidationError("Choose a day after today.")
        if value > self.today + dt.timedelta(days=settings.API_TOKEN_MAX_DAYS):
            raise forms.ValidationError(f"At most {settings.API_TOKEN_MAX_DAYS} days ahead.")
        return value

    @property
    def expires_at(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["expires_on"], dt.time.min, tzinfo=dt.UTC)

from django import forms

from portal.core.forms import PortalForm

from .models import EmailMode

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


class PreferencesForm(PortalForm):
    email_mode = forms.ChoiceField(label="Email me", choices=EmailMode.choices, widget=forms.RadioSelect)
    digest_hour = forms.TypedChoiceField(
        label="Send the daily digest at",
        choices=HOUR_CHOICES,
        coerce=int,
        help_text="In your time zone. Used only with the daily digest.",
    )

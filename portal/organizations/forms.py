from django import forms

from portal.accounts.models import User
from portal.core.forms import PortalForm, PortalModelForm
from portal.core.timezones import time_zone_choices

from .models import OrgRole


class InvitationForm(PortalForm):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=200, required=False, label="Full name (optional)")
    org_role = forms.ChoiceField(choices=OrgRole.choices, initial=OrgRole.MEMBER, label="Organization role")


class InvitationAcceptForm(PortalForm):
    """A new member's time zone starts as their organization's: preselected, and taken when the
    form sends none. A zone they choose instead is kept."""

    full_name = forms.CharField(max_length=200)
    time_zone = forms.ChoiceField(
        choices=time_zone_choices, help_text="Dates and times are shown in this zone."
    )
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password (again)", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, organization_time_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = organization_time_zone
        if self.is_bound and not self.data.get("time_zone"):
            self.data = self.data.copy()
            self.data["time_zone"] = organization_time_zone

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        return data


class MemberForm(PortalModelForm):
    class Meta:
        model = User
        fields = ["org_role", "is_active"]
        labels = {"is_active": "Active (can sign in)"}


class MFARequirementForm(PortalForm):
    require_mfa = forms.BooleanField(required=False, label="Require two-factor authentication for everyone")

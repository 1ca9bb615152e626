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
    full_name = forms.CharField(max_length=200)
    time_zone = forms.ChoiceField(choices=time_zone_choices, initial="UTC")
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password (again)", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

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

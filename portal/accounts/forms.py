from allauth.account.forms import LoginForm
from allauth.account.utils import get_next_redirect_url
from django import forms

from portal.core.forms import HostileInputMixin, PortalModelForm

from .models import User
from .sign_in import route_for_email


class ProfileForm(PortalModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "time_zone"]
        help_texts = {"time_zone": "Every date and time in the portal is shown in this zone."}


class PortalLoginForm(HostileInputMixin, LoginForm):
    """allauth's sign-in, where the password may be left empty when the email's domain signs in
    through its organization's identity provider: the form then sends the person there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].required = False
        self.start_single_sign_on = None

    def clean(self):
        cleaned = forms.Form.clean(self)
        if self._errors:
            return cleaned
        if not cleaned.get("password"):
            self.start_single_sign_on = route_for_email(cleaned["login"])
            if self.start_single_sign_on is None:
                self.add_error("password", "Enter your password.")
            return cleaned
        return super().clean()

    def login(self, request, redirect_url=None):
        if self.start_single_sign_on is not None:
            # allauth's `redirect_url` here is its sign-in-by-code step; only a safe `next` travels.
            return self.start_single_sign_on(request, get_next_redirect_url(request))
        return super().login(request, redirect_url=redirect_url)

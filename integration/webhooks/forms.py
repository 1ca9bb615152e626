"""The subscription form (adding and editing one): an endpoint the portal may send to and at least
one event."""

from django import forms

from portal.core.events import EVENTS
from portal.core.forms import PortalForm

from .endpoints import endpoint_problem


class SubscriptionForm(PortalForm):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        help_text="An https:// address of your own systems; events are POSTed there as signed JSON.",
    )
    description = forms.CharField(max_length=200, required=False, help_text="What receives it (optional).")
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple, label="Events to send"
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = endpoint_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


class SubscriptionEditForm(SubscriptionForm):
    """The same fields and checks as when it was added, plus the version the form was filled
    from: an edit made meanwhile by another admin is not overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

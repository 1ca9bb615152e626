"""What change requests and decision requests share: the recommended option, and the decider's
two forms (approve one option, reject with a reason)."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm

from ..models import MAX_OPTIONS


def recommended_field(*, required: bool = True) -> forms.TypedChoiceField:
    """Which of the (up to MAX_OPTIONS) options typed is recommended, by number."""
    return forms.TypedChoiceField(
        label="Recommended option",
        coerce=int,
        empty_value=None,
        required=required,
        choices=[(n, f"Option {n}") for n in range(1, MAX_OPTIONS + 1)],
        widget=forms.RadioSelect,
    )


def recommendation_field(*, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label="Why this option",
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
        help_text="Your reasoning, in full: the decider reads it beside the options.",
    )


class _DecisionForm(PortalForm):
    """A decider's dialog; with a `version` (a change request, which can be edited while it is
    proposed), it carries the version it was shown with, so a decision on an edited request is
    refused (docs/change-requests.md)."""

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=version)


class ApproveOptionForm(_DecisionForm):
    """Approve one of `record`'s current options (a change or decision request), the recommended
    one first."""

    option = forms.TypedChoiceField(label="Approve option", coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {option.pk: option for option in record.current_options}
        self.fields["option"].choices = [(pk, option.label) for pk, option in self.options.items()]
        self.fields["option"].initial = record.recommended_option_id

    def chosen(self):
        return self.options[self.cleaned_data["option"]]


class RejectForm(_DecisionForm):
    reason = forms.CharField(
        label="Reason for rejecting",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Give the reason for rejecting; the other side reads it."},
    )

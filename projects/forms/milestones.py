"""Forms for milestones. They check what was typed; the services decide the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from portal.accounts.models import User
from portal.core.forms import PortalForm

from ..models import Milestone, MilestoneKind, MilestoneStatus
from ._widgets import DATE


class MilestoneCreateForm(PortalForm):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner yet")
    baseline_date = forms.DateField(
        widget=DATE,
        help_text="The date as contracted. The forecast starts here; moving it later needs a reason, "
        "and moving the baseline an approved change request.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team


class MilestoneChangeForm(PortalForm):
    """Status and forecast, as in the table row; the full page adds the details."""

    status = forms.ChoiceField(choices=MilestoneStatus.choices)
    forecast_date = forms.DateField(widget=DATE)
    actual_date = forms.DateField(widget=DATE, required=False, help_text="Needed when the status is Done.")
    reason = forms.CharField(
        label="Reason for moving the forecast",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the forecast moves. The sponsor's team is emailed and it stays on record.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, milestone: Milestone, **kwargs):
        initial = {
            "status": milestone.status,
            "forecast_date": milestone.forecast_date,
            "actual_date": milestone.actual_date,
            "version": milestone.version,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.milestone = milestone

    @property
    def forecast_moved(self) -> bool:
        new = self.cleaned_data.get("forecast_date")
        return new is not None and new != self.milestone.forecast_date

    def clean(self):
        data = super().clean()
        if self.forecast_moved and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                "Give the reason for moving the forecast: the sponsor is told and it stays on record.",
            )
        if data.get("status") == MilestoneStatus.DONE and not data.get("actual_date"):
            self.add_error("actual_date", "Give the date the milestone was actually done.")
        actual = data.get("actual_date")
        if actual and actual > timezone.localdate():
            self.add_error("actual_date", "The actual date cannot be in the future.")
        return data


class MilestoneEditForm(MilestoneChangeForm):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner yet")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    field_order = ["title", "kind", "owner", "status", "forecast_date", "actual_date", "reason", "notes"]

    def __init__(self, *args, milestone: Milestone, team, **kwargs):
        super().__init__(*args, milestone=milestone, **kwargs)
        self.fields["owner"].queryset = team
        for name in ("title", "kind", "owner", "notes"):
            self.initial[name] = getattr(milestone, name)

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "kind", "owner", "notes")}

"""The form the sponsor records a decision with."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm


class DecisionResolveForm(PortalForm):
    decision_note = forms.CharField(
        label="The sponsor's decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Write down what was decided."},
        help_text="Recorded with your name and the time; it cannot be changed afterwards.",
    )

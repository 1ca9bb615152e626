"""The cross-project change log's filters."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm

from ..models import ChangeStatus, Side
from ..selectors.changes import ChangeLogFilters


class ChangeLogFilterForm(PortalForm):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Project or party",
        widget=forms.SearchInput(attrs={"placeholder": "Code, name, sponsor or CDMO"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ChangeStatus.choices])
    side = forms.ChoiceField(required=False, label="Raised by", choices=[("", "Either side"), *Side.choices])
    overdue = forms.BooleanField(required=False, label="Past needed-by only")

    def to_filters(self) -> ChangeLogFilters:
        """What was asked, each field that did not validate left out (no filter rather than an error)."""
        if not self.is_bound:
            return ChangeLogFilters()
        self.is_valid()
        data = self.cleaned_data
        return ChangeLogFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            side=data.get("side") or "",
            overdue=bool(data.get("overdue")),
        )

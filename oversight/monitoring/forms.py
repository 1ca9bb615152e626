from django import forms

from portal.core.forms import PortalForm
from portal.organizations.models import Organization
from projects.models import RAG, ProjectStatus

from .models import FlagKind
from .selectors import DashboardFilters


class DashboardFilterForm(PortalForm):
    q = forms.CharField(
        required=False, label="Search", widget=forms.SearchInput(attrs={"placeholder": "Code or name"})
    )
    counterparty = forms.ModelChoiceField(required=False, queryset=Organization.objects.none())
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *ProjectStatus.choices], initial="active"
    )
    overall = forms.ChoiceField(
        required=False, label="Overall status", choices=[("", "Any"), *RAG.choices, ("none", "No update yet")]
    )
    flag_kind = forms.ChoiceField(required=False, label="Open flag", choices=[("", "Any"), *FlagKind.choices])
    attention_only = forms.BooleanField(required=False, label="Needs attention only")

    def __init__(self, *args, counterparties, counterparty_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = counterparties
        self.fields["counterparty"].label = counterparty_label
        self.fields["counterparty"].empty_label = f"Any {counterparty_label}"

    def to_filters(self) -> DashboardFilters:
        if not self.is_bound:
            return DashboardFilters()
        data = self.cleaned_data if self.is_valid() else {}
        counterparty = data.get("counterparty")
        return DashboardFilters(
            q=(data.get("q") or "").strip(),
            counterparty=counterparty.pk if counterparty else None,
            status=data.get("status", "active") if "status" in self.data else "active",
            overall=data.get("overall", ""),
            flag_kind=data.get("flag_kind", ""),
            attention_only=bool(data.get("attention_only")),
            sort=self.data.get("sort", ""),  # not a field: junk falls back to the default order
        )

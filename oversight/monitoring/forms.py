from django import forms

from portal.core.forms import PortalForm
from portal.organizations.models import Organization
from projects.models import RAG, ProjectStatus
from projects.selectors import counterparties_for

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


def dashboard_filter_form(*, user, data) -> DashboardFilterForm:
    """The dashboard's filters as `user` sees them, bound to `data` (a query string) if any."""
    return DashboardFilterForm(
        data or None,
        counterparties=counterparties_for(user=user),
        counterparty_label="CDMO" if user.organization.is_sponsor else "Sponsor",
    )


def filter_parameters(data) -> dict[str, str]:
    """The dashboard's filters and order from a query string, as a document's parameters: only
    the known keys, each value as typed (cut at 200 characters). Which keys are present matters
    (no `status` means the default, active; an empty one means any)."""
    keys = (*DashboardFilterForm.base_fields, "sort")
    return {key: str(data.get(key, ""))[:200] for key in keys if key in data}

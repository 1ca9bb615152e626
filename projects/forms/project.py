"""Forms for projects: the list filters, creating and editing a project."""

from django import forms

from portal.core.forms import PortalForm, PortalModelForm
from portal.organizations.models import Organization, OrganizationKind

from ..models import (
    PROJECT_EDITABLE_FIELDS,
    Modality,
    Phase,
    Project,
    ProjectStatus,
    ServiceScope,
)
from ..selectors import ProjectFilters


class ProjectFilterForm(PortalForm):
    q = forms.CharField(
        required=False, label="Search", widget=forms.SearchInput(attrs={"placeholder": "Code or name"})
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ProjectStatus.choices])
    phase = forms.ChoiceField(required=False, choices=[("", "Any phase"), *Phase.choices])
    sponsor = forms.ModelChoiceField(
        required=False, queryset=Organization.objects.none(), empty_label="Any sponsor"
    )
    cdmo = forms.ModelChoiceField(
        required=False, queryset=Organization.objects.none(), empty_label="Any CDMO", label="CDMO"
    )

    def __init__(self, *args, counterparties, user_org, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the other side is worth filtering by: a sponsor filters by CDMO and vice versa.
        if user_org.kind == OrganizationKind.SPONSOR:
            del self.fields["sponsor"]
            self.fields["cdmo"].queryset = counterparties
        else:
            del self.fields["cdmo"]
            self.fields["sponsor"].queryset = counterparties

    def to_filters(self) -> ProjectFilters:
        data = self.cleaned_data if self.is_valid() else {}
        sponsor = data.get("sponsor")
        cdmo = data.get("cdmo")
        return ProjectFilters(
            status=data.get("status", ""),
            phase=data.get("phase", ""),
            sponsor=sponsor.pk if sponsor else None,
            cdmo=cdmo.pk if cdmo else None,
            q=(data.get("q") or "").strip(),
        )


# The project's settings a working agreement in force sets (and the edit form then only shows).
AGREED_FIELDS = ("update_cadence_days", "question_response_days")


class ProjectForm(PortalModelForm):
    service_scope = forms.MultipleChoiceField(
        choices=ServiceScope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = list(PROJECT_EDITABLE_FIELDS)
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, agreed: bool = False, **kwargs):
        """`agreed`: a working agreement is in force, so its terms show but are not edited here."""
        super().__init__(*args, **kwargs)
        if agreed:
            for name in AGREED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Set by the working agreement in force."
        self.fields["modality"].choices = Modality.choices
        self.fields["phase"].choices = Phase.choices
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def project_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.cleaned_data and not self.fields[name].disabled
        }


class ProjectCreateForm(ProjectForm):
    counterparty = forms.ModelChoiceField(queryset=Organization.objects.none())

    class Meta(ProjectForm.Meta):
        fields = ProjectForm.Meta.fields

    field_order = ["counterparty", "code", "name"]

    def __init__(self, *args, user_org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        other_kind = OrganizationKind.CDMO if user_org.is_sponsor else OrganizationKind.SPONSOR
        self.fields["counterparty"].queryset = Organization.objects.filter(kind=other_kind).order_by("name")
        self.fields["counterparty"].label = "CDMO" if user_org.is_sponsor else "Sponsor"
        del self.fields["version"]
        del self.fields["status"]


class ProposalDeclineForm(PortalForm):
    reason = forms.CharField(
        label="Why do you decline?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why you decline, so the proposer knows what to change."},
        help_text="The proposer reads this. The proposal is kept, marked declined.",
    )

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.business_time import describe_business_hours
from portal.core.forms import PortalForm
from portal.core.uploads import max_megabytes
from projects.forms import ProjectPickerForm

from .attachments import ACCEPT_ATTRIBUTE, ALLOWED_DESCRIPTION, MAX_FILES_PER_UPLOAD, check_upload
from .models import Category, IssueStatus, Severity
from .selectors import ACTIVE, AgreedTimes, BreachFilter, IssueFilters


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one checked against the attachment rules."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        # An empty file is refused by check_upload with the uploads module's "“name” is empty."
        kwargs.setdefault("allow_empty_file", True)
        kwargs.setdefault(
            "help_text",
            f"Up to {MAX_FILES_PER_UPLOAD} files, {max_megabytes()} MB each: {ALLOWED_DESCRIPTION}.",
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(f, initial) for f in files if f]
        if self.required and not files:
            raise ValidationError("Choose at least one file.")
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise ValidationError(f"Attach at most {MAX_FILES_PER_UPLOAD} files at a time.")
        errors = []
        for upload in files:
            try:
                check_upload(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files


class IssueFilterForm(ProjectPickerForm):
    """Filters of an issue list; across projects (`user` given) with a project picker."""

    q = forms.CharField(
        required=False, label="Search", widget=forms.SearchInput(attrs={"placeholder": "Words in the title"})
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), (ACTIVE, "Not closed"), *IssueStatus.choices]
    )
    severity = forms.ChoiceField(required=False, choices=[("", "Any severity"), *Severity.choices])
    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *Category.choices])
    breach = forms.ChoiceField(required=False, label="Agreed times", choices=BreachFilter.CHOICES)

    def to_filters(self) -> IssueFilters:
        # Junk in the query string filters nothing rather than failing the page.
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        choice = self.project_choice()
        return IssueFilters(
            status=data.get("status", ""),
            severity=data.get("severity", ""),
            category=data.get("category", ""),
            breach=data.get("breach", ""),
            project=choice.project_id,
            project_text=choice.text,
            q=(data.get("q") or "").strip(),
        )


class RaiseIssueForm(PortalForm):
    severity = forms.ChoiceField(choices=Severity.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(choices=[("", "Choose a category"), *Category.choices])
    title = forms.CharField(
        max_length=200,
        help_text="One line the CDMO will recognize, e.g. “CoA for batch 0423 three weeks late”.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="What happened, when, and who was involved."
    )
    impact = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What this means for the program: dates, cost, quality, your own commitments.",
    )
    desired_outcome = forms.CharField(
        label="Desired outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What would resolve this for you.",
    )
    attachments = MultipleFileField()

    def __init__(self, *args, agreements: list[AgreedTimes], **kwargs):
        super().__init__(*args, **kwargs)
        labels = []
        for agreed in agreements:
            labels.append(
                (
                    agreed.severity,
                    f"{agreed.severity_label}: acknowledged within {describe_business_hours(agreed.acknowledge_within_hours)}, "
                    f"plan within {describe_business_hours(agreed.plan_within_hours)}",
                )
            )
        self.fields["severity"].choices = labels


class NoteOptionalForm(PortalForm):
    note = forms.CharField(
        required=False, label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AcknowledgeForm(NoteOptionalForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = "Say who is looking into it and when the sponsor will hear next."


class AcceptPlanForm(NoteOptionalForm):
    pass


class ConfirmClosedForm(NoteOptionalForm):
    pass


class RequiredTextForm(PortalForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    label = "Note"
    help_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = self.label
        self.fields["text"].help_text = self.help_text


class SendBackPlanForm(RequiredTextForm):
    label = "Why the plan does not work for you"
    help_text = "The CDMO reads this before proposing a new plan."


class ResolveForm(RequiredTextForm):
    label = "What was done"
    help_text = "The sponsor reads this before confirming the issue is resolved."


class ReopenForm(RequiredTextForm):
    label = "Why the issue is not resolved"


class EscalateForm(RequiredTextForm):
    label = "Reason for escalating"
    help_text = "The people at the next level of the escalation ladder get this by email."


class PlanForm(PortalForm):
    owner = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose the owner",
        help_text="The person at the CDMO who carries the plan out.",
    )
    steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text="What will be done, by whom, in which order.",
    )
    target_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="When the issue will be resolved."
    )

    def __init__(self, *args, owners, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.today = today or timezone.localdate()

    def clean_target_date(self):
        target = self.cleaned_data["target_date"]
        if target < self.today:
            raise ValidationError("The target date cannot be in the past.")
        return target


class NoteForm(PortalForm):
    text = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    internal = forms.BooleanField(
        required=False, label="Internal note: only the CDMO team sees it (never the sponsor)"
    )

    def __init__(self, *args, allow_internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_internal:
            del self.fields["internal"]


class AttachmentForm(PortalForm):
    files = MultipleFileField(required=True, label="Files")


class AgreementForm(PortalForm):
    """Agreed response times for the three severities, in business hours."""

    def __init__(self, *args, agreements: list[AgreedTimes], **kwargs):
        super().__init__(*args, **kwargs)
        self.agreements = agreements
        for agreed in agreements:
            self.fields[f"{agreed.severity}_acknowledge"] = forms.IntegerField(
                label="Acknowledge within",
                min_value=1,
                max_value=400,
                initial=agreed.acknowledge_within_hours,
                help_text="Business hours",
            )
            self.fields[f"{agreed.severity}_plan"] = forms.IntegerField(
                label="Resolution plan within",
                min_value=1,
                max_value=800,
                initial=agreed.plan_within_hours,
                help_text="Business hours, counted from when the issue is raised",
            )

    def clean(self):
        cleaned = super().clean()
        for agreed in self.agreements:
            ack = cleaned.get(f"{agreed.severity}_acknowledge")
            plan = cleaned.get(f"{agreed.severity}_plan")
            if ack and plan and plan < ack:
                self.add_error(
                    f"{agreed.severity}_plan", "The plan cannot be due before the acknowledgement."
                )
        return cleaned

    def rows(self):
        """(agreed times, acknowledge field, plan field) per severity, for the template."""
        return [(a, self[f"{a.severity}_acknowledge"], self[f"{a.severity}_plan"]) for a in self.agreements]

    def changes(self) -> list[tuple[str, int, int]]:
        """(severity, acknowledge hours, plan hours) for each severity whose times changed."""
        result = []
        for agreed in self.agreements:
            ack = self.cleaned_data[f"{agreed.severity}_acknowledge"]
            plan = self.cleaned_data[f"{agreed.severity}_plan"]
            if (ack, plan) != (agreed.acknowledge_within_hours, agreed.plan_within_hours):
                result.append((agreed.severity, ack, plan))
        return result


class KudosForm(PortalForm):
    note = forms.CharField(
        label="What was good",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A sentence or two; the CDMO team reads it on the project and on their recognition page.",
    )
    recipient = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Who deserves the credit",
        empty_label="The whole CDMO team",
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = people

"""Forms for milestones and status updates. They check what was typed; the services decide the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from portal.accounts.models import User
from portal.core.forms import PortalForm, PortalModelForm

from .attachments import ACCEPT_ATTRIBUTE, ACCEPTED_DESCRIPTION, MAX_ATTACHMENT_BYTES
from .models import RAG, RAG_FIELDS, CommentKind, Milestone, MilestoneKind, MilestoneStatus, StatusUpdate

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MilestoneCreateForm(PortalForm):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner yet")
    baseline_date = forms.DateField(
        widget=DATE,
        help_text="The date as contracted. The forecast starts here; moving it later needs a reason.",
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


class StatusUpdateForm(PortalModelForm):
    """The draft's own fields. Nothing is required to save a draft; publishing checks completeness."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = StatusUpdate
        fields = ["title", "period_start", "period_end", *RAG_FIELDS, "summary", "progress", "risks"]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "progress": forms.Textarea(attrs={"rows": 6}),
            "risks": forms.Textarea(attrs={"rows": 4}),
            "title": forms.TextInput(
                attrs={"placeholder": "e.g. Engineering batch EB-02 complete; titre above target"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RAG_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=self.fields[name].label, choices=RAG.choices, required=False, widget=forms.RadioSelect
            )
        for name, field in self.fields.items():
            if name not in ("period_start", "period_end", "version"):
                field.required = False
        if self.instance.is_correction:
            self.fields["correction_reason"] = forms.CharField(
                label="What this correction fixes",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Shown to the sponsor with the list of what changed.",
            )
            self.initial["correction_reason"] = self.instance.correction_reason
        self.initial["version"] = self.instance.version

    def content(self) -> dict:
        names = [*self.Meta.fields]
        if "correction_reason" in self.fields:
            names.append("correction_reason")
        return {name: self.cleaned_data.get(name) or "" for name in names} | {
            "period_start": self.cleaned_data["period_start"],
            "period_end": self.cleaned_data["period_end"],
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after the day it starts.")
        return data


class NextStepForm(PortalForm):
    description = forms.CharField(max_length=500, required=False, label="Next step")
    due = forms.DateField(widget=DATE, required=False, label="Due")

    def item(self) -> dict | None:
        description = (self.cleaned_data.get("description") or "").strip()
        due = self.cleaned_data.get("due")
        if not description and not due:
            return None
        return {"description": description, "due": due.isoformat() if due else None}


class DecisionNeededForm(PortalForm):
    title = forms.CharField(max_length=300, required=False, label="Decision needed")
    needed_by = forms.DateField(widget=DATE, required=False, label="Needed by")
    source_decision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def item(self) -> dict | None:
        title = (self.cleaned_data.get("title") or "").strip()
        needed_by = self.cleaned_data.get("needed_by")
        if not title and not needed_by:
            return None
        return {
            "title": title,
            "needed_by": needed_by.isoformat() if needed_by else None,
            "source_decision": self.cleaned_data.get("source_decision"),
        }


NextStepFormSet = forms.formset_factory(NextStepForm, extra=2, max_num=30, validate_max=True)
DecisionFormSet = forms.formset_factory(DecisionNeededForm, extra=1, max_num=20, validate_max=True)


def _rows(items, keys):
    return [{key: item.get(key) for key in keys} for item in items or []]


def update_forms(
    update: StatusUpdate, data=None
) -> tuple[StatusUpdateForm, forms.BaseFormSet, forms.BaseFormSet]:
    """The update form and its two row sets, bound to `data` or prefilled from the draft."""
    form = StatusUpdateForm(data, instance=update)
    steps = NextStepFormSet(
        data, prefix="steps", initial=None if data else _rows(update.next_steps, ("description", "due"))
    )
    decisions = DecisionFormSet(
        data,
        prefix="decisions",
        initial=None if data else _rows(update.decisions_needed, ("title", "needed_by", "source_decision")),
    )
    return form, steps, decisions


def update_content(form, steps, decisions) -> dict:
    """Everything to save from a valid set of forms."""
    content = form.content()
    content["next_steps"] = [item for f in steps.forms if (item := f.item())]
    content["decisions_needed"] = [item for f in decisions.forms if (item := f.item())]
    return content


class AttachmentForm(PortalForm):
    file = forms.FileField(
        label="Attach a file",
        help_text=f"{ACCEPTED_DESCRIPTION}; up to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


class CommentForm(PortalForm):
    body = forms.CharField(
        label="Your comment or question",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Write something first."},
    )
    kind = forms.ChoiceField(
        choices=[
            (CommentKind.COMMENT, "Comment"),
            (CommentKind.QUESTION, "Question (starts the response clock)"),
        ],
        initial=CommentKind.COMMENT,
        widget=forms.RadioSelect,
        required=False,
    )
    is_internal = forms.BooleanField(required=False, label="CDMO-internal note (the sponsor never sees it)")

    def __init__(self, *args, may_ask: bool, may_post_internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_ask:
            del self.fields["kind"]
            self.fields["body"].label = "Your comment"
        if not may_post_internal:
            del self.fields["is_internal"]

    def clean_kind(self):
        return self.cleaned_data.get("kind") or CommentKind.COMMENT


class AnswerForm(PortalForm):
    body = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Write the answer first."},
    )


class DecisionResolveForm(PortalForm):
    decision_note = forms.CharField(
        label="The sponsor's decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Write down what was decided."},
        help_text="Recorded with your name and the time; it cannot be changed afterwards.",
    )

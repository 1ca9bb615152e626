"""Forms for status updates and their rows (next steps, decisions needed)."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm, PortalModelForm

from ..models import MAX_OPTIONS, RAG, RAG_FIELDS, StatusUpdate
from ._options import recommendation_field, recommended_field
from ._widgets import DATE


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
    """One decision needed; optionally a choice between options (up to MAX_OPTIONS), the recommended
    one and why. Publishing checks the options are complete (services.option_problem)."""

    title = forms.CharField(max_length=300, required=False, label="Decision needed")
    needed_by = forms.DateField(widget=DATE, required=False, label="Needed by")
    source_decision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    recommended = recommended_field(required=False)
    recommendation = recommendation_field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_OPTIONS + 1):
            self.fields[f"option_{n}_label"] = forms.CharField(
                max_length=120, required=False, label=f"Option {n}"
            )
            self.fields[f"option_{n}_description"] = forms.CharField(
                max_length=5000,
                required=False,
                label=f"What option {n} means",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        initial = self.initial
        for n, option in enumerate(initial.get("options") or [], start=1):
            initial[f"option_{n}_label"] = option.get("label", "")
            initial[f"option_{n}_description"] = option.get("description", "")

    def options_open(self) -> bool:
        """Show the options part unfolded: something is typed in it, or it has an error."""
        names = ["recommendation", "recommended"] + [
            f"option_{n}_{part}" for n in range(1, MAX_OPTIONS + 1) for part in ("label", "description")
        ]
        return any(self[name].value() or self[name].errors for name in names)

    def option_rows(self):
        return [
            (n, self[f"option_{n}_label"], self[f"option_{n}_description"]) for n in range(1, MAX_OPTIONS + 1)
        ]

    def clean(self):
        data = super().clean()
        recommended = data.get("recommended")
        if recommended is not None:
            label = (data.get(f"option_{recommended}_label") or "").strip()
            description = (data.get(f"option_{recommended}_description") or "").strip()
            if not (label or description):
                self.add_error("recommended", "Recommend one of the options you filled in.")
        return data

    def item(self) -> dict | None:
        data = self.cleaned_data
        title = (data.get("title") or "").strip()
        needed_by = data.get("needed_by")
        filled = [
            (
                n,
                (data.get(f"option_{n}_label") or "").strip(),
                (data.get(f"option_{n}_description") or "").strip(),
            )
            for n in range(1, MAX_OPTIONS + 1)
        ]
        filled = [(n, label, description) for n, label, description in filled if label or description]
        recommendation = (data.get("recommendation") or "").strip()
        if not title and not needed_by and not filled and not recommendation:
            return None
        numbers = [n for n, _, _ in filled]
        recommended = data.get("recommended")
        return {
            "title": title,
            "needed_by": needed_by.isoformat() if needed_by else None,
            "source_decision": data.get("source_decision"),
            "options": [{"label": label, "description": description} for _, label, description in filled],
            "recommended": numbers.index(recommended) + 1 if recommended in numbers else None,
            "recommendation": recommendation,
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
        initial=None
        if data
        else _rows(
            update.decisions_needed,
            ("title", "needed_by", "source_decision", "options", "recommended", "recommendation"),
        ),
    )
    return form, steps, decisions


def update_content(form, steps, decisions) -> dict:
    """Everything to save from a valid set of forms."""
    content = form.content()
    content["next_steps"] = [item for f in steps.forms if (item := f.item())]
    content["decisions_needed"] = [item for f in decisions.forms if (item := f.item())]
    return content

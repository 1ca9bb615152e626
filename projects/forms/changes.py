"""Forms for change requests: the request with up to four options, and the sponsor's decision."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from portal.core.forms import PortalForm

from ..models import MAX_IMPACT_DAYS, MAX_OPTIONS
from ..services import OptionDraft
from ._options import recommendation_field, recommended_field
from ._widgets import DATE


class ChangeRequestForm(PortalForm):
    title = forms.CharField(max_length=200)
    what = forms.CharField(label="What changes", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    why = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    needed_by = forms.DateField(label="Decision needed by", widget=DATE)
    recommended = recommended_field()
    recommendation = recommendation_field()

    def clean_needed_by(self):
        needed_by = self.cleaned_data["needed_by"]
        if needed_by < timezone.localdate():
            raise forms.ValidationError("The decision cannot be needed by a day that has passed.")
        return needed_by


class ChangeOptionForm(PortalForm):
    """One option; its milestone impacts are a days field per open milestone of the project."""

    label = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    cost_impact = forms.CharField(label="Cost", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    quality_impact = forms.CharField(
        label="Quality / specification", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    regulatory_impact = forms.CharField(
        label="Regulatory filings", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones = list(milestones)
        for milestone in self.milestones:
            self.fields[f"days_{milestone.pk}"] = forms.IntegerField(
                label=f"{milestone.title} (baseline {milestone.baseline_date:%-d %b %Y})",
                required=False,
                min_value=-MAX_IMPACT_DAYS,
                max_value=MAX_IMPACT_DAYS,
                help_text="Days: + later, − earlier; leave empty if unaffected.",
            )

    def impact_fields(self):
        return [self[f"days_{m.pk}"] for m in self.milestones]

    def draft(self) -> OptionDraft:
        data = self.cleaned_data
        return OptionDraft(
            label=data["label"],
            description=data["description"],
            cost_impact=data["cost_impact"],
            quality_impact=data["quality_impact"],
            regulatory_impact=data["regulatory_impact"],
            milestones=[(m, data[f"days_{m.pk}"]) for m in self.milestones if data.get(f"days_{m.pk}")],
        )


class _OptionRows(forms.BaseFormSet):
    """Every row is optional past the first, prefilled or not: an edit clears a row to drop that
    option, and a posted row counts as filled by what it holds (not by differing from what was
    shown), so an option left as it was is kept."""

    def initial_form_count(self):
        return 0


ChangeOptionFormSet = forms.formset_factory(
    ChangeOptionForm,
    formset=_OptionRows,
    extra=MAX_OPTIONS - 1,
    min_num=1,
    max_num=MAX_OPTIONS,
    validate_min=True,
    validate_max=True,
)


class ChangeEditForm(ChangeRequestForm):
    """The raise form for an edit: it carries the version opened, and a needed-by date already
    passed may stay as it was (moving it is the usual reason to edit)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        self.change = change

    def clean_needed_by(self):
        if self.cleaned_data.get("needed_by") == self.change.needed_by:
            return self.change.needed_by
        return super().clean_needed_by()


def change_initial(change) -> tuple[dict, list[dict]]:
    """The edit form's starting values: the change as it reads now (current revision)."""
    options = change.current_options
    recommended = next(
        (n for n, o in enumerate(options, start=1) if o.pk == change.recommended_option_id), None
    )
    request = {
        "title": change.title,
        "what": change.what,
        "why": change.why,
        "needed_by": change.needed_by,
        "recommended": recommended,
        "recommendation": change.recommendation,
        "version": change.version,
    }
    rows = [
        {
            "label": o.label,
            "description": o.description,
            "cost_impact": o.cost_impact,
            "quality_impact": o.quality_impact,
            "regulatory_impact": o.regulatory_impact,
        }
        | {f"days_{i.milestone_id}": i.days for i in o.impacts.all()}
        for o in options
    ]
    return request, rows


def change_forms(data, *, milestones, change=None) -> tuple[ChangeRequestForm, forms.BaseFormSet]:
    """The raise form and its options; with `change`, prefilled to edit it."""
    if change is None:
        form, initial = ChangeRequestForm(data), None
    else:
        request, initial = change_initial(change)
        form = ChangeEditForm(data, initial=request, change=change)
        if data is not None:
            initial = None  # what was posted is the whole edit
    options = ChangeOptionFormSet(
        data, prefix="option", initial=initial, form_kwargs={"milestones": milestones}
    )
    return form, options


def filled_options(
    form: ChangeRequestForm, options: forms.BaseFormSet
) -> tuple[list[OptionDraft], int] | None:
    """The options typed (blank extra rows left out) and the recommended one's index, or None with
    the errors on the forms."""
    if not (form.is_valid() & options.is_valid()):
        return None
    filled = [(n, f) for n, f in enumerate(options.forms, start=1) if f.has_changed() and f.cleaned_data]
    numbers = [n for n, _ in filled]
    if form.cleaned_data["recommended"] not in numbers:
        form.add_error("recommended", "Recommend one of the options you filled in.")
        return None
    return [f.draft() for _, f in filled], numbers.index(form.cleaned_data["recommended"])


class ChangeWithdrawForm(PortalForm):
    reason = forms.CharField(
        label="Reason for withdrawing",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "Give the reason for withdrawing the change; the other side reads it."},
    )

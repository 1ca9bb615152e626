"""The scorecard-targets form: one small form a share measure, prefixed by the measure's key, so
one page holds them all and each keeps its own errors and what was typed."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm

from .measures import Measure
from .targets import Targets, default

PERCENT = {"min_value": 0, "max_value": 100}


class MeasureTargetsForm(PortalForm):
    target = forms.IntegerField(label="Target (%)", **PERCENT)
    amber = forms.IntegerField(label="Amber below (%)", **PERCENT)
    red = forms.IntegerField(label="Red below (%)", **PERCENT)
    weight = forms.IntegerField(
        label="Weight", min_value=0, max_value=100, help_text="0 leaves it out of the overall score."
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, prefix=measure.key, **kwargs)
        self.measure = measure
        self.default = default(measure.key)
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "numeric"})

    def clean(self):
        data = super().clean()
        target, amber, red = data.get("target"), data.get("amber"), data.get("red")
        if target is not None and amber is not None and amber > target:
            self.add_error("amber", "The amber threshold must be at or below the target.")
        if amber is not None and red is not None and red > amber:
            self.add_error("red", "The red threshold must be at or below the amber threshold.")
        return data

    @property
    def targets(self) -> Targets:
        data = self.cleaned_data
        return Targets(data["target"], data["amber"], data["red"], data["weight"])


def targets_forms(
    measures: list[Measure], current: dict[str, Targets], data=None
) -> list[MeasureTargetsForm]:
    return [
        MeasureTargetsForm(
            data,
            measure=measure,
            initial={
                "target": current[measure.key].target,
                "amber": current[measure.key].amber,
                "red": current[measure.key].red,
                "weight": current[measure.key].weight,
            },
        )
        for measure in measures
    ]

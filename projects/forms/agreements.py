"""The working agreement's terms as a form: drafting the kickoff version, or proposing a change."""

from __future__ import annotations

import datetime

from django import forms

from portal.core import clock
from portal.core.forms import PortalForm

from ..agreed_targets import (
    DEFAULT_NOTICE_DAYS,
    MAX_NOTICE_DAYS,
    MAX_TOLERANCE_DAYS,
    MIN_NOTICE_DAYS,
    agreed_measures,
)
from ..models import (
    DEFAULT_RESPONSE_HOURS,
    MAX_ACKNOWLEDGE_HOURS,
    MAX_PLAN_HOURS,
    Severity,
    Side,
    WorkingAgreement,
)
from ..services import AgreementTerms


class AgreementForm(PortalForm):
    """The terms: cadence, response times, governance rhythm and escalation. `members`: the
    project's active team (ProjectMember rows with their users); `start`: a version whose terms
    the form starts from."""

    update_cadence_days = forms.IntegerField(
        label="Status update every", min_value=1, max_value=90, help_text="Days"
    )
    question_response_days = forms.IntegerField(
        label="Questions answered within", min_value=1, max_value=30, help_text="Business days"
    )
    governance_every_weeks = forms.IntegerField(
        label="Governance meeting every", min_value=1, max_value=26, help_text="Weeks"
    )
    governance_forum = forms.CharField(
        label="Governance forum",
        required=False,
        max_length=200,
        help_text="e.g. Joint steering committee, video call",
    )
    sponsor_escalation = forms.TypedChoiceField(label="Sponsor escalation contact", coerce=int)
    cdmo_escalation = forms.TypedChoiceField(label="CDMO escalation contact", coerce=int)
    escalation_steps = forms.CharField(
        label="How to escalate",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What either side does, and when: who calls whom, within how long.",
        error_messages={"required": "Say how either side escalates, and when."},
    )
    on_time_tolerance_days = forms.IntegerField(
        label="On-time delivery tolerance",
        required=False,
        min_value=0,
        max_value=MAX_TOLERANCE_DAYS,
        help_text="Calendar days after the baseline a milestone may be done and still count as on time; blank is 0",
    )
    slip_notice_days = forms.IntegerField(
        label="Notice of a slip",
        required=False,
        min_value=MIN_NOTICE_DAYS,
        max_value=MAX_NOTICE_DAYS,
        initial=DEFAULT_NOTICE_DAYS,
        help_text=(
            f"Calendar days before the baseline date the CDMO announces a slip (moves the forecast past it, "
            f"with the reason), for No surprises; blank is {DEFAULT_NOTICE_DAYS}"
        ),
    )

    def __init__(self, *args, members, start: WorkingAgreement | None = None, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {m.user.pk: m.user for m in members}
        for side, name in ((Side.SPONSOR, "sponsor_escalation"), (Side.CDMO, "cdmo_escalation")):
            self.fields[name].choices = [("", "Choose a person")] + [
                (m.user.pk, f"{m.user.full_name} ({m.get_role_display()})") for m in members if m.side == side
            ]
        hours = (
            start.response_hours if start else {s.value: list(DEFAULT_RESPONSE_HOURS[s]) for s in Severity}
        )
        for severity in Severity:
            ack, plan = hours[severity.value]
            self.fields[f"{severity.value}_acknowledge"] = forms.IntegerField(
                label=f"{severity.label}: acknowledge within",
                min_value=1,
                max_value=MAX_ACKNOWLEDGE_HOURS,
                initial=ack,
                help_text="Business hours",
            )
            self.fields[f"{severity.value}_plan"] = forms.IntegerField(
                label=f"{severity.label}: resolution plan within",
                min_value=1,
                max_value=MAX_PLAN_HOURS,
                initial=plan,
                help_text="Business hours, from when the issue is raised",
            )
        if start is not None:
            for name in ("update_cadence_days", "question_response_days", "governance_every_weeks"):
                self.fields[name].initial = getattr(start, name)
            self.fields["governance_forum"].initial = start.governance_forum
            self.fields["escalation_steps"].initial = start.escalation_steps
            self.fields["sponsor_escalation"].initial = start.sponsor_escalation_id
            self.fields["cdmo_escalation"].initial = start.cdmo_escalation_id
            self.fields["on_time_tolerance_days"].initial = start.on_time_tolerance_days
            self.fields["slip_notice_days"].initial = start.slip_notice_days
        elif project is not None:
            self.fields["update_cadence_days"].initial = project.update_cadence_days
            self.fields["question_response_days"].initial = project.question_response_days
            self.fields["governance_every_weeks"].initial = 4
        self._add_target_fields(start.scorecard_targets if start is not None else {})

    def _add_target_fields(self, agreed: dict[str, list[int]]) -> None:
        """Three fields a measure the scorecards let an agreement set (`agreed_targets`): target,
        amber and red, whole percentages; all three blank leaves the organizations' default."""
        for measure in agreed_measures():
            values = agreed.get(measure.key, [None, None, None])
            for index, (part, label) in enumerate(
                (("target", "Target (%)"), ("amber", "Amber below (%)"), ("red", "Red below (%)"))
            ):
                self.fields[f"scorecard_{measure.key}_{part}"] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=100,
                    initial=values[index],
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )

    def target_rows(self):
        """(measure name, target field, amber field, red field), in the Health tab's order."""
        return [
            (measure.label, *(self[f"scorecard_{measure.key}_{part}"] for part in ("target", "amber", "red")))
            for measure in agreed_measures()
        ]

    def _clean_targets(self, cleaned) -> dict[str, list[int]]:
        agreed = {}
        for measure in agreed_measures():
            names = [f"scorecard_{measure.key}_{part}" for part in ("target", "amber", "red")]
            if any(name in self.errors for name in names):
                continue  # out of range: its own field says so
            target, amber, red = (cleaned.get(name) for name in names)
            given = [value is not None for value in (target, amber, red)]
            if not any(given):
                continue  # the organizations' default
            if not all(given):
                self.add_error(
                    names[given.index(False)],
                    "Give the target and both thresholds, or leave all three blank for the organization's default.",
                )
            elif amber > target:
                self.add_error(names[1], "The amber threshold must be at or below the target.")
            elif red > amber:
                self.add_error(names[2], "The red threshold must be at or below the amber threshold.")
            else:
                agreed[measure.key] = [target, amber, red]
        return agreed

    def severity_rows(self):
        return [(s.label, self[f"{s.value}_acknowledge"], self[f"{s.value}_plan"]) for s in Severity]

    def clean(self):
        cleaned = super().clean()
        for severity in Severity:
            ack, plan = cleaned.get(f"{severity.value}_acknowledge"), cleaned.get(f"{severity.value}_plan")
            if ack and plan and plan < ack:
                self.add_error(f"{severity.value}_plan", "The plan cannot be due before the acknowledgement.")
        cleaned["scorecard_targets"] = self._clean_targets(cleaned)
        return cleaned

    def terms(self) -> AgreementTerms:
        data = self.cleaned_data
        return AgreementTerms(
            update_cadence_days=data["update_cadence_days"],
            question_response_days=data["question_response_days"],
            response_hours={
                s.value: [data[f"{s.value}_acknowledge"], data[f"{s.value}_plan"]] for s in Severity
            },
            governance_every_weeks=data["governance_every_weeks"],
            governance_forum=data["governance_forum"],
            sponsor_escalation=self.people[data["sponsor_escalation"]],
            cdmo_escalation=self.people[data["cdmo_escalation"]],
            escalation_steps=data["escalation_steps"],
            on_time_tolerance_days=data.get("on_time_tolerance_days") or 0,
            slip_notice_days=data.get("slip_notice_days") or DEFAULT_NOTICE_DAYS,
            scorecard_targets=data["scorecard_targets"],
        )


class AgreementChangeForm(AgreementForm):
    """Proposing new terms through a change request: the terms, why, and by when."""

    why = forms.CharField(
        label="Why change the agreement",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the terms should change; the other side reads it."},
    )
    needed_by = forms.DateField(label="Decision needed by", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_needed_by(self):
        needed_by = self.cleaned_data["needed_by"]
        today = clock.localdate()
        if needed_by < today or needed_by > today + datetime.timedelta(days=366):
            raise forms.ValidationError("Choose a date from today to a year ahead.")
        return needed_by


class AgreementProposalEditForm(AgreementChangeForm):
    """Editing the terms a proposed change carries: the propose form, starting from the proposed
    version and the change's why and needed-by, carrying the change's version opened. A needed-by
    date already passed may stay as it was."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        self.change = change
        self.fields["why"].initial = change.why
        self.fields["needed_by"].initial = change.needed_by
        self.fields["version"].initial = change.version

    def clean_needed_by(self):
        if self.cleaned_data.get("needed_by") == self.change.needed_by:
            return self.change.needed_by
        return super().clean_needed_by()

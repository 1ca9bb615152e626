"""Forms for meetings. They validate and type what people enter; services decide."""

from __future__ import annotations

import datetime
import re
import uuid
import zoneinfo
from email.utils import parseaddr

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from portal.accounts.models import User
from portal.core.forms import PortalForm
from projects.forms import ProjectPickerForm
from projects.models import ProjectMember

from .models import MeetingKind, zone_label
from .selectors import ActionItemFilters
from .services import ActionItemRow, DecisionRow, InviteeSpec

DURATION_CHOICES = [
    (15, "15 minutes"),
    (30, "30 minutes"),
    (45, "45 minutes"),
    (60, "1 hour"),
    (90, "1 hour 30 minutes"),
    (120, "2 hours"),
    (180, "3 hours"),
    (240, "4 hours"),
    (360, "6 hours"),
    (480, "8 hours (full day)"),
]

INVITE_CHOICES = [("required", "Required"), ("optional", "Optional"), ("no", "Not invited")]


def local_to_utc(day: datetime.date, time: datetime.time, zone_name: str) -> datetime.datetime:
    """Interpret a wall-clock date and time in `zone_name`; refuse times that do not exist there.

    On the night clocks go forward an hour is skipped (02:30 does not happen in New York
    on the second Sunday of March); such a time is an error, not a guess. When clocks go
    back, an hour happens twice; the first one (summer time) is taken.
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    local = datetime.datetime.combine(day, time).replace(tzinfo=zone, fold=0)
    round_trip = local.astimezone(datetime.UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            f"{time:%H:%M} does not exist on {day:%d %b %Y} in {zone_label(zone_name)}: the clocks change "
            "that night. Choose another time."
        )
    return local.astimezone(datetime.UTC)


class MeetingForm(PortalForm):
    kind = forms.ChoiceField(choices=MeetingKind.choices, label="Kind of meeting")
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the kind, e.g. “Weekly project call”."
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.TypedChoiceField(
        choices=DURATION_CHOICES, coerce=int, initial=60, label="Duration"
    )
    video_url = forms.URLField(
        label="Video link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Teams, Zoom, Webex… link.",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    location = forms.CharField(
        label="Place",
        max_length=300,
        required=False,
        help_text="A room or site address, for meetings in person.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name or "UTC"
        label = zone_label(self.zone_name)
        self.fields["start_time"].help_text = f"{label} time ({self.zone_name})."
        self.fields["date"].help_text = f"In {label} time."

    def clean(self):
        data = super().clean()
        day, time = data.get("date"), data.get("start_time")
        if day and time:
            try:
                data["starts_at"] = local_to_utc(day, time, self.zone_name)
            except ValidationError as error:
                self.add_error("start_time", error)
        if not data.get("video_url") and not (data.get("location") or "").strip():
            self.add_error("video_url", "Give a video link or a place (or both).")
        if not (data.get("title") or "").strip() and data.get("kind"):
            data["title"] = MeetingKind(data["kind"]).label
        return data

    def meeting_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"].strip(),
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "video_url": data.get("video_url") or "",
            "location": (data.get("location") or "").strip(),
        }

    @classmethod
    def initial_for(cls, meeting) -> dict:
        local = meeting.starts_at_in(meeting.organizer_time_zone)
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "date": local.date(),
            "start_time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": meeting.duration_minutes,
            "video_url": meeting.video_url,
            "location": meeting.location,
            "version": meeting.version,
        }


def parse_guests(text: str) -> tuple[list[InviteeSpec], list[str]]:
    """One guest per line, "Name <email>" or just "email"; returns (guests, errors)."""
    guests, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().rstrip(",;")
        if not line:
            continue
        name, email = parseaddr(line)
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"Line {number}: “{line}” is not an email address.")
            continue
        guests.append(InviteeSpec(guest_email=email, guest_name=name.strip()))
    return guests, errors


class MeetingScheduleForm(MeetingForm):
    """Schedule a meeting: the details plus who is invited (the team, and guests by email)."""

    guests = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Jane Doe <jane.doe@consultancy.example>"}),
        help_text="People outside the project team, one per line: “Name <email>” or just the email.",
    )

    # A one-time key per form shown: sending the same form twice schedules (and invites) once.
    schedule_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, members: list[ProjectMember], organizer: User, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.fields["schedule_key"].initial = uuid.uuid4().hex
        self.members = [m for m in members if m.user_id != organizer.pk]
        self.organizer = organizer
        for member in self.members:
            self.fields[f"invite_{member.user_id}"] = forms.ChoiceField(
                choices=INVITE_CHOICES, initial="required", label=member.user.full_name, required=False
            )
        self.order_fields([name for name in self.fields if name != "guests"] + ["guests"])

    def member_rows(self):
        """(member, bound field) for the invitation table."""
        return [(m, self[f"invite_{m.user_id}"]) for m in self.members]

    def clean_schedule_key(self) -> str:
        key = self.cleaned_data.get("schedule_key") or ""
        return key if re.fullmatch(r"[0-9a-f]{32}", key) else ""

    def clean(self):
        data = super().clean()
        guests, errors = parse_guests(data.get("guests", ""))
        for error in errors:
            self.add_error("guests", error)
        data["guest_specs"] = guests
        return data

    def invitee_specs(self) -> list[InviteeSpec]:
        specs = []
        for member in self.members:
            choice = self.cleaned_data.get(f"invite_{member.user_id}")
            if choice in ("required", "optional"):
                specs.append(InviteeSpec(user=member.user, required=choice == "required"))
        specs.extend(self.cleaned_data.get("guest_specs", []))
        return specs


class CancelForm(PortalForm):
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Goes to the invitees with the cancellation.",
    )


class AgendaItemForm(PortalForm):
    title = forms.CharField(max_length=300, label="Agenda point")
    presenter = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="—")
    minutes_allotted = forms.IntegerField(
        label="Minutes",
        min_value=1,
        max_value=480,
        required=False,
        widget=forms.NumberInput(attrs={"step": 5}),
    )

    def __init__(self, *args, team_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = team_users


class TeamInviteForm(PortalForm):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Team member", empty_label="Choose a team member…"
    )
    required = forms.BooleanField(required=False, initial=True, label="Required")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates

    def spec(self) -> InviteeSpec:
        return InviteeSpec(user=self.cleaned_data["user"], required=self.cleaned_data["required"])


class GuestInviteForm(PortalForm):
    guest_name = forms.CharField(max_length=200, required=False, label="Name")
    guest_email = forms.EmailField(label="Email")
    required = forms.BooleanField(required=False, initial=True, label="Required")

    def spec(self) -> InviteeSpec:
        data = self.cleaned_data
        return InviteeSpec(
            guest_email=data["guest_email"], guest_name=data["guest_name"], required=data["required"]
        )


ATTENDANCE_CHOICES = [("attended", "Attended"), ("absent", "Absent")]


class AttendanceForm(PortalForm):
    unexpected = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Also attended (not invited)",
    )

    def __init__(self, *args, invitees, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitees = list(invitees)
        for invitee in self.invitees:
            initial = invitee.attendance if invitee.attendance in ("attended", "absent") else None
            self.fields[f"attendance_{invitee.pk}"] = forms.ChoiceField(
                choices=ATTENDANCE_CHOICES,
                widget=forms.RadioSelect,
                initial=initial,
                label=invitee.display_name,
                error_messages={"required": f"Mark whether {invitee.display_name} attended."},
            )
        self.fields["unexpected"].queryset = candidates
        self.fields["unexpected"].label_from_instance = lambda u: u.full_name

    def rows(self):
        return [(invitee, self[f"attendance_{invitee.pk}"]) for invitee in self.invitees]

    def marks(self) -> dict[int, str]:
        return {invitee.pk: self.cleaned_data[f"attendance_{invitee.pk}"] for invitee in self.invitees}


class MinutesForm(PortalForm):
    summary = forms.CharField(
        label="Summary of the discussion",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was discussed, in a few paragraphs. Needed before the minutes can be sent.",
    )
    next_steps = forms.CharField(
        label="Next steps",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happens next, confirmed at the end of the meeting.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionRowForm(PortalForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    summary = forms.CharField(
        label="Decision", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    remove = forms.BooleanField(required=False, label="Remove")

    def row(self) -> DecisionRow:
        data = self.cleaned_data
        return DecisionRow(
            id=data.get("id"), summary=data.get("summary") or "", remove=data.get("remove", False)
        )


class ActionItemRowForm(PortalForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label="Action", max_length=300, required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Owner…")
    due_date = forms.DateField(label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    remove = forms.BooleanField(required=False, label="Remove")

    def __init__(self, *args, team_users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if team_users is not None:
            self.fields["owner"].queryset = team_users

    def clean(self):
        data = super().clean()
        if data.get("remove"):
            return data
        title = (data.get("title") or "").strip()
        if title:
            if not data.get("owner"):
                self.add_error("owner", "Who owns this action?")
            if not data.get("due_date"):
                self.add_error("due_date", "By when?")
        elif data.get("owner") or data.get("due_date"):
            self.add_error("title", "Describe the action (or clear the row).")
        return data

    def row(self) -> ActionItemRow:
        data = self.cleaned_data
        return ActionItemRow(
            id=data.get("id"),
            title=data.get("title") or "",
            owner=data.get("owner"),
            due_date=data.get("due_date"),
            remove=data.get("remove", False),
        )


DecisionFormSet = forms.formset_factory(DecisionRowForm, extra=2, max_num=100, validate_max=True)
ActionItemFormSet = forms.formset_factory(ActionItemRowForm, extra=2, max_num=100, validate_max=True)


class CorrectionForm(PortalForm):
    note = forms.CharField(
        label="What needs correcting?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text="The organizer's side sees this at the top of the minutes until they send a corrected version.",
    )


class PastMeetingFilterForm(PortalForm):
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *MeetingKind.choices], label="Kind")

    def kind_value(self) -> str:
        return self.cleaned_data.get("kind", "") if self.is_valid() else ""


STATUS_FILTER_CHOICES = [("open", "Open"), ("done", "Done"), ("any", "Open and done")]
OWNER_FILTER_CHOICES = [("me", "Mine"), ("anyone", "Everyone's")]


class ActionItemFilterForm(ProjectPickerForm):
    """Owner, status and a project picker (projects.forms.picker): never a list of every project."""

    owner = forms.ChoiceField(required=False, choices=OWNER_FILTER_CHOICES, label="Owner")
    status = forms.ChoiceField(required=False, choices=STATUS_FILTER_CHOICES, label="Status")

    def to_filters(self) -> ActionItemFilters:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or "open"
        choice = self.project_choice()
        return ActionItemFilters(
            status="" if status == "any" else status,
            project=choice.project_id,
            project_text=choice.text,
            mine=(data.get("owner") or "me") == "me",
        )

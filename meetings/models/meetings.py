"""The meeting itself: its kind, its status (the state machine) and the calendar identity.

A meeting's life: scheduled → held (minutes in draft) → minutes sent → confirmed
by the sponsor; or cancelled. A sponsor's correction request sends minutes back
to draft. Once minutes are sent they are locked, and the database refuses to
change them (triggers below and on the child rows), not only the services.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.core.date_window import in_window
from portal.core.timezones import time_zone_choices, zone_or_utc
from projects.models import Project, Side


class MeetingKind(models.TextChoices):
    KICKOFF = "kickoff", "Kickoff"
    WEEKLY = "weekly", "Weekly project call"
    GOVERNANCE = "governance", "Governance / steering committee"
    TECHNICAL_REVIEW = "technical_review", "Technical review"
    SITE_VISIT = "site_visit", "Site visit / audit"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    MINUTES_DRAFT = "minutes_draft", "Held · minutes in draft"
    MINUTES_SENT = "minutes_sent", "Minutes sent · awaiting confirmation"
    CONFIRMED = "confirmed", "Minutes confirmed"
    CANCELLED = "cancelled", "Cancelled"


# Minutes of meetings in these states are a record: nobody edits them.
LOCKED_STATUSES = (MeetingStatus.MINUTES_SENT, MeetingStatus.CONFIRMED)
LOCKED_STATUS_SQL = ", ".join(f"'{s.value}'" for s in LOCKED_STATUSES)
HELD_STATUSES = (MeetingStatus.MINUTES_DRAFT, *LOCKED_STATUSES)


class Badge(NamedTuple):
    """What a status looks like on a page: its words and its colour (`badge-<style>`)."""

    label: str
    style: str


# The badge of each status where the status alone decides it (see `Meeting.status_badge`).
STATUS_BADGES = {
    MeetingStatus.MINUTES_DRAFT: Badge("Minutes in draft", "amber"),
    MeetingStatus.MINUTES_SENT: Badge("Awaiting confirmation", "amber"),
    MeetingStatus.CONFIRMED: Badge("Minutes confirmed", "green"),
    MeetingStatus.CANCELLED: Badge("Cancelled", "closed"),
}


def _ical_uid() -> str:
    return f"{uuid.uuid4()}@meridian"


def zone_label(zone_name: str) -> str:
    """ "America/New_York" → "New York"; "UTC" stays "UTC"."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


class MinutesLocked(pgtrigger.Trigger):
    """Refuse writes to a child row of a meeting whose minutes are locked.

    `guarded` lists the columns that may not change on UPDATE (None: any change).
    """

    when = pgtrigger.Before

    def __init__(self, *, guarded: tuple[str, ...] | None = None, **kwargs):
        self.guarded = guarded
        super().__init__(**kwargs)

    def get_func(self, model):
        if self.guarded:
            changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in self.guarded)
            update_check = f"(TG_OP = 'UPDATE' AND ({changed}))"
        else:
            update_check = "TG_OP = 'UPDATE'"
        return self.format_sql(f"""
            IF (TG_OP = 'INSERT' OR {update_check}) AND EXISTS (
                SELECT 1 FROM meetings_meeting
                WHERE id = NEW.meeting_id AND status IN ({LOCKED_STATUS_SQL})
            ) THEN
                RAISE EXCEPTION 'pgtrigger: the minutes of meeting % are locked', NEW.meeting_id;
            END IF;
            RETURN NEW;
        """)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Meeting(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField("starts at", help_text="Stored in UTC.")
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)", validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_organized"
    )
    organizer_side = models.CharField(
        max_length=10,
        choices=Side.choices,
        help_text="The side that runs the meeting and writes the minutes.",
    )
    organizer_time_zone = models.CharField(
        "organizer's time zone", max_length=64, choices=time_zone_choices, default="UTC"
    )
    video_url = models.URLField("video link", max_length=500, blank=True)
    location = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)

    # Calendar identity: one UID for the life of the meeting; SEQUENCE rises with every
    # change a calendar must apply, so Outlook and Google update the same event.
    ical_uid = models.CharField(
        "calendar UID", max_length=100, unique=True, default=_ical_uid, editable=False
    )
    ical_sequence = models.PositiveIntegerField("calendar update number", default=0)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every edit; guards concurrent edits."
    )

    agenda_sent_at = models.DateTimeField(null=True, blank=True)
    decision_maker_invited = models.BooleanField(
        default=False, help_text="Whether a sponsor decision-maker is among the invitees."
    )
    # The organizer was told no decision-maker was invited to this governance meeting and sent
    # the invitations anyway: a deliberate choice, kept with who made it and when.
    sent_without_decision_maker_at = models.DateTimeField(
        "sent without a decision-maker at", null=True, blank=True
    )
    sent_without_decision_maker_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The scheduling form's one-time key: the same form sent twice schedules (and invites) once.
    schedule_key = models.CharField(max_length=40, blank=True, editable=False)

    # Minutes
    summary = models.TextField("summary of the discussion", blank=True)
    next_steps = models.TextField(blank=True)
    held_at = models.DateTimeField(
        null=True, blank=True, help_text="When the organizer side started recording the meeting."
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    minutes_sent_at = models.DateTimeField(null=True, blank=True)
    minutes_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_confirmed_at = models.DateTimeField(null=True, blank=True)
    minutes_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    correction_requested_at = models.DateTimeField(null=True, blank=True)
    correction_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    correction_note = models.TextField("correction requested", blank=True)

    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.CharField(max_length=500, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=720),
                name="meeting_duration_sane",
            ),
            models.CheckConstraint(
                condition=~models.Q(video_url="", location=""), name="meeting_has_video_link_or_place"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="minutes_sent") | models.Q(minutes_sent_at__isnull=False),
                name="meeting_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed")
                | models.Q(minutes_sent_at__isnull=False, minutes_confirmed_at__isnull=False),
                name="meeting_confirmed_has_confirmed_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | models.Q(cancelled_at__isnull=False),
                name="meeting_cancelled_has_cancelled_at",
            ),
            models.CheckConstraint(condition=in_window("starts_at"), name="meeting_starts_in_date_window"),
            models.UniqueConstraint(
                fields=["schedule_key"],
                condition=~models.Q(schedule_key=""),
                name="meeting_schedule_key_once",
            ),
            models.CheckConstraint(
                condition=models.Q(sent_without_decision_maker_at__isnull=True)
                | models.Q(sent_without_decision_maker_by__isnull=False),
                name="meeting_sent_without_dm_has_who",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "starts_at"], name="meeting_project_time_idx"),
            # The monitoring issue scans governance meetings and overdue minutes by time.
            models.Index(fields=["kind", "starts_at"], name="meeting_kind_time_idx"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_time_idx"),
            # "My meetings" walks the person's upcoming meetings in time order across every
            # visible project: without it, a sequential scan and sort of all meetings (issue 13).
            models.Index(fields=["starts_at", "id"], name="meeting_starts_idx"),
            # The decision-maker-absent rule reads each project's latest governance meetings held.
            models.Index(
                "project",
                models.F("starts_at").desc(),
                models.F("id").desc(),
                condition=models.Q(kind=MeetingKind.GOVERNANCE, attendance_recorded_at__isnull=False),
                name="meeting_governance_held_idx",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="meeting_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="meeting_minutes_locked",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__in=[s.value for s in LOCKED_STATUSES])
                & (
                    pgtrigger.Q(old__summary__df=pgtrigger.F("new__summary"))
                    | pgtrigger.Q(old__next_steps__df=pgtrigger.F("new__next_steps"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y})"

    def get_absolute_url(self) -> str:
        return reverse(
            "meetings:meeting_detail", kwargs={"project_id": self.project_id, "meeting_id": self.pk}
        )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def organizer_zone_label(self) -> str:
        return zone_label(self.organizer_time_zone)

    def starts_at_in(self, zone_name: str) -> datetime:
        return self.starts_at.astimezone(zone_or_utc(zone_name))

    @property
    def is_governance(self) -> bool:
        return self.kind == MeetingKind.GOVERNANCE

    @property
    def sent_without_decision_maker(self) -> bool:
        """The organizer deliberately sent this governance meeting with no decision-maker invited."""
        return self.sent_without_decision_maker_at is not None

    @property
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def minutes_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    @property
    def status_badge(self) -> Badge:
        """Where the meeting is in its life, as lists and its page show it."""
        if self.is_scheduled:
            return (
                Badge("Took place · no minutes yet", "amber")
                if self.has_started
                else Badge("Scheduled", "blue")
            )
        if self.correction_open:
            return Badge("Correction requested", "red")
        return STATUS_BADGES[self.status]

    @property
    def was_held(self) -> bool:
        """It took place and has minutes (in draft, sent or confirmed)."""
        return self.status in HELD_STATUSES

    @property
    def minutes_in_draft(self) -> bool:
        return self.status == MeetingStatus.MINUTES_DRAFT

    @property
    def minutes_awaiting_confirmation(self) -> bool:
        return self.status == MeetingStatus.MINUTES_SENT

    @property
    def minutes_confirmed(self) -> bool:
        return self.status == MeetingStatus.CONFIRMED

    @property
    def minutes_editable(self) -> bool:
        return self.status in (MeetingStatus.SCHEDULED, MeetingStatus.MINUTES_DRAFT)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def correction_open(self) -> bool:
        """A sponsor asked for a correction and the minutes have not been re-sent yet."""
        return self.status == MeetingStatus.MINUTES_DRAFT and self.correction_requested_at is not None

"""Meetings: agenda, invitees, attendance, minutes (decisions, action items).

A meeting's life: scheduled → held (minutes in draft) → minutes sent → confirmed
by the sponsor; or cancelled. A sponsor's correction request sends minutes back
to draft. Once minutes are sent they are locked, and the database refuses to
change them (triggers below), not only the services.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from portal.core.date_window import in_window
from portal.core.timezones import time_zone_choices, zone_or_utc
from projects.models import Project, Side, TeamRole


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
        ]
        indexes = [
            models.Index(fields=["project", "starts_at"], name="meeting_project_time_idx"),
            # The monitoring issue scans governance meetings and overdue minutes by time.
            models.Index(fields=["kind", "starts_at"], name="meeting_kind_time_idx"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_time_idx"),
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
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def minutes_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

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

    @property
    def where(self) -> str:
        return self.location or self.video_url


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_allotted = models.PositiveSmallIntegerField(
        "minutes allotted", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes_allotted__isnull=True) | models.Q(minutes_allotted__gte=1),
                name="agenda_item_minutes_positive",
            )
        ]
        triggers = [pgtrigger.Protect(name="agenda_item_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "meetings:agenda", kwargs={"project_id": self.meeting.project_id, "meeting_id": self.meeting_id}
        )


class Rsvp(models.TextChoices):
    PENDING = "pending", "No reply yet"
    ACCEPTED = "accepted", "Accepted"
    TENTATIVE = "tentative", "Tentative"
    DECLINED = "declined", "Declined"


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", "Not recorded"
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Invitee(models.Model):
    """A person invited to a meeting: a team member (user) or a guest by email.

    `side` and `team_role` are copied when the person is added, so the record says
    who they were at the time (a decision-maker absent then stays absent in history).
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="invitees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_invitations",
    )
    guest_email = models.EmailField(blank=True)
    guest_name = models.CharField(max_length=200, blank=True)
    side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    team_role = models.CharField(max_length=20, choices=TeamRole.choices, blank=True)
    required = models.BooleanField(default=True)
    rsvp = models.CharField("reply", max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_at = models.DateTimeField("replied at", null=True, blank=True)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN)
    unexpected = models.BooleanField(
        default=False, help_text="Recorded as attending without having been invited."
    )
    invited_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField("uninvited at", null=True, blank=True)

    class Meta:
        ordering = ["-required", "side", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="invitee_user_once_per_meeting"),
            models.UniqueConstraint(
                "meeting",
                Lower("guest_email"),
                condition=~models.Q(guest_email=""),
                name="invitee_guest_once_per_meeting",
            ),
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False) & models.Q(guest_email=""))
                | (models.Q(user__isnull=True) & ~models.Q(guest_email="")),
                name="invitee_user_or_guest",
            ),
            models.CheckConstraint(
                condition=~models.Q(unexpected=True) | models.Q(attendance="attended"),
                name="invitee_unexpected_attended",
            ),
        ]
        indexes = [models.Index(fields=["user", "meeting"], name="invitee_user_idx")]
        triggers = [
            pgtrigger.Protect(name="invitee_no_delete", operation=pgtrigger.Delete),
            MinutesLocked(
                name="invitee_attendance_locked",
                operation=pgtrigger.Insert | pgtrigger.Update,
                guarded=("attendance", "unexpected", "removed_at"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse(
            "meetings:invitees", kwargs={"project_id": self.meeting.project_id, "meeting_id": self.meeting_id}
        )

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.full_name or self.user.email
        return self.guest_name or self.guest_email

    @property
    def email(self) -> str:
        return self.user.email if self.user_id else self.guest_email

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def is_decision_maker(self) -> bool:
        return self.team_role == TeamRole.DECISION_MAKER

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    position = models.PositiveSmallIntegerField(default=0)
    summary = models.TextField("decision")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        triggers = [
            pgtrigger.Protect(name="decision_no_delete", operation=pgtrigger.Delete),
            MinutesLocked(name="decision_locked", operation=pgtrigger.Insert | pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return self.summary[:80]

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url() + "#minutes"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ActionItem(models.Model):
    """Something someone agreed to do at a meeting. Lives on after the minutes lock:
    its owner marks it done; what was agreed (title, owner, due date) stays as minuted."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="action_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("action", max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="done") & models.Q(completed_at__isnull=False))
                | (models.Q(status="open") & models.Q(completed_at__isnull=True)),
                name="action_item_done_has_completed_at",
            ),
        ]
        indexes = [
            # Overdue action items: status=open and due_date < today.
            models.Index(fields=["status", "due_date"], name="action_item_status_due_idx"),
            models.Index(fields=["owner", "status", "due_date"], name="action_item_owner_idx"),
            models.Index(fields=["project", "status"], name="action_item_project_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="action_item_no_delete", operation=pgtrigger.Delete),
            MinutesLocked(
                name="action_item_locked",
                operation=pgtrigger.Insert | pgtrigger.Update,
                guarded=("title", "owner_id", "due_date", "removed_at", "meeting_id", "project_id"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url() + f"#action-{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.status == ActionItemStatus.DONE

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == ActionItemStatus.OPEN and self.due_date < today

"""Who is invited, their reply, and whether they attended."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from projects.models import Side, TeamRole

from .meetings import Badge, Meeting, MinutesLocked


class Rsvp(models.TextChoices):
    PENDING = "pending", "No reply yet"
    ACCEPTED = "accepted", "Accepted"
    TENTATIVE = "tentative", "Tentative"
    DECLINED = "declined", "Declined"


RSVP_BADGE_STYLES = {Rsvp.ACCEPTED: "green", Rsvp.TENTATIVE: "amber", Rsvp.DECLINED: "red"}
RSVP_LABELS = dict(Rsvp.choices)


def rsvp_badge(rsvp: str | None) -> Badge | None:
    """A reply as a badge; None while there is no reply yet."""
    style = RSVP_BADGE_STYLES.get(rsvp)
    return Badge(RSVP_LABELS[rsvp], style) if style else None


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
        indexes = [
            models.Index(fields=["user", "meeting"], name="invitee_user_idx"),
            # "My meetings" reads the person's current invitations' meetings from the index alone.
            models.Index(
                fields=["user", "meeting"],
                condition=models.Q(removed_at__isnull=True),
                name="invitee_active_user_idx",
            ),
        ]
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
    def rsvp_badge(self) -> Badge | None:
        """The reply as a badge; None while there is no reply yet."""
        return rsvp_badge(self.rsvp)

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def is_decision_maker(self) -> bool:
        return self.team_role == TeamRole.DECISION_MAKER

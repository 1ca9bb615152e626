"""Rules about governance meetings, their minutes and their action items."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from meetings.models import (
    ActionItem,
    ActionItemStatus,
    Attendance,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from portal.core.business_time import BusinessCalendar
from projects.models import ProjectStatus, Side, TeamRole

from ..models import FlagKind, Severity
from .base import Finding, Rule, _days, active_projects

# Minutes are due, and then confirmed, within this many business days.
MINUTES_BUSINESS_DAYS = 2


class GovernanceWithoutDecisionMakerRule(Rule):
    kind = FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER
    subject_model = Meeting

    def findings(self, now, project_ids=None):
        rows = self.scoped(
            Meeting.objects.filter(
                kind=MeetingKind.GOVERNANCE,
                status=MeetingStatus.SCHEDULED,
                starts_at__gte=now,
                decision_maker_invited=False,
                project__status=ProjectStatus.ACTIVE,
            ),
            project_ids,
        ).values(
            "pk",
            "project_id",
            "title",
            "starts_at",
            "sent_without_decision_maker_at",
            "sent_without_decision_maker_by__full_name",
        )
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"Governance meeting “{row['title']}” on {timezone.localtime(row['starts_at']):%d %b %Y} has no "
                "sponsor decision-maker invited." + _deliberate(row),
                Severity.WARNING,
            )
            for row in rows
        ]


def _deliberate(row) -> str:
    """The organizer was warned before sending and chose to go on without one: say so."""
    if row["sent_without_decision_maker_at"] is None:
        return ""
    who = row["sent_without_decision_maker_by__full_name"] or "The organizer"
    return f" {who} chose to send it without one on {timezone.localtime(row['sent_without_decision_maker_at']):%d %b %Y}."


HELD_STATUSES = (MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_SENT, MeetingStatus.CONFIRMED)


class DecisionMakerAbsentRule(Rule):
    """The sponsor's decision-maker missed both of the project's two most recent governance meetings
    with attendance recorded.

    Only those two meetings are read, per project, through the partial index
    meeting_governance_held_idx (project, starts_at DESC): the cost follows the number of projects,
    never the history of meetings and invitees."""

    kind = FlagKind.DECISION_MAKER_ABSENT
    project_lookup = "pk"

    def findings(self, now, project_ids=None):
        recent = Meeting.objects.filter(
            project=OuterRef("pk"),
            kind=MeetingKind.GOVERNANCE,
            status__in=HELD_STATUSES,
            attendance_recorded_at__isnull=False,
            starts_at__lte=now,
        ).order_by("-starts_at", "-pk")
        with_dm = recent.annotate(
            dm_attended=Exists(
                Invitee.objects.filter(
                    meeting=OuterRef("pk"),
                    team_role=TeamRole.DECISION_MAKER,
                    attendance=Attendance.ATTENDED,
                    removed_at__isnull=True,
                )
            )
        )
        rows = (
            self.scoped(active_projects(), project_ids)
            # NULL (no such meeting) is not False: a project needs two meetings to be flagged.
            .annotate(
                last_dm=Subquery(with_dm.values("dm_attended")[:1]),
                previous_dm=Subquery(with_dm.values("dm_attended")[1:2]),
            )
            .filter(last_dm=False, previous_dm=False)
            .annotate(
                last_at=Subquery(recent.values("starts_at")[:1]),
                previous_at=Subquery(recent.values("starts_at")[1:2]),
            )
            .order_by()
            .values("pk", "last_at", "previous_at")
        )
        return [
            Finding(
                row["pk"],
                row["pk"],
                "The sponsor's decision-maker was absent from the last two governance meetings "
                f"({timezone.localtime(row['previous_at']):%d %b} and {timezone.localtime(row['last_at']):%d %b}).",
                Severity.CRITICAL,
            )
            for row in rows
        ]


class _MinutesLateRule(Rule):
    """A step of the minutes not taken within MINUTES_BUSINESS_DAYS of when its clock started.

    The business days are counted in the calendar of the side that owes the step. SQL keeps only
    meetings whose clock started at least that many calendar days ago; the exact business-day
    deadline is then computed per meeting.
    """

    subject_model = Meeting

    def candidates(self, started_before: dt.datetime):  # pragma: no cover - interface
        raise NotImplementedError

    def owing_organization(self, meeting: Meeting):  # pragma: no cover - interface
        raise NotImplementedError

    def clock_started(self, meeting: Meeting) -> dt.datetime:  # pragma: no cover - interface
        raise NotImplementedError

    def explanation(self, meeting: Meeting) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def findings(self, now, project_ids=None):
        found = []
        for meeting in self.scoped(
            self.candidates(now - dt.timedelta(days=MINUTES_BUSINESS_DAYS)), project_ids
        ):
            calendar = BusinessCalendar.for_organization(self.owing_organization(meeting))
            if calendar.add_business_days(self.clock_started(meeting), MINUTES_BUSINESS_DAYS) < now:
                found.append(
                    Finding(meeting.project_id, meeting.pk, self.explanation(meeting), Severity.WARNING)
                )
        return found


class MinutesNotSentRule(_MinutesLateRule):
    """The organizer's side sends the minutes within two business days of the meeting's end."""

    kind = FlagKind.MINUTES_NOT_SENT

    def candidates(self, started_before):
        return Meeting.objects.filter(
            status__in=[MeetingStatus.SCHEDULED, MeetingStatus.MINUTES_DRAFT],
            minutes_sent_at__isnull=True,
            starts_at__lte=started_before,
            project__status=ProjectStatus.ACTIVE,
        ).select_related("project__cdmo", "project__sponsor")

    def owing_organization(self, meeting):
        return meeting.project.sponsor if meeting.organizer_side == Side.SPONSOR else meeting.project.cdmo

    def clock_started(self, meeting):
        return meeting.ends_at

    def explanation(self, meeting):
        return (
            f"Minutes of “{meeting.title}” ({timezone.localtime(meeting.starts_at):%d %b}) were not sent "
            f"within {MINUTES_BUSINESS_DAYS} business days of the meeting."
        )


class MinutesNotConfirmedRule(_MinutesLateRule):
    """The sponsor confirms (or corrects) the minutes within two business days of receiving them."""

    kind = FlagKind.MINUTES_NOT_CONFIRMED

    def candidates(self, started_before):
        return Meeting.objects.filter(
            status=MeetingStatus.MINUTES_SENT,
            minutes_confirmed_at__isnull=True,
            minutes_sent_at__lte=started_before,
            project__status=ProjectStatus.ACTIVE,
        ).select_related("project__sponsor")

    def owing_organization(self, meeting):
        return meeting.project.sponsor

    def clock_started(self, meeting):
        return meeting.minutes_sent_at

    def explanation(self, meeting):
        return (
            f"The sponsor has not confirmed the minutes of “{meeting.title}”, sent "
            f"{timezone.localtime(meeting.minutes_sent_at):%d %b}, within {MINUTES_BUSINESS_DAYS} business days."
        )


class ActionItemOverdueRule(Rule):
    kind = FlagKind.ACTION_ITEM_OVERDUE
    subject_model = ActionItem

    def findings(self, now, project_ids=None):
        today = timezone.localdate(now)
        rows = self.scoped(
            ActionItem.objects.filter(
                status=ActionItemStatus.OPEN,
                removed_at__isnull=True,
                due_date__lt=today,
                project__status=ProjectStatus.ACTIVE,
            ),
            project_ids,
        ).values("pk", "project_id", "title", "due_date", "owner__full_name")
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"Action “{row['title']}” ({row['owner__full_name']}) was due {row['due_date']:%d %b %Y}, "
                f"{_days((today - row['due_date']).days)} ago.",
                Severity.CRITICAL if (today - row["due_date"]).days > 14 else Severity.WARNING,
            )
            for row in rows
        ]

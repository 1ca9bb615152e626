"""Rules about governance meetings, their minutes and their action items."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from itertools import groupby
from operator import itemgetter

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    When,
)
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
from .base import JUST_AFTER, Finding, Rule, active_projects, midnights

# Minutes are due, and then confirmed, within this many business days.
MINUTES_BUSINESS_DAYS = 2


class GovernanceWithoutDecisionMakerRule(Rule):
    kind = FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER
    subject_model = Meeting

    def _flagged(self, now, project_ids):
        return self.scoped(
            Meeting.objects.filter(
                kind=MeetingKind.GOVERNANCE,
                status=MeetingStatus.SCHEDULED,
                starts_at__gte=now,
                decision_maker_invited=False,
                project__status=ProjectStatus.ACTIVE,
            ),
            project_ids,
        )

    def moments(self, now, project_ids=None):
        # The flag clears once the meeting has started.
        rows = self._flagged(now, project_ids).values_list("project_id", "starts_at")
        return [(project_id, starts_at + JUST_AFTER) for project_id, starts_at in rows]

    def findings(self, now, project_ids=None):
        rows = self._flagged(now, project_ids).values(
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


def governance_held_by(now):
    """The project's (OuterRef "pk") governance meetings held, attendance recorded, by `now`,
    newest first: meeting_governance_held_idx."""
    return Meeting.objects.filter(
        project=OuterRef("pk"),
        kind=MeetingKind.GOVERNANCE,
        status__in=HELD_STATUSES,
        attendance_recorded_at__isnull=False,
        starts_at__lte=now,
    ).order_by("-starts_at", "-pk")


class DecisionMakerAbsentRule(Rule):
    """The sponsor's decision-maker missed both of the project's two most recent governance meetings
    with attendance recorded.

    Only those two meetings are read, per project, through the partial index
    meeting_governance_held_idx (project, starts_at DESC): the cost follows the number of projects,
    never the history of meetings and invitees."""

    kind = FlagKind.DECISION_MAKER_ABSENT
    project_lookup = "pk"

    def moments(self, now, project_ids=None):
        # A held meeting with attendance recorded counts from its start (recorded ahead of it).
        rows = self.scoped(
            Meeting.objects.filter(
                kind=MeetingKind.GOVERNANCE,
                status__in=HELD_STATUSES,
                attendance_recorded_at__isnull=False,
                starts_at__gt=now,
                project__status=ProjectStatus.ACTIVE,
            ),
            project_ids,
            lookup="project_id",
        ).values_list("project_id", "starts_at")
        return list(rows)

    def findings(self, now, project_ids=None):
        recent = governance_held_by(now)
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
    meetings whose clock started at least that many calendar days ago, and gives each its clock and
    the owing side's calendar, sorted. A later start never has an earlier deadline, so the late
    meetings of one calendar are those before the first one still waiting, found by bisection: a
    handful of deadlines computed per calendar, not one per meeting. For the next moments, one
    deadline per project and calendar: its first meeting still waiting.
    """

    subject_model = Meeting
    started_field: str  # the candidates' column no later than the clock

    def clock(self):  # pragma: no cover - interface
        """An expression for the moment the clock started."""
        raise NotImplementedError

    def candidates(self):  # pragma: no cover - interface
        raise NotImplementedError

    def owing(self, field: str):  # pragma: no cover - interface
        """An expression for `field` ("time_zone", "country") of the organization owing the step."""
        raise NotImplementedError

    def explanation(self, row: dict) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def _by_calendar(self, now, project_ids, started_before=None):
        """(calendar, the waiting bisection's cut, rows sorted by clock) for each owing calendar."""
        rows = self.scoped(self.candidates(), project_ids)
        if started_before is not None:
            rows = rows.filter(**{f"{self.started_field}__lte": started_before})
        rows = (
            rows.annotate(
                clock=self.clock(), owing_zone=self.owing("time_zone"), owing_country=self.owing("country")
            )
            .order_by("owing_zone", "owing_country", "clock")
            .values(
                "pk",
                "project_id",
                "title",
                "starts_at",
                "minutes_sent_at",
                "clock",
                "owing_zone",
                "owing_country",
            )
        )
        for (zone, country), group in groupby(rows, key=itemgetter("owing_zone", "owing_country")):
            group = list(group)
            calendar = BusinessCalendar(time_zone=zone or "UTC", country=country or "US")

            def waiting(row, calendar=calendar):
                return self.deadline(calendar, row) >= now

            # Sorted by the clock, the late ones come first: find where they end by bisection.
            yield calendar, bisect_left(group, True, key=waiting), group

    @staticmethod
    def deadline(calendar: BusinessCalendar, row: dict) -> dt.datetime:
        return calendar.add_business_days(row["clock"], MINUTES_BUSINESS_DAYS)

    def findings(self, now, project_ids=None):
        started_before = now - dt.timedelta(days=MINUTES_BUSINESS_DAYS)
        return [
            Finding(row["project_id"], row["pk"], self.explanation(row), Severity.WARNING)
            for _calendar, cut, group in self._by_calendar(now, project_ids, started_before)
            for row in group[:cut]
        ]

    def moments(self, now, project_ids=None):
        found = []
        # A meeting is flagged once both its business deadline passed and its `started_field` is
        # two calendar days old (eight business hours a day can pass in less than two days).
        wait = dt.timedelta(days=MINUTES_BUSINESS_DAYS)
        for calendar, cut, group in self._by_calendar(now, project_ids):
            # Past the deadline: flagged already, or once the two days are over.
            found += [(row["project_id"], row[self.started_field] + wait) for row in group[:cut]]
            # Still waiting: one deadline per project, its first meeting's. A later clock's is no
            # earlier, so for the others it is a bound: at worst a project is evaluated early.
            first_deadline = {}
            for row in group[cut:]:
                if row["project_id"] not in first_deadline:
                    first_deadline[row["project_id"]] = self.deadline(calendar, row) + JUST_AFTER
                found.append(
                    (
                        row["project_id"],
                        max(first_deadline[row["project_id"]], row[self.started_field] + wait),
                    )
                )
        return found


class MinutesNotSentRule(_MinutesLateRule):
    """The organizer's side sends the minutes within two business days of the meeting's end."""

    kind = FlagKind.MINUTES_NOT_SENT
    started_field = "starts_at"

    def candidates(self):
        return Meeting.objects.filter(
            status__in=[MeetingStatus.SCHEDULED, MeetingStatus.MINUTES_DRAFT],
            minutes_sent_at__isnull=True,
            project__status=ProjectStatus.ACTIVE,
        )

    def clock(self):
        # Meeting.ends_at, in SQL.
        return ExpressionWrapper(
            F("starts_at") + F("duration_minutes") * dt.timedelta(minutes=1), output_field=DateTimeField()
        )

    def owing(self, field):
        return Case(
            When(organizer_side=Side.SPONSOR, then=F(f"project__sponsor__{field}")),
            default=F(f"project__cdmo__{field}"),
        )

    def explanation(self, row):
        return (
            f"Minutes of “{row['title']}” ({timezone.localtime(row['starts_at']):%d %b}) were not sent "
            f"within {MINUTES_BUSINESS_DAYS} business days of the meeting."
        )


class MinutesNotConfirmedRule(_MinutesLateRule):
    """The sponsor confirms (or corrects) the minutes within two business days of receiving them."""

    kind = FlagKind.MINUTES_NOT_CONFIRMED
    started_field = "minutes_sent_at"

    def candidates(self):
        return Meeting.objects.filter(
            status=MeetingStatus.MINUTES_SENT,
            minutes_confirmed_at__isnull=True,
            minutes_sent_at__isnull=False,
            project__status=ProjectStatus.ACTIVE,
        )

    def clock(self):
        return F("minutes_sent_at")

    def owing(self, field):
        return F(f"project__sponsor__{field}")

    def explanation(self, row):
        return (
            f"The sponsor has not confirmed the minutes of “{row['title']}”, sent "
            f"{timezone.localtime(row['minutes_sent_at']):%d %b}, within {MINUTES_BUSINESS_DAYS} business days."
        )


class ActionItemOverdueRule(Rule):
    """Flagged from the day after the due date; critical after two weeks."""

    kind = FlagKind.ACTION_ITEM_OVERDUE
    subject_model = ActionItem
    CRITICAL_AFTER_DAYS = 14

    def _open_items(self, project_ids):
        return self.scoped(
            ActionItem.objects.filter(
                status=ActionItemStatus.OPEN, removed_at__isnull=True, project__status=ProjectStatus.ACTIVE
            ),
            project_ids,
        )

    def findings(self, now, project_ids=None):
        today = timezone.localdate(now)
        rows = (
            self._open_items(project_ids)
            .filter(due_date__lt=today)
            .values("pk", "project_id", "title", "due_date", "owner__full_name")
        )
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"Action “{row['title']}” ({row['owner__full_name']}) was due {row['due_date']:%d %b %Y}.",
                Severity.CRITICAL
                if (today - row["due_date"]).days > self.CRITICAL_AFTER_DAYS
                else Severity.WARNING,
            )
            for row in rows
        ]

    def moments(self, now, project_ids=None):
        # Per project: its first item not yet late, and its first late one not yet critical.
        today = timezone.localdate(now)
        critical_after = dt.timedelta(days=self.CRITICAL_AFTER_DAYS + 1)
        rows = (
            self._open_items(project_ids)
            .filter(due_date__gt=today - critical_after)
            .order_by()
            .values("project_id")
            .annotate(
                next_late=Min("due_date", filter=Q(due_date__gte=today)),
                next_critical=Min("due_date"),
            )
            .values_list("project_id", "next_late", "next_critical")
        )
        midnight = midnights()
        return [
            (project_id, midnight(due + after))
            for project_id, next_late, next_critical in rows
            for due, after in ((next_late, dt.timedelta(days=1)), (next_critical, critical_after))
            if due is not None
        ]

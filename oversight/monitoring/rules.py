"""The red-flag rules. Each finds every current case with a few set-based queries.

A rule never loops over projects with a query each: it asks the database for
all the rows that break the rule right now (over stored, indexed deadlines such
as `next_update_due` or `respond_by`) and returns findings. The sweep compares
the findings with the open flags and raises, refreshes or clears in bulk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from issues.models import AWAITING_PLAN, IssueStatus, ServiceIssue
from issues.models import Severity as IssueSeverity
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
from projects.models import (
    OPEN_MILESTONE_STATUSES,
    CommentKind,
    Milestone,
    Project,
    ProjectMember,
    ProjectStatus,
    Side,
    TeamRole,
    UpdateComment,
)

from .models import FlagKind, Severity

# Days past the agreed cadence before a missing update becomes a flag.
UPDATE_GRACE_DAYS = 2
# A forecast this many days past its baseline is a slip worth an executive's attention.
MILESTONE_SLIP_THRESHOLD_DAYS = 14
MILESTONE_SLIP_CRITICAL_DAYS = 45


@dataclass(frozen=True)
class Finding:
    project_id: int
    subject_id: int
    explanation: str
    severity: str = Severity.WARNING
    data: dict = field(default_factory=dict, compare=False)


class Rule:
    kind: str
    subject_model = Project

    def findings(self, now: dt.datetime) -> list[Finding]:  # pragma: no cover - interface
        raise NotImplementedError

    @classmethod
    def subject_type(cls) -> ContentType:
        return ContentType.objects.get_for_model(cls.subject_model)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def active_projects():
    return Project.objects.filter(status=ProjectStatus.ACTIVE)


class StaleUpdateRule(Rule):
    kind = FlagKind.STALE_UPDATE

    def findings(self, now):
        today = timezone.localdate(now)
        cutoff = today - dt.timedelta(days=UPDATE_GRACE_DAYS)
        rows = (
            active_projects()
            # Never published: the first update was due one cadence after the start.
            .filter(Q(next_update_due__lt=cutoff) | Q(next_update_due__isnull=True, start_date__lt=cutoff))
            .values("pk", "update_cadence_days", "last_update_published_at", "start_date", "next_update_due")
        )
        found = []
        for row in rows:
            cadence = row["update_cadence_days"]
            if row["last_update_published_at"]:
                silent = (today - timezone.localdate(row["last_update_published_at"])).days
                text = f"No update published for {_days(silent)}; the agreed cadence is {_days(cadence)}."
            else:
                if row["start_date"] + dt.timedelta(days=cadence) >= cutoff:
                    continue  # the first update is not late yet
                silent = (today - row["start_date"]).days
                text = f"No update published since the project started {_days(silent)} ago; the agreed cadence is {_days(cadence)}."
            severity = Severity.CRITICAL if silent >= 2 * cadence + UPDATE_GRACE_DAYS else Severity.WARNING
            found.append(
                Finding(row["pk"], row["pk"], text, severity, {"days_silent": silent, "cadence": cadence})
            )
        return found


class QuestionUnansweredRule(Rule):
    kind = FlagKind.QUESTION_UNANSWERED
    subject_model = UpdateComment

    def findings(self, now):
        rows = UpdateComment.objects.filter(
            kind=CommentKind.QUESTION,
            answered_at__isnull=True,
            respond_by__lt=now,
            update__project__status=ProjectStatus.ACTIVE,
        ).values(
            "pk", "update__project_id", "respond_by", "created_at", "update__project__question_response_days"
        )
        found = []
        for row in rows:
            waiting = (now - row["created_at"]).days
            overdue_hours = int((now - row["respond_by"]).total_seconds() // 3600)
            agreed = row["update__project__question_response_days"]
            text = (
                f"A sponsor question has waited {_days(waiting)} for an answer; the agreed response time is "
                f"{_days(agreed)} (business days), now {overdue_hours} h past due."
            )
            severity = Severity.CRITICAL if overdue_hours >= 48 else Severity.WARNING
            found.append(Finding(row["update__project_id"], row["pk"], text, severity))
        return found


class NoDecisionMakerRule(Rule):
    kind = FlagKind.NO_DECISION_MAKER

    def findings(self, now):
        has_dm = ProjectMember.objects.filter(
            project=OuterRef("pk"), role=TeamRole.DECISION_MAKER, removed_at__isnull=True
        )
        return [
            Finding(
                pk,
                pk,
                "The sponsor has no decision-maker on this project: nobody on the team can decide for the sponsor.",
                Severity.CRITICAL,
            )
            for pk in active_projects().filter(~Exists(has_dm)).values_list("pk", flat=True)
        ]


class _NoContactRule(Rule):
    side: str

    def findings(self, now):
        has_contact = ProjectMember.objects.filter(
            project=OuterRef("pk"), side=self.side, is_point_of_contact=True, removed_at__isnull=True
        )
        who = "sponsor" if self.side == Side.SPONSOR else "CDMO"
        return [
            Finding(pk, pk, f"The {who} has not named a single point of contact who is empowered to act.")
            for pk in active_projects().filter(~Exists(has_contact)).values_list("pk", flat=True)
        ]


class NoSponsorContactRule(_NoContactRule):
    kind = FlagKind.NO_SPONSOR_CONTACT
    side = Side.SPONSOR


class NoCDMOContactRule(_NoContactRule):
    kind = FlagKind.NO_CDMO_CONTACT
    side = Side.CDMO


def _open_milestones():
    return Milestone.objects.filter(project__status=ProjectStatus.ACTIVE, status__in=OPEN_MILESTONE_STATUSES)


class MilestoneSlipRule(Rule):
    kind = FlagKind.MILESTONE_SLIP
    subject_model = Milestone

    def findings(self, now):
        rows = (
            _open_milestones()
            .with_slip()
            .filter(slip__gt=MILESTONE_SLIP_THRESHOLD_DAYS)
            .values("pk", "project_id", "title", "slip", "baseline_date", "forecast_date")
        )
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"“{row['title']}” is forecast {_days(row['slip'])} after its contracted baseline "
                f"({row['baseline_date']:%d %b %Y} → {row['forecast_date']:%d %b %Y}).",
                Severity.CRITICAL if row["slip"] >= MILESTONE_SLIP_CRITICAL_DAYS else Severity.WARNING,
                {"slip_days": row["slip"]},
            )
            for row in rows
        ]


class MilestonePastDueRule(Rule):
    kind = FlagKind.MILESTONE_PAST_DUE
    subject_model = Milestone

    def findings(self, now):
        today = timezone.localdate(now)
        rows = (
            _open_milestones()
            .filter(forecast_date__lt=today)
            .values("pk", "project_id", "title", "forecast_date")
        )
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"“{row['title']}” was due {row['forecast_date']:%d %b %Y} ({_days((today - row['forecast_date']).days)} ago) "
                "and has no actual date.",
                Severity.WARNING,
            )
            for row in rows
        ]


# Minutes are due, and then confirmed, within this many business days.
MINUTES_BUSINESS_DAYS = 2


class GovernanceWithoutDecisionMakerRule(Rule):
    kind = FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER
    subject_model = Meeting

    def findings(self, now):
        rows = Meeting.objects.filter(
            kind=MeetingKind.GOVERNANCE,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=now,
            decision_maker_invited=False,
            project__status=ProjectStatus.ACTIVE,
        ).values("pk", "project_id", "title", "starts_at")
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"Governance meeting “{row['title']}” on {timezone.localtime(row['starts_at']):%d %b %Y} has no "
                "sponsor decision-maker invited.",
                Severity.WARNING,
            )
            for row in rows
        ]


HELD_STATUSES = (MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_SENT, MeetingStatus.CONFIRMED)


class DecisionMakerAbsentRule(Rule):
    kind = FlagKind.DECISION_MAKER_ABSENT

    def findings(self, now):
        dm_attended = Invitee.objects.filter(
            meeting=OuterRef("pk"),
            team_role=TeamRole.DECISION_MAKER,
            attendance=Attendance.ATTENDED,
            removed_at__isnull=True,
        )
        # The two most recent governance meetings with attendance recorded, per project: one query.
        recent = (
            Meeting.objects.filter(
                kind=MeetingKind.GOVERNANCE,
                status__in=HELD_STATUSES,
                attendance_recorded_at__isnull=False,
                project__status=ProjectStatus.ACTIVE,
                starts_at__lte=now,
            )
            .annotate(
                recency=Window(RowNumber(), partition_by=[F("project_id")], order_by=F("starts_at").desc()),
                dm_attended=Exists(dm_attended),
            )
            .filter(recency__lte=2)
            .values("project_id", "dm_attended", "starts_at")
        )
        by_project: dict[int, list] = {}
        for row in recent:
            by_project.setdefault(row["project_id"], []).append(row)
        found = []
        for project_id, rows in by_project.items():
            if len(rows) == 2 and not any(row["dm_attended"] for row in rows):
                dates = " and ".join(
                    f"{timezone.localtime(row['starts_at']):%d %b}"
                    for row in sorted(rows, key=lambda r: r["starts_at"])
                )
                found.append(
                    Finding(
                        project_id,
                        project_id,
                        f"The sponsor's decision-maker was absent from the last two governance meetings ({dates}).",
                        Severity.CRITICAL,
                    )
                )
        return found


class MinutesNotSentRule(Rule):
    kind = FlagKind.MINUTES_NOT_SENT
    subject_model = Meeting

    def findings(self, now):
        # Coarse filter in SQL (ended at least two calendar days ago), exact business days in Python.
        rows = Meeting.objects.filter(
            status__in=[MeetingStatus.SCHEDULED, MeetingStatus.MINUTES_DRAFT],
            minutes_sent_at__isnull=True,
            starts_at__lte=now - dt.timedelta(days=MINUTES_BUSINESS_DAYS),
            project__status=ProjectStatus.ACTIVE,
        ).select_related("project__cdmo", "project__sponsor")
        found = []
        for meeting in rows:
            organization = (
                meeting.project.sponsor if meeting.organizer_side == Side.SPONSOR else meeting.project.cdmo
            )
            due = BusinessCalendar.for_organization(organization).add_business_days(
                meeting.ends_at, MINUTES_BUSINESS_DAYS
            )
            if due < now:
                found.append(
                    Finding(
                        meeting.project_id,
                        meeting.pk,
                        f"Minutes of “{meeting.title}” ({timezone.localtime(meeting.starts_at):%d %b}) were not sent "
                        f"within {MINUTES_BUSINESS_DAYS} business days of the meeting.",
                        Severity.WARNING,
                    )
                )
        return found


class MinutesNotConfirmedRule(Rule):
    kind = FlagKind.MINUTES_NOT_CONFIRMED
    subject_model = Meeting

    def findings(self, now):
        rows = Meeting.objects.filter(
            status=MeetingStatus.MINUTES_SENT,
            minutes_confirmed_at__isnull=True,
            minutes_sent_at__lte=now - dt.timedelta(days=MINUTES_BUSINESS_DAYS),
            project__status=ProjectStatus.ACTIVE,
        ).select_related("project__sponsor")
        found = []
        for meeting in rows:
            due = BusinessCalendar.for_organization(meeting.project.sponsor).add_business_days(
                meeting.minutes_sent_at, MINUTES_BUSINESS_DAYS
            )
            if due < now:
                found.append(
                    Finding(
                        meeting.project_id,
                        meeting.pk,
                        f"The sponsor has not confirmed the minutes of “{meeting.title}”, sent "
                        f"{timezone.localtime(meeting.minutes_sent_at):%d %b}, within {MINUTES_BUSINESS_DAYS} business days.",
                        Severity.WARNING,
                    )
                )
        return found


class ActionItemOverdueRule(Rule):
    kind = FlagKind.ACTION_ITEM_OVERDUE
    subject_model = ActionItem

    def findings(self, now):
        today = timezone.localdate(now)
        rows = ActionItem.objects.filter(
            status=ActionItemStatus.OPEN,
            removed_at__isnull=True,
            due_date__lt=today,
            project__status=ProjectStatus.ACTIVE,
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


class IssueAcknowledgeBreachRule(Rule):
    kind = FlagKind.ISSUE_ACK_BREACH
    subject_model = ServiceIssue

    def findings(self, now):
        rows = ServiceIssue.objects.filter(
            status=IssueStatus.OPEN,
            acknowledge_by__lt=now,
            project__status__in=WATCHED_ISSUE_PROJECTS,
        ).values("pk", "project_id", "title", "severity", "acknowledge_by", "escalation_level")
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"{row['severity'].capitalize()} service issue “{row['title']}” has not been acknowledged; it was due "
                f"{_hours_ago(now, row['acknowledge_by'])} (escalation level {row['escalation_level']}).",
                Severity.CRITICAL if row["severity"] == IssueSeverity.CRITICAL else Severity.WARNING,
            )
            for row in rows
        ]


class IssuePlanBreachRule(Rule):
    kind = FlagKind.ISSUE_PLAN_BREACH
    subject_model = ServiceIssue

    def findings(self, now):
        rows = ServiceIssue.objects.filter(
            status__in=AWAITING_PLAN,
            plan_by__lt=now,
            project__status__in=WATCHED_ISSUE_PROJECTS,
        ).values("pk", "project_id", "title", "severity", "plan_by", "escalation_level")
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"{row['severity'].capitalize()} service issue “{row['title']}” has no resolution plan; it was due "
                f"{_hours_ago(now, row['plan_by'])} (escalation level {row['escalation_level']}).",
                Severity.CRITICAL if row["severity"] != IssueSeverity.MINOR else Severity.WARNING,
            )
            for row in rows
        ]


# Service issues matter on paused programs too: the complaint does not pause.
WATCHED_ISSUE_PROJECTS = (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


def _hours_ago(now: dt.datetime, moment: dt.datetime) -> str:
    hours = int((now - moment).total_seconds() // 3600)
    if hours < 48:
        return f"{hours} h ago"
    return f"{_days(hours // 24)} ago"


RULES: list[Rule] = [
    StaleUpdateRule(),
    QuestionUnansweredRule(),
    NoDecisionMakerRule(),
    NoSponsorContactRule(),
    NoCDMOContactRule(),
    MilestoneSlipRule(),
    MilestonePastDueRule(),
    GovernanceWithoutDecisionMakerRule(),
    DecisionMakerAbsentRule(),
    MinutesNotSentRule(),
    MinutesNotConfirmedRule(),
    ActionItemOverdueRule(),
    IssueAcknowledgeBreachRule(),
    IssuePlanBreachRule(),
]

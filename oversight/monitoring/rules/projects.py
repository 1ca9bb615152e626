"""Rules about a project's own rhythm: updates, questions, the team, milestones."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from projects.models import (
    OPEN_MILESTONE_STATUSES,
    CommentKind,
    Milestone,
    ProjectMember,
    ProjectStatus,
    Side,
    TeamRole,
    UpdateComment,
)

from ..models import FlagKind, Severity
from .base import (
    JUST_AFTER,
    MILESTONE_SLIP_CRITICAL_DAYS,
    MILESTONE_SLIP_THRESHOLD_DAYS,
    UPDATE_GRACE_DAYS,
    Finding,
    Rule,
    _days,
    active_projects,
    midnights,
)


class StaleUpdateRule(Rule):
    """Flagged from the third day after an update was due (the first one: one cadence after the
    start); critical once the silence reaches two cadences and the grace. The explanation names
    dates, not a count of days, so that it changes when the data does, not every midnight."""

    kind = FlagKind.STALE_UPDATE
    project_lookup = "pk"
    FIELDS = ("pk", "update_cadence_days", "last_update_published_at", "start_date", "next_update_due")

    def findings(self, now, project_ids=None):
        today = timezone.localdate(now)
        cutoff = today - dt.timedelta(days=UPDATE_GRACE_DAYS)
        rows = (
            self.scoped(active_projects(), project_ids)
            # Never published: the first update was due one cadence after the start.
            .filter(Q(next_update_due__lt=cutoff) | Q(next_update_due__isnull=True, start_date__lt=cutoff))
            .values(*self.FIELDS)
        )
        found = []
        for row in rows:
            cadence = row["update_cadence_days"]
            if row["last_update_published_at"]:
                since = timezone.localdate(row["last_update_published_at"])
                text = f"No update published since {since:%d %b %Y}; the agreed cadence is {_days(cadence)}."
            else:
                if row["start_date"] + dt.timedelta(days=cadence) >= cutoff:
                    continue  # the first update is not late yet
                since = row["start_date"]
                text = (
                    f"No update published since the project started on {since:%d %b %Y}; "
                    f"the agreed cadence is {_days(cadence)}."
                )
            silent = (today - since).days
            severity = Severity.CRITICAL if silent >= 2 * cadence + UPDATE_GRACE_DAYS else Severity.WARNING
            found.append(
                Finding(row["pk"], row["pk"], text, severity, {"days_silent": silent, "cadence": cadence})
            )
        return found

    def moments(self, now, project_ids=None):
        grace = dt.timedelta(days=UPDATE_GRACE_DAYS + 1)  # flagged on the third day after
        midnight, found = midnights(), []
        for row in self.scoped(active_projects(), project_ids).values(*self.FIELDS):
            cadence = dt.timedelta(days=row["update_cadence_days"])
            published = row["last_update_published_at"]
            since = timezone.localdate(published) if published else row["start_date"]
            if row["next_update_due"]:
                late_from = row["next_update_due"] + grace
            else:
                late_from = row["start_date"] + (grace if published else cadence + grace)
            critical_from = since + 2 * cadence + dt.timedelta(days=UPDATE_GRACE_DAYS)
            found += [(row["pk"], midnight(late_from)), (row["pk"], midnight(critical_from))]
        return found


class QuestionUnansweredRule(Rule):
    """Flagged once the agreed response time passed; critical 48 hours later."""

    kind = FlagKind.QUESTION_UNANSWERED
    subject_model = UpdateComment
    project_lookup = "update__project_id"
    CRITICAL_AFTER = dt.timedelta(hours=48)

    def _open_questions(self, project_ids):
        return self.scoped(
            UpdateComment.objects.filter(
                kind=CommentKind.QUESTION,
                answered_at__isnull=True,
                respond_by__isnull=False,
                update__project__status=ProjectStatus.ACTIVE,
            ),
            project_ids,
        )

    def findings(self, now, project_ids=None):
        rows = (
            self._open_questions(project_ids)
            .filter(respond_by__lt=now)
            .values(
                "pk",
                "update__project_id",
                "respond_by",
                "created_at",
                "update__project__question_response_days",
            )
        )
        found = []
        for row in rows:
            text = (
                f"A sponsor question asked {timezone.localtime(row['created_at']):%d %b %Y} is still unanswered; "
                f"the agreed response time is {_days(row['update__project__question_response_days'])} "
                f"(business days), so it was due {timezone.localtime(row['respond_by']):%d %b %Y %H:%M}."
            )
            overdue = now - row["respond_by"]
            severity = Severity.CRITICAL if overdue >= self.CRITICAL_AFTER else Severity.WARNING
            found.append(Finding(row["update__project_id"], row["pk"], text, severity))
        return found

    def moments(self, now, project_ids=None):
        rows = (
            self._open_questions(project_ids)
            .filter(respond_by__gte=now - self.CRITICAL_AFTER)
            .values_list("update__project_id", "respond_by")
        )
        return [
            (project_id, moment)
            for project_id, respond_by in rows
            for moment in (respond_by + JUST_AFTER, respond_by + self.CRITICAL_AFTER)
        ]


class NoDecisionMakerRule(Rule):
    kind = FlagKind.NO_DECISION_MAKER
    project_lookup = "pk"

    def findings(self, now, project_ids=None):
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
            for pk in self.scoped(active_projects(), project_ids)
            .filter(~Exists(has_dm))
            .values_list("pk", flat=True)
        ]


class _NoContactRule(Rule):
    side: str
    project_lookup = "pk"

    def findings(self, now, project_ids=None):
        has_contact = ProjectMember.objects.filter(
            project=OuterRef("pk"), side=self.side, is_point_of_contact=True, removed_at__isnull=True
        )
        who = "sponsor" if self.side == Side.SPONSOR else "CDMO"
        return [
            Finding(pk, pk, f"The {who} has not named a single point of contact who is empowered to act.")
            for pk in self.scoped(active_projects(), project_ids)
            .filter(~Exists(has_contact))
            .values_list("pk", flat=True)
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

    def findings(self, now, project_ids=None):
        rows = (
            self.scoped(_open_milestones(), project_ids)
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

    def findings(self, now, project_ids=None):
        today = timezone.localdate(now)
        rows = (
            self.scoped(_open_milestones(), project_ids)
            .filter(forecast_date__lt=today)
            .values("pk", "project_id", "title", "forecast_date")
        )
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"“{row['title']}” was due {row['forecast_date']:%d %b %Y} and has no actual date.",
                Severity.WARNING,
            )
            for row in rows
        ]

    def moments(self, now, project_ids=None):
        # Per project, its first forecast not yet past.
        rows = (
            self.scoped(_open_milestones(), project_ids)
            .filter(forecast_date__gte=timezone.localdate(now))
            .order_by()
            .values("project_id")
            .annotate(first=Min("forecast_date"))
            .values_list("project_id", "first")
        )
        midnight = midnights()
        return [(project_id, midnight(due + dt.timedelta(days=1))) for project_id, due in rows]

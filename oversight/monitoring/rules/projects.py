"""Rules about a project's own rhythm: updates, questions, the team, milestones."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
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
    MILESTONE_SLIP_CRITICAL_DAYS,
    MILESTONE_SLIP_THRESHOLD_DAYS,
    UPDATE_GRACE_DAYS,
    Finding,
    Rule,
    _days,
    active_projects,
)


class StaleUpdateRule(Rule):
    kind = FlagKind.STALE_UPDATE
    project_lookup = "pk"

    def findings(self, now, project_ids=None):
        today = timezone.localdate(now)
        cutoff = today - dt.timedelta(days=UPDATE_GRACE_DAYS)
        rows = (
            self.scoped(active_projects(), project_ids)
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
    project_lookup = "update__project_id"

    def findings(self, now, project_ids=None):
        rows = self.scoped(
            UpdateComment.objects.filter(
                kind=CommentKind.QUESTION,
                answered_at__isnull=True,
                respond_by__lt=now,
                update__project__status=ProjectStatus.ACTIVE,
            ),
            project_ids,
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
                f"“{row['title']}” was due {row['forecast_date']:%d %b %Y} ({_days((today - row['forecast_date']).days)} ago) "
                "and has no actual date.",
                Severity.WARNING,
            )
            for row in rows
        ]

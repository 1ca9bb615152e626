"""Rules about the working agreement in force: its governance rhythm kept, its escalation
contacts still on the team (docs/working-agreement.md)."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from meetings.models import Meeting, MeetingKind, MeetingStatus
from projects.models import AgreementStatus, ProjectMember, WorkingAgreement

from ..models import FlagKind, Severity
from .base import JUST_AFTER, Finding, Rule, active_projects
from .meetings import HELD_STATUSES, governance_held_by


def _day(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y}"


def _in_force(field: str):
    """The project's version in force: one of its columns (NULL: none in force)."""
    return Subquery(
        WorkingAgreement.objects.filter(project=OuterRef("pk"), status=AgreementStatus.IN_FORCE).values(
            field
        )[:1]
    )


def _scheduled_after(now):
    return Meeting.objects.filter(
        project=OuterRef("pk"), kind=MeetingKind.GOVERNANCE, status=MeetingStatus.SCHEDULED, starts_at__gt=now
    )


class GovernanceRhythmMissedRule(Rule):
    """The agreement in force asks for a governance meeting every N weeks: flagged once N weeks
    have passed since the last one held (or, none held since, since the agreement first came into
    force) while none is scheduled ahead. The version in force now sets N; a new version does not
    restart the clock. One query: the version in force, the project's first version's start and
    its last held meeting, per project, each through an index."""

    kind = FlagKind.GOVERNANCE_RHYTHM_MISSED
    project_lookup = "pk"

    def _rows(self, now, project_ids):
        first_start = Subquery(
            WorkingAgreement.objects.filter(
                project=OuterRef("pk"),
                status__in=[AgreementStatus.IN_FORCE, AgreementStatus.SUPERSEDED],
            )
            .order_by("effective_from")
            .values("effective_from")[:1]
        )
        return (
            self.scoped(active_projects(), project_ids)
            .annotate(every_weeks=_in_force("governance_every_weeks"))
            .filter(every_weeks__isnull=False)
            .annotate(
                forum=_in_force("governance_forum"),
                agreed_from=first_start,
                last_held=Subquery(governance_held_by(now).values("starts_at")[:1]),
            )
            .annotate(
                due=ExpressionWrapper(
                    Greatest(Coalesce("last_held", "agreed_from"), "agreed_from")
                    + F("every_weeks") * dt.timedelta(weeks=1),
                    output_field=DateTimeField(),
                ),
                scheduled=Exists(_scheduled_after(now)),
            )
            .order_by()
        )

    def findings(self, now, project_ids=None):
        rows = (
            self._rows(now, project_ids)
            .filter(due__lt=now, scheduled=False)
            .values("pk", "every_weeks", "forum", "agreed_from", "last_held")
        )
        return [Finding(row["pk"], row["pk"], self.explanation(row), Severity.WARNING) for row in rows]

    @staticmethod
    def explanation(row) -> str:
        forum = row["forum"].strip()
        what = f"a governance meeting ({forum})" if forum else "a governance meeting"
        weeks = row["every_weeks"]
        every = "every week" if weeks == 1 else f"every {weeks} weeks"
        last = row["last_held"]
        if last is not None and last >= row["agreed_from"]:
            held = f"the last was held on {_day(last)}"
        else:
            held = f"none has been held since it came into force on {_day(row['agreed_from'])}"
        return f"The working agreement asks for {what} {every}; {held} and none is scheduled."

    def moments(self, now, project_ids=None):
        # Due: the flag is raised then (unless a meeting is scheduled). A scheduled meeting that
        # starts stops counting as ahead (its start); a meeting held ahead of its start (attendance
        # recorded early) counts from its start.
        future = Meeting.objects.filter(
            project=OuterRef("pk"), kind=MeetingKind.GOVERNANCE, starts_at__gt=now
        )
        rows = (
            self._rows(now, project_ids)
            .annotate(
                last_scheduled=Subquery(
                    future.filter(status=MeetingStatus.SCHEDULED)
                    .order_by("-starts_at")
                    .values("starts_at")[:1]
                ),
                next_held=Subquery(
                    future.filter(status__in=HELD_STATUSES, attendance_recorded_at__isnull=False)
                    .order_by("starts_at")
                    .values("starts_at")[:1]
                ),
            )
            .values_list("pk", "due", "last_scheduled", "next_held")
        )
        found = []
        for pk, due, last_scheduled, next_held in rows:
            found.append((pk, due + JUST_AFTER))
            if last_scheduled is not None:
                found.append((pk, last_scheduled + JUST_AFTER))
            if next_held is not None:
                found.append((pk, next_held))
        return found


class EscalationContactLeftRule(Rule):
    """An escalation contact named in the agreement in force is no longer an active member of the
    project's team: the leads should propose a change naming someone else. Data only, no clock."""

    kind = FlagKind.ESCALATION_CONTACT_LEFT
    subject_model = WorkingAgreement

    def findings(self, now, project_ids=None):
        def on_team(field):
            return Exists(
                ProjectMember.objects.filter(
                    project=OuterRef("project_id"),
                    user=OuterRef(field),
                    removed_at__isnull=True,
                    user__is_active=True,
                )
            )

        rows = (
            self.scoped(
                WorkingAgreement.objects.filter(
                    status=AgreementStatus.IN_FORCE, project__in=active_projects()
                ),
                project_ids,
            )
            .annotate(sponsor_on=on_team("sponsor_escalation"), cdmo_on=on_team("cdmo_escalation"))
            .filter(Q(sponsor_on=False) | Q(cdmo_on=False))
            .values(
                "pk",
                "project_id",
                "number",
                "sponsor_on",
                "cdmo_on",
                "sponsor_escalation__full_name",
                "cdmo_escalation__full_name",
            )
        )
        return [
            Finding(row["project_id"], row["pk"], self.explanation(row), Severity.WARNING) for row in rows
        ]

    @staticmethod
    def explanation(row) -> str:
        gone = []
        if not row["sponsor_on"]:
            gone.append(f"{row['sponsor_escalation__full_name']} (the sponsor's escalation contact)")
        if not row["cdmo_on"]:
            gone.append(f"{row['cdmo_escalation__full_name']} (the CDMO's escalation contact)")
        verb = "have" if len(gone) > 1 else "has"
        return (
            f"{' and '.join(gone)} {verb} left the team, but the working agreement in force "
            f"(version {row['number']}) still names them: propose a change to the agreement."
        )

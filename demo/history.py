"""Realistic history for benchmark projects, written in bulk.

`seed_demo --projects N` makes the projects and teams; this adds, to every
generated project that has none yet, what months of collaboration leave behind:
weekly published updates, milestones (some slipping), sponsor questions (some
unanswered past their time), governance and weekly meetings with attendance and
action items, and service issues (some past their deadlines). A fixed share of
projects is unhealthy in each way, so the sweep has real work at every size.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from issues.models import Category, IssueStatus, ServiceIssue
from issues.models import Severity as IssueSeverity
from meetings.models import ActionItem, Attendance, Invitee, Meeting, MeetingKind, MeetingStatus, Rsvp
from projects.models import (
    RAG,
    CommentKind,
    Milestone,
    MilestoneBaseline,
    MilestoneKind,
    MilestoneStatus,
    Project,
    ProjectMember,
    StatusUpdate,
    TeamRole,
    UpdateComment,
    UpdateStatus,
)

BATCH = 2000


def _team(project_ids) -> dict[int, dict[str, int]]:
    team: dict[int, dict[str, int]] = {}
    for project_id, role, user_id in ProjectMember.objects.filter(
        project_id__in=project_ids, removed_at__isnull=True
    ).values_list("project_id", "role", "user_id"):
        team.setdefault(project_id, {})[role] = user_id
    return team


def add_history(*, chunk: int = 500) -> int:
    """History for generated projects without any; returns how many projects got some."""
    todo = list(
        Project.objects.filter(code__startswith="GEN-", status_updates__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(todo), chunk):
        with transaction.atomic():
            _history_for(todo[start : start + chunk])
    return len(todo)


def _history_for(project_ids: list[int]) -> None:
    rng = random.Random(project_ids[0])
    now = timezone.now()
    today = timezone.localdate()
    team = _team(project_ids)
    updates, milestones, meetings, issues = [], [], [], []
    stale_projects = set()
    for pid in project_ids:
        people = team[pid]
        pm, lead, dm = (
            people[TeamRole.PROJECT_MANAGER],
            people[TeamRole.SPONSOR_LEAD],
            people.get(TeamRole.DECISION_MAKER),
        )
        # One project in eight has gone quiet for about three weeks.
        quiet = 20 if pid % 8 == 0 else 0
        if quiet:
            stale_projects.add(pid)
        for week in range(6, 0, -1):
            published = now - dt.timedelta(days=7 * week + quiet - 6)
            rag = RAG.RED if pid % 11 == 0 and week == 1 else RAG.AMBER if pid % 5 == 0 else RAG.GREEN
            updates.append(
                StatusUpdate(
                    project_id=pid,
                    title=f"Week {week}",
                    period_start=timezone.localdate(published) - dt.timedelta(days=6),
                    period_end=timezone.localdate(published),
                    overall_rag=rag,
                    schedule_rag=rag,
                    budget_rag=RAG.GREEN,
                    quality_rag=RAG.GREEN,
                    supply_rag=RAG.GREEN,
                    summary="Engineering batch on track; release testing started.",
                    progress="Batch record reviewed.",
                    risks="Resin lead time.",
                    status=UpdateStatus.PUBLISHED,
                    created_by_id=pm,
                    created_at=published,
                    updated_at=published,
                    published_at=published,
                    published_by_id=pm,
                )
            )
        for i, kind in enumerate(
            (
                MilestoneKind.TECH_TRANSFER,
                MilestoneKind.ENGINEERING_BATCH,
                MilestoneKind.GMP_BATCH,
                MilestoneKind.REGULATORY_FILING,
            )
        ):
            baseline = today + dt.timedelta(days=-60 + 45 * i)
            slip = rng.choice([0] * 10 + [5, 21, 40]) if i else 0
            done = baseline + dt.timedelta(days=slip) < today - dt.timedelta(days=5) and pid % 9 != 0
            milestones.append(
                Milestone(
                    project_id=pid,
                    kind=kind,
                    title=f"{MilestoneKind(kind).label} {i + 1}",
                    owner_id=pm,
                    baseline_date=baseline,
                    forecast_date=baseline + dt.timedelta(days=slip),
                    actual_date=baseline + dt.timedelta(days=slip) if done else None,
                    status=MilestoneStatus.DONE if done else MilestoneStatus.PLANNED,
                )
            )
        for weeks_ago, kind in (
            (10, MeetingKind.GOVERNANCE),
            (5, MeetingKind.GOVERNANCE),
            (1, MeetingKind.WEEKLY),
        ):
            starts = now - dt.timedelta(weeks=weeks_ago)
            meetings.append(
                Meeting(
                    project_id=pid,
                    kind=kind,
                    title=f"{MeetingKind(kind).label}",
                    starts_at=starts,
                    duration_minutes=60,
                    organizer_id=pm,
                    organizer_side="cdmo",
                    organizer_time_zone="Europe/Berlin",
                    video_url="https://teams.example.com/l/meetup-join/bench",
                    status=MeetingStatus.MINUTES_DRAFT,
                    decision_maker_invited=dm is not None,
                    held_at=starts,
                    attendance_recorded_at=starts,
                    summary="Reviewed progress.",
                    next_steps="Continue.",
                )
            )
        meetings.append(
            Meeting(
                project_id=pid,
                kind=MeetingKind.GOVERNANCE,
                title="Quarterly steering committee",
                starts_at=now + dt.timedelta(days=14),
                duration_minutes=90,
                organizer_id=pm,
                organizer_side="cdmo",
                organizer_time_zone="Europe/Berlin",
                location="Sponsor HQ",
                decision_maker_invited=pid % 12 != 0,
            )
        )
        if pid % 3 == 0:
            raised = now - dt.timedelta(days=rng.choice([1, 4, 9]))
            issues.append(
                ServiceIssue(
                    project_id=pid,
                    raised_by_id=lead,
                    category=Category.COMMUNICATION,
                    severity=IssueSeverity.MAJOR,
                    title="Weekly update arrived late twice",
                    description="Updates were late.",
                    impact="Briefing delayed.",
                    desired_outcome="Updates on time.",
                    status=IssueStatus.OPEN,
                    raised_at=raised,
                    acknowledge_within_hours=8,
                    plan_within_hours=24,
                    acknowledge_by=raised + dt.timedelta(days=1),
                    plan_by=raised + dt.timedelta(days=3),
                )
            )
    StatusUpdate.objects.bulk_create(updates, batch_size=BATCH)
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    # Each milestone's first baseline, as milestone_create records it.
    MilestoneBaseline.objects.bulk_create(
        [
            MilestoneBaseline(milestone=m, baseline_date=m.baseline_date, set_at=m.created_at)
            for m in milestones
        ],
        batch_size=BATCH,
    )
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    ServiceIssue.objects.bulk_create(issues, batch_size=BATCH)

    latest = {}
    for update in updates:
        if update.project_id not in latest or update.published_at > latest[update.project_id].published_at:
            latest[update.project_id] = update
    comments = []
    for pid, update in latest.items():
        lead = team[pid][TeamRole.SPONSOR_LEAD]
        overdue = pid % 6 == 0
        asked = now - dt.timedelta(days=5 if overdue else 1)
        answered = None if overdue else asked + dt.timedelta(hours=6)
        comments.append(
            UpdateComment(
                update_id=update.pk,
                author_id=lead,
                kind=CommentKind.QUESTION,
                body="What is the impurity profile?",
                created_at=asked,
                respond_by=asked + dt.timedelta(days=2),
                answered_at=answered,
                answered_by_id=team[pid][TeamRole.PROJECT_MANAGER] if answered else None,
            )
        )
    UpdateComment.objects.bulk_create(comments, batch_size=BATCH)

    invitees, actions = [], []
    for meeting in meetings:
        if meeting.status != MeetingStatus.MINUTES_DRAFT:
            continue
        people = team[meeting.project_id]
        dm_absent = meeting.project_id % 10 == 0
        for role, user_id in people.items():
            attended = not (
                role == TeamRole.DECISION_MAKER and dm_absent and meeting.kind == MeetingKind.GOVERNANCE
            )
            invitees.append(
                Invitee(
                    meeting_id=meeting.pk,
                    user_id=user_id,
                    side="sponsor" if role in (TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER) else "cdmo",
                    team_role=role,
                    rsvp=Rsvp.ACCEPTED,
                    attendance=Attendance.ATTENDED if attended else Attendance.ABSENT,
                )
            )
        due = timezone.localdate(meeting.starts_at) + dt.timedelta(days=rng.choice([3, 7, 14]))
        # Older actions were done; some of the last call's are late.
        done = meeting.starts_at < now - dt.timedelta(weeks=2) or meeting.project_id % 4 != 0
        actions.append(
            ActionItem(
                project_id=meeting.project_id,
                meeting_id=meeting.pk,
                title="Send the batch record",
                owner_id=meeting.organizer_id,
                due_date=due,
                position=1,
                status="done" if done else "open",
                completed_at=now if done else None,
            )
        )
    Invitee.objects.bulk_create(invitees, batch_size=BATCH)
    ActionItem.objects.bulk_create(actions, batch_size=BATCH)
    # Minutes were sent and confirmed, except for the last call of one project in seven.
    held = [
        m.pk
        for m in meetings
        if m.status == MeetingStatus.MINUTES_DRAFT
        and (m.starts_at < now - dt.timedelta(weeks=2) or m.project_id % 7 != 0)
    ]
    Meeting.objects.filter(pk__in=held).update(
        status=MeetingStatus.CONFIRMED,
        minutes_sent_at=now - dt.timedelta(weeks=3),
        minutes_confirmed_at=now - dt.timedelta(weeks=3),
    )
    Project.objects.bulk_update(
        [
            Project(
                pk=pid,
                last_update_published_at=update.published_at,
                next_update_due=timezone.localdate(update.published_at) + dt.timedelta(days=7),
            )
            for pid, update in latest.items()
        ],
        ["last_update_published_at", "next_update_due"],
        batch_size=BATCH,
    )

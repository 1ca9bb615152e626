"""Who hears about what: flag notices, weekly repeats for lasting flags, and reminders.

Everything goes through `portal.notifications.services.notify_many`, whose dedupe keys are the
claim: a notice or reminder for one thing in one period is sent once, however many workers or beat
processes run. Flags, their subjects and their recipients are loaded with a few queries for all of
them, never one per flag or per project, and all their notifications are inserted at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import BooleanField, Q, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from meetings.models import ActionItem, ActionItemStatus
from portal.notifications.services import Notice, notify_many, shorten
from projects.models import (
    CommentKind,
    Project,
    ProjectMember,
    ProjectStatus,
    ProposalStatus,
    TeamRole,
    UpdateComment,
)
from projects.notifications import project_subject

from .models import Flag, FlagKind

# A flag that lasts is repeated this often, never more,
REPEAT_EVERY = dt.timedelta(days=7)
# at its own moment: REPEAT_SLACK to REPEAT_SLACK + one day after the hour it was raised, so that a
# first notice sent a little late (the step runs every minute) still leaves a week before the repeat.
REPEAT_SLACK = dt.timedelta(hours=1)
REPEAT_SPREAD_SECONDS = 24 * 3600
# Coprime with REPEAT_SPREAD_SECONDS (and near its golden section): consecutive flags land far apart.
REPEAT_STRIDE = 54961
# Flags told per transaction.
NOTICE_BATCH = 1000
# Warn about an unanswered question this long before its response time runs out.
QUESTION_WARNING = dt.timedelta(hours=8)

CDMO, SPONSOR = "cdmo", "sponsor"
AUDIENCE = {
    FlagKind.STALE_UPDATE: (CDMO, SPONSOR),
    FlagKind.QUESTION_UNANSWERED: (CDMO,),
    FlagKind.NO_DECISION_MAKER: (SPONSOR, CDMO),
    FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER: (CDMO, SPONSOR),
    FlagKind.DECISION_MAKER_ABSENT: (SPONSOR, CDMO),
    FlagKind.NO_SPONSOR_CONTACT: (SPONSOR,),
    FlagKind.NO_CDMO_CONTACT: (CDMO,),
    FlagKind.MINUTES_NOT_SENT: (CDMO,),
    FlagKind.MINUTES_NOT_CONFIRMED: (SPONSOR,),
    FlagKind.ACTION_ITEM_OVERDUE: (CDMO,),
    FlagKind.MILESTONE_SLIP: (CDMO, SPONSOR),
    FlagKind.MILESTONE_PAST_DUE: (CDMO,),
    # Service-issue breaches escalate up the ladder, which emails the people at each rung.
    FlagKind.ISSUE_ACK_BREACH: (),
    FlagKind.ISSUE_PLAN_BREACH: (),
    # The sponsor's lead decides both (with the decision-maker); the CDMO raised most of them.
    FlagKind.CHANGE_PAST_NEEDED_BY: (SPONSOR, CDMO),
    FlagKind.DECISION_PAST_NEEDED_BY: (SPONSOR,),
    # The agreement is both leads': either may call the meeting or propose the change.
    FlagKind.GOVERNANCE_RHYTHM_MISSED: (CDMO, SPONSOR),
    FlagKind.ESCALATION_CONTACT_LEFT: (SPONSOR, CDMO),
}
ROLE_FOR_SIDE = {CDMO: TeamRole.PROJECT_MANAGER, SPONSOR: TeamRole.SPONSOR_LEAD}
# How much of the item's name a flag's title carries, so that its email subject stays readable.
ITEM_NAME_LENGTH = 60


def _item_name(subject, code: str) -> str:
    """What a flag is about, in a few words: the action item's, meeting's or milestone's title,
    the question's opening words, the issue's reference, the agreement's version; "" for a flag
    on the whole project. Without the project's `code` in front (the title already starts with
    it: "ACM-101 working agreement v1" is "working agreement v1" there)."""
    if subject is None or isinstance(subject, Project):
        return ""
    if isinstance(subject, UpdateComment):
        return f"“{shorten(' '.join(subject.body.split()), ITEM_NAME_LENGTH - 2)}”"
    name = " ".join(
        str(getattr(subject, "reference", None) or getattr(subject, "title", None) or subject).split()
    )
    if code and name.startswith(code):
        name = name[len(code) :].lstrip(" :·–-") or name
    return shorten(name, ITEM_NAME_LENGTH)


def flag_title(flag: Flag, *, repeat: bool = False) -> str:
    """One line naming the project (once), the kind of flag and the item, so that two flags of
    one kind on different items never read alike."""
    name = _item_name(flag.subject, flag.project.code)
    return (
        f"{flag.project.code}: {flag.get_kind_display()}"
        + (f" – {name}" if name else "")
        + (" (still open)" if repeat else "")
    )


def _key_people(project_ids) -> dict[int, dict[str, list]]:
    """{project: {"cdmo": [PMs], "sponsor": [leads]}} in one query."""
    people: dict[int, dict[str, list]] = defaultdict(lambda: {CDMO: [], SPONSOR: []})
    members = ProjectMember.objects.filter(
        project_id__in=project_ids,
        removed_at__isnull=True,
        user__is_active=True,
        role__in=[TeamRole.PROJECT_MANAGER, TeamRole.SPONSOR_LEAD],
    ).select_related("user")
    for member in members:
        people[member.project_id][CDMO if member.role == TeamRole.PROJECT_MANAGER else SPONSOR].append(
            member.user
        )
    return people


def repeat_offset(flag_id: int) -> dt.timedelta:
    """When in its week a lasting flag is repeated: its own moment, REPEAT_SLACK to
    REPEAT_SLACK + REPEAT_SPREAD after the hour it was raised, spread by its primary key (a
    permutation of the seconds of a day over consecutive keys), so that the flags one sweep raised
    are not all repeated at the same minute every week."""
    return REPEAT_SLACK + dt.timedelta(seconds=flag_id * REPEAT_STRIDE % REPEAT_SPREAD_SECONDS)


def repeat_period(flag: Flag, now: dt.datetime) -> int:
    """Which repeat is due at `now`: 0 before the first (the notice that it was raised)."""
    return max(0, (now - flag.raised_at - repeat_offset(flag.pk)) // REPEAT_EVERY)


def due_flags(now: dt.datetime):
    """Open flags someone should hear about at `now`: never told, or told at least REPEAT_EVERY
    ago and their repeat moment of the current week has come (never twice within REPEAT_EVERY).

    A notice sent a little after its moment moves the next one by as much; once that lateness
    passes REPEAT_SLACK (the step was down for a while), the flag waits for its moment of the week
    after, back in its own place rather than in a herd with the other flags that were late."""
    # The SQL twin of repeat_offset() and repeat_period(): keep them in step.
    offset = f'(%s + mod("monitoring_flag"."id" * {REPEAT_STRIDE}, {REPEAT_SPREAD_SECONDS}) * interval \'1 second\')'
    moment = (
        f'("monitoring_flag"."raised_at" + {offset} + %s * floor(extract(epoch FROM '
        f'(%s - "monitoring_flag"."raised_at" - {offset})) / %s))'
    )
    repeat_due = RawSQL(
        f'"monitoring_flag"."last_notified_at" + %s <= %s '
        f'AND "monitoring_flag"."last_notified_at" + %s - %s <= {moment}',
        [
            REPEAT_EVERY,
            now,
            REPEAT_EVERY,
            REPEAT_SLACK,
            REPEAT_SLACK,
            REPEAT_EVERY,
            now,
            REPEAT_SLACK,
            REPEAT_EVERY.total_seconds(),
        ],
        output_field=BooleanField(),
    )
    return (
        Flag.objects.filter(cleared_at__isnull=True, kind__in=[k for k, sides in AUDIENCE.items() if sides])
        .alias(repeat_due=repeat_due)
        .filter(Q(last_notified_at__isnull=True) | Q(repeat_due=True))
    )


def send_flag_notices(*, now: dt.datetime, batch: int = NOTICE_BATCH) -> int:
    """Tell the right people about flags raised since they were last told; repeat lasting ones
    about weekly, each at its own moment (repeat_offset).

    Set-based: per `batch` flags, one transaction with one query for the flags (locked, so two
    steps at once share the work instead of doing it twice), one per kind of subject for their
    titles, one for the people, the few of `notify_many` and one UPDATE marking them told. A
    step that dies loses nothing (the batch rolls back and is due again) and repeats nothing
    (the dedupe keys are the claim)."""
    sent = 0
    while True:
        with transaction.atomic():
            flags = list(
                due_flags(now)
                .select_for_update(of=("self",), skip_locked=True)
                .select_related("project")
                .order_by("pk")[:batch]
            )
            if not flags:
                return sent
            prefetch_related_objects([f for f in flags if f.subject_type_id != _project_type().pk], "subject")
            for flag in flags:
                if flag.subject_type_id == _project_type().pk:
                    flag.subject = flag.project  # a flag on the project itself: no query for it
            people = _key_people({flag.project_id for flag in flags})
            notices = []
            for flag in flags:
                week = repeat_period(flag, now)
                notices.append(
                    Notice(
                        recipients=[
                            user for side in AUDIENCE[flag.kind] for user in people[flag.project_id][side]
                        ],
                        kind="flag.repeat" if week >= 1 else "flag.raised",
                        dedupe_key=f"flag:{flag.pk}:week-{week}",
                        title=flag_title(flag, repeat=week >= 1),
                        body=flag.explanation,
                        url=reverse("monitoring:project_flags", kwargs={"project_id": flag.project_id}),
                        subject=project_subject(flag.project),
                    )
                )
            sent += len(notify_many(notices))
            # Marked even when nobody is there to tell: the flag waits a week before trying again.
            Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(last_notified_at=now)
        if len(flags) < batch:
            return sent


def _project_type() -> ContentType:
    return ContentType.objects.get_for_model(Project)


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """Reminders before things become flags: an update due tomorrow, a question about to
    run out of time, an action item due tomorrow. One per thing per period, all told at once."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    notices = []

    projects = list(
        Project.objects.filter(
            status=ProjectStatus.ACTIVE, proposal_status=ProposalStatus.ACCEPTED, next_update_due=tomorrow
        )
    )
    people = _key_people([p.pk for p in projects])
    for project in projects:
        notices.append(
            Notice(
                recipients=people[project.pk][CDMO],
                kind="reminder.update_due",
                dedupe_key=f"reminder.update_due:project-{project.pk}:{tomorrow.isoformat()}",
                title=f"{project.code}: status update due tomorrow",
                body=f"The next status update for {project.name} is due on {tomorrow:%A %d %B}. "
                f"The agreed cadence is every {project.update_cadence_days} days.",
                url=reverse("projects:updates", kwargs={"project_id": project.pk}),
                subject=project_subject(project),
            )
        )

    questions = list(
        UpdateComment.objects.filter(
            kind=CommentKind.QUESTION,
            answered_at__isnull=True,
            respond_by__gt=now,
            respond_by__lte=now + QUESTION_WARNING,
            update__project__status=ProjectStatus.ACTIVE,
        ).select_related("update__project", "author")
    )
    people = _key_people({q.update.project_id for q in questions})
    for question in questions:
        project = question.update.project
        hours = max(1, int((question.respond_by - now).total_seconds() // 3600))
        notices.append(
            Notice(
                recipients=people[project.pk][CDMO],
                kind="reminder.question_due",
                dedupe_key=f"reminder.question_due:updatecomment-{question.pk}",
                title=f"{project.code}: a sponsor question needs an answer within {hours} h",
                body=f"{question.author} asked: “{question.body[:200]}”",
                url=question.update.get_absolute_url(),
                subject=project_subject(project),
            )
        )

    items = list(
        ActionItem.objects.filter(
            status=ActionItemStatus.OPEN,
            removed_at__isnull=True,
            due_date=tomorrow,
            project__status=ProjectStatus.ACTIVE,
        ).select_related("owner", "project", "meeting")
    )
    for item in items:
        notices.append(
            Notice(
                recipients=[item.owner],
                kind="reminder.action_due",
                dedupe_key=f"reminder.action_due:actionitem-{item.pk}:{tomorrow.isoformat()}",
                title=f"{item.project.code}: action due tomorrow",
                body=f"“{item.title}”, from {item.meeting.title}, is due on {tomorrow:%A %d %B}.",
                url=item.meeting.get_absolute_url(),
                subject=project_subject(item.project),
            )
        )
    with transaction.atomic():
        return len(notify_many(notices))

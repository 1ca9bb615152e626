"""Demo status updates: months of weekly updates with episodes, a correction, an attachment and a draft."""

from __future__ import annotations

import datetime
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from demo.common import at_local
from demo.projects.content import (
    BEATS,
    COMMENTS,
    CORRECTED_PROJECT,
    DECISIONS,
    DRAFT_PROJECT,
    EPISODE_PLAN,
    EPISODES,
    HISTORY_WEEKS,
    INTERNAL_NOTES,
    MINIMAL_PDF,
    NEXT_STEPS,
    OPEN_QUESTION_PROJECT,
    OPEN_QUESTIONS,
    OVERDUE_QUESTION_PROJECT,
    SLIP_REASONS,
    STALE_PROJECT,
    STANDING_RISKS,
    A,
    G,
    R,
    lower_first,
)
from demo.projects.discussion import answered_question, question_comment, raise_decision, save_comments
from demo.projects.team import Team
from portal.core.business_time import BusinessCalendar
from projects.models import (
    AttachmentType,
    Modality,
    Project,
    ProjectStatus,
    StatusUpdate,
    UpdateAcknowledgement,
    UpdateAttachment,
    UpdateComment,
    UpdateStatus,
)
from projects.services import UPDATE_DRAFT_FIELDS

# --- Status updates ---------------------------------------------------------


def _rags(project: Project, weeks_ago: int) -> tuple[dict, str | None]:
    rags = {"overall_rag": G, "schedule_rag": G, "budget_rag": G, "quality_rag": G, "supply_rag": G}
    episode = None
    for name, start, end in EPISODE_PLAN.get(project.code, []):
        if end <= weeks_ago <= start:
            episode = name
            level = R if name == "quality" else A
            rags[f"{name}_rag"] = level
            rags["overall_rag"] = level
    return rags, episode


def _period_ends(project: Project, today: datetime.date) -> list[datetime.date]:
    cadence = datetime.timedelta(days=project.update_cadence_days)
    # The last period ended on the most recent Friday (or earlier for stale, paused and closed projects).
    last = today - datetime.timedelta(days=(today.weekday() - 4) % 7 or 7)
    if project.code == STALE_PROJECT:
        last -= datetime.timedelta(days=21)
    if project.status == ProjectStatus.ON_HOLD:
        last -= datetime.timedelta(days=35)
    if project.status == ProjectStatus.CLOSED:
        last -= datetime.timedelta(days=70)
    ends = []
    end = last
    while end - cadence >= project.start_date and len(ends) < HISTORY_WEEKS:
        ends.append(end)
        end -= cadence
    return list(reversed(ends))


def seed_updates(project: Project, team: Team, rng: random.Random, today: datetime.date) -> None:
    zone = project.cdmo.time_zone or "UTC"
    calendar = BusinessCalendar.for_organization(project.cdmo)
    beats = BEATS.get(project.modality, BEATS[Modality.SMALL_MOLECULE])
    ends = _period_ends(project, today)
    cadence = datetime.timedelta(days=project.update_cadence_days)
    published: list[StatusUpdate] = []
    acknowledgements, comments = [], []
    risk = rng.choice(STANDING_RISKS)
    episode_weeks: dict[str, int] = {}
    to_insert: list[StatusUpdate] = []
    sponsor_calendar = BusinessCalendar.for_organization(project.sponsor)
    for number, end in enumerate(ends):
        weeks_ago = len(ends) - 1 - number
        rags, episode = _rags(project, weeks_ago)
        beat_title, beat_text = beats[number % len(beats)]
        start = end - cadence + datetime.timedelta(days=1)
        published_at = at_local(end, 15, rng.randint(0, 50), zone)
        reason = rng.choice(SLIP_REASONS)
        if episode:
            story = EPISODES[episode]
            episode_week = episode_weeks.get(episode, 0)
            episode_weeks[episode] = episode_week + 1
            title = story["titles"][min(episode_week, len(story["titles"]) - 1)]
            reason = lower_first(reason)
            summary = story["summary"].format(reason=reason) + f" Otherwise: {lower_first(beat_text)}"
            risks = f"{story['risk']}\n{risk}"
        else:
            title = beat_title
            summary = f"All workstreams on track. {beat_text}"
            risks = risk
        progress = "\n".join(
            [beat_text, beats[(number + 3) % len(beats)][1], "Weekly call held; minutes sent and confirmed."]
        )
        steps = [
            {"description": step, "due": (end + datetime.timedelta(days=rng.randint(3, 21))).isoformat()}
            for step in rng.sample(NEXT_STEPS, 3)
        ]
        update = StatusUpdate(
            project=project,
            title=title,
            period_start=start,
            period_end=end,
            summary=summary,
            progress=progress,
            next_steps=steps,
            risks=risks,
            created_by=team.pm,
            created_at=published_at - datetime.timedelta(hours=3),
            updated_at=published_at,
            last_saved_by=team.pm,
            **rags,
        )
        raises_decision = number % 5 == 2 or weeks_ago == 1
        has_file = project.code == "ACM-101" and weeks_ago == 0
        if raises_decision or has_file:
            # As in the product: decisions and files go on the draft, then it is published and frozen.
            update.save()
            decisions = []
            if raises_decision:
                title_index = (number + sum(map(ord, project.code))) % len(DECISIONS)
                decisions = raise_decision(
                    update, team, DECISIONS[title_index], rng, today, published_at, decided=weeks_ago > 2
                )
            if has_file:
                _attach(update, team, published_at)
            StatusUpdate.objects.filter(pk=update.pk).update(
                status=UpdateStatus.PUBLISHED,
                published_at=published_at,
                published_by=team.pm,
                decisions_needed=decisions,
            )
            update.decisions_needed = decisions
        else:
            to_insert.append(update)
        update.status, update.published_at, update.published_by = (
            UpdateStatus.PUBLISHED,
            published_at,
            team.pm,
        )
        published.append(update)
        # Acknowledged by the lead on most updates, sometimes the decision-maker too; the latest often not yet.
        if (weeks_ago > 0 and rng.random() < 0.9) or (weeks_ago == 0 and rng.random() < 0.3):
            acknowledgements.append(
                UpdateAcknowledgement(
                    update=update,
                    user=team.lead,
                    acknowledged_at=published_at + datetime.timedelta(hours=rng.choice([2, 5, 18, 26, 50])),
                )
            )
            if team.dm and rng.random() < 0.35:
                acknowledgements.append(
                    UpdateAcknowledgement(
                        update=update,
                        user=team.dm,
                        acknowledged_at=published_at + datetime.timedelta(hours=30),
                    )
                )
        if number % 3 == 1 and weeks_ago > 1:
            comments += answered_question(update, team, rng, calendar, sponsor_calendar, published_at, number)
        elif number % 4 == 3:
            comments.append(
                UpdateComment(
                    update=update,
                    author=team.lead,
                    body=rng.choice(COMMENTS),
                    created_at=published_at + datetime.timedelta(hours=20),
                )
            )
        if episode and rng.random() < 0.5:
            comments.append(
                UpdateComment(
                    update=update,
                    author=team.sme or team.pm,
                    body=rng.choice(INTERNAL_NOTES),
                    is_internal=True,
                    created_at=published_at + datetime.timedelta(hours=1),
                )
            )
    if not published:
        return
    StatusUpdate.objects.bulk_create(to_insert)
    latest = published[-1]
    if project.code == OVERDUE_QUESTION_PROJECT and len(published) > 1:
        # Asked the day after the previous update: well past the agreed response time by now.
        previous = published[-2]
        asked = sponsor_calendar.next_opening(previous.published_at + datetime.timedelta(hours=20))
        asked += datetime.timedelta(hours=2)
        comments.append(question_comment(previous, team, OPEN_QUESTIONS[0], asked, calendar))
    if project.code == OPEN_QUESTION_PROJECT:
        asked = max(
            timezone.now() - datetime.timedelta(hours=3), latest.published_at + datetime.timedelta(hours=1)
        )
        comments.append(question_comment(latest, team, OPEN_QUESTIONS[1], asked, calendar))
    UpdateAcknowledgement.objects.bulk_create(acknowledgements)
    save_comments(comments)
    if project.code == CORRECTED_PROJECT and len(published) > 4:
        _correct(published[:-1], team)
    if project.code == DRAFT_PROJECT and project.status == ProjectStatus.ACTIVE:
        _draft(project, team, latest, today)
    Project.objects.filter(pk=project.pk).update(
        last_update_published_at=latest.published_at,
        next_update_due=timezone.localtime(latest.published_at).date() + cadence,
    )


def _correct(candidates: list[StatusUpdate], team: Team) -> None:
    """Revision 2 of an update: a titre figure corrected the day after publication."""
    wrong, right = "3.1 g/L against a 2.8 g/L target", "2.9 g/L against a 2.8 g/L target"
    original = next((u for u in reversed(candidates) if wrong in u.summary + u.progress), candidates[-3])
    corrected_at = original.published_at + datetime.timedelta(days=1, hours=2)
    note = " (corrected: the first figure included the wash fraction)"
    # What a correction carries over from the revision it corrects: the product's draft fields,
    # less the text this correction rewrites.
    fields = {
        name: getattr(original, name)
        for name in UPDATE_DRAFT_FIELDS
        if name not in ("summary", "progress", "correction_reason")
    }
    if wrong in original.summary + original.progress:
        summary = original.summary.replace(wrong, right + note)
        progress = original.progress.replace(wrong, right)
    else:
        summary = original.summary + " Titre corrected to 2.9 g/L" + note + "."
        progress = original.progress
    correction = StatusUpdate.objects.create(
        project=original.project,
        **fields,
        summary=summary,
        progress=progress,
        revision_of=original,
        original=original,
        revision_number=2,
        correction_reason="The titre reported in this update included the wash fraction; the correct figure is 2.9 g/L.",
        status=UpdateStatus.PUBLISHED,
        created_by=team.pm,
        created_at=corrected_at - datetime.timedelta(hours=1),
        updated_at=corrected_at,
        published_at=corrected_at,
        published_by=team.pm,
        last_saved_by=team.pm,
    )
    StatusUpdate.objects.filter(pk=original.pk).update(
        status=UpdateStatus.SUPERSEDED, superseded_at=corrected_at
    )
    UpdateAcknowledgement.objects.create(
        update=correction, user=team.lead, acknowledged_at=corrected_at + datetime.timedelta(hours=5)
    )


def _attach(update: StatusUpdate, team: Team, published_at) -> None:
    path = f"updates/{update.project_id}/demo/engineering-batch-summary.pdf"
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(MINIMAL_PDF))
    UpdateAttachment.objects.create(
        update=update,
        file=path,
        original_name="engineering-batch-summary.pdf",
        size_bytes=len(MINIMAL_PDF),
        file_type=AttachmentType.PDF,
        uploaded_by=team.pm,
        uploaded_at=published_at - datetime.timedelta(hours=1),
    )


def _draft(project: Project, team: Team, latest: StatusUpdate, today: datetime.date) -> None:
    StatusUpdate.objects.create(
        project=project,
        title="Engineering run ER-02 underway",
        period_start=latest.period_end + datetime.timedelta(days=1),
        period_end=max(today, latest.period_end + datetime.timedelta(days=1)),
        overall_rag=G,
        schedule_rag=G,
        budget_rag=G,
        quality_rag=G,
        supply_rag=A,
        summary="ER-02 is running at 200 L; transfection done on day 3.",
        progress="",
        next_steps=[
            {"description": "Harvest ER-02", "due": (today + datetime.timedelta(days=6)).isoformat()}
        ],
        risks=latest.risks,
        created_by=team.pm,
        last_saved_by=team.pm,
    )

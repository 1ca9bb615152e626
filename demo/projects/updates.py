"""Demo status updates: months of weekly updates with episodes, a correction, an attachment and a draft."""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
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
from demo.projects.discussion import plan_answered_question, plan_comment, plan_decision, plan_question
from demo.projects.replay import Story, Timeline
from demo.projects.team import Team
from portal.core.business_time import BusinessCalendar
from projects.models import Modality, Project, ProjectStatus
from projects.services import (
    attachment_add,
    update_acknowledge,
    update_correct,
    update_publish,
    update_save_draft,
    update_start,
)

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
    beats = BEATS.get(project.modality, BEATS[Modality.SMALL_MOLECULE])
    ends = _period_ends(project, today)
    cadence = datetime.timedelta(days=project.update_cadence_days)
    timeline = Timeline(project)
    stories: list[Story] = []
    risk = rng.choice(STANDING_RISKS)
    episode_weeks: dict[str, int] = {}
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
        update = Story(
            content={
                "title": title,
                "period_start": start,
                "period_end": end,
                "summary": summary,
                "progress": progress,
                "next_steps": steps,
                "risks": risks,
                **rags,
            },
            published_at=published_at,
        )
        stories.append(update)
        # As in the product: decisions and files go on the draft, then it is published and frozen.
        decisions = []
        if number % 5 == 2 or weeks_ago == 1:
            title_index = (number + sum(map(ord, project.code))) % len(DECISIONS)
            decisions = plan_decision(
                timeline, update, team, DECISIONS[title_index], rng, today, decided=weeks_ago > 2
            )
        update.content["decisions_needed"] = decisions
        _plan_draft_and_publish(timeline, update, team, has_file=project.code == "ACM-101" and weeks_ago == 0)
        # Acknowledged by the lead on most updates, sometimes the decision-maker too; the latest often not yet.
        if (weeks_ago > 0 and rng.random() < 0.9) or (weeks_ago == 0 and rng.random() < 0.3):
            _plan_acknowledgement(
                timeline,
                update,
                team.lead,
                published_at + datetime.timedelta(hours=rng.choice([2, 5, 18, 26, 50])),
            )
            if team.dm and rng.random() < 0.35:
                _plan_acknowledgement(timeline, update, team.dm, published_at + datetime.timedelta(hours=30))
        if number % 3 == 1 and weeks_ago > 1:
            plan_answered_question(timeline, update, team, rng, sponsor_calendar, number)
        elif number % 4 == 3:
            plan_comment(
                timeline, update, team.lead, rng.choice(COMMENTS), published_at + datetime.timedelta(hours=20)
            )
        if episode and rng.random() < 0.5:
            plan_comment(
                timeline,
                update,
                team.sme or team.pm,
                rng.choice(INTERNAL_NOTES),
                published_at + datetime.timedelta(hours=1),
                is_internal=True,
            )
    if not stories:
        return
    latest = stories[-1]
    if project.code == OVERDUE_QUESTION_PROJECT and len(stories) > 1:
        # Asked the day after the previous update: well past the agreed response time by now.
        previous = stories[-2]
        asked = sponsor_calendar.next_opening(previous.published_at + datetime.timedelta(hours=20))
        asked += datetime.timedelta(hours=2)
        plan_question(timeline, previous, team, OPEN_QUESTIONS[0], asked)
    if project.code == OPEN_QUESTION_PROJECT:
        asked = max(
            timezone.now() - datetime.timedelta(hours=3), latest.published_at + datetime.timedelta(hours=1)
        )
        plan_question(timeline, latest, team, OPEN_QUESTIONS[1], asked)
    if project.code == CORRECTED_PROJECT and len(stories) > 4:
        _plan_correction(timeline, stories[:-1], team)
    if project.code == DRAFT_PROJECT and project.status == ProjectStatus.ACTIVE:
        timeline.at(timezone.now(), lambda: _draft(timeline, team, today))
    # Publishing also sets when the project's next update is due, as it does on the page.
    timeline.replay()


def _plan_draft_and_publish(timeline: Timeline, story: Story, team: Team, *, has_file: bool) -> None:
    pm = timeline.access(team.pm)

    def write():
        draft = update_start(access=pm)
        story.draft = update_save_draft(access=pm, update=draft, version=draft.version, **story.content)

    def attach():
        upload = SimpleUploadedFile(
            "engineering-batch-summary.pdf", MINIMAL_PDF, content_type="application/pdf"
        )
        attachment_add(access=pm, update=story.draft, upload=upload)

    def publish():
        story.published = story.current = update_publish(access=pm, update=story.draft)

    timeline.at(story.published_at - datetime.timedelta(hours=3), write)
    if has_file:
        timeline.at(story.published_at - datetime.timedelta(hours=1), attach)
    timeline.at(story.published_at, publish)


def _plan_acknowledgement(timeline: Timeline, story: Story, user, at) -> None:
    # The sponsor acknowledges the current revision (a correction published meanwhile replaces it).
    timeline.at(at, lambda: update_acknowledge(access=timeline.access(user), update=story.current))


def _plan_correction(timeline: Timeline, candidates: list[Story], team: Team) -> None:
    """Revision 2 of an update: a titre figure corrected the day after publication."""
    wrong, right = "3.1 g/L against a 2.8 g/L target", "2.9 g/L against a 2.8 g/L target"
    story = next(
        (s for s in reversed(candidates) if wrong in s.content["summary"] + s.content["progress"]),
        candidates[-3],
    )
    corrected_at = story.published_at + datetime.timedelta(days=1, hours=2)
    note = " (corrected: the first figure included the wash fraction)"
    summary, progress = story.content["summary"], story.content["progress"]
    if wrong in summary + progress:
        summary, progress = summary.replace(wrong, right + note), progress.replace(wrong, right)
    else:
        summary += " Titre corrected to 2.9 g/L" + note + "."
    pm = timeline.access(team.pm)
    correction = {}

    def write():
        # The correction starts from the record (content, decisions, files) and rewrites the titre.
        draft = update_correct(access=pm, update=story.current)
        correction["draft"] = update_save_draft(
            access=pm,
            update=draft,
            version=draft.version,
            summary=summary,
            progress=progress,
            correction_reason="The titre reported in this update included the wash fraction; "
            "the correct figure is 2.9 g/L.",
        )

    def publish():
        story.current = update_publish(access=pm, update=correction["draft"])

    timeline.at(corrected_at - datetime.timedelta(hours=1), write)
    timeline.at(corrected_at, publish)
    _plan_acknowledgement(timeline, story, team.lead, corrected_at + datetime.timedelta(hours=5))


def _draft(timeline: Timeline, team: Team, today: datetime.date) -> None:
    """The next update in progress: started on the page (period and risks follow the last record)."""
    pm = timeline.access(team.pm)
    draft = update_start(access=pm)
    update_save_draft(
        access=pm,
        update=draft,
        version=draft.version,
        title="Engineering run ER-02 underway",
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
    )

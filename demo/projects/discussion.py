"""Demo decisions, comments and sponsor questions on the published updates, as replayed steps."""

from __future__ import annotations

import datetime

from django.utils import timezone

from demo.projects.content import DECISION_OPTIONS, QUESTIONS
from demo.projects.replay import Story, Timeline
from projects.models import CommentKind, DecisionRequest
from projects.services import comment_post, decision_resolve, question_answer

DECISION_NOTES = [
    "Approved. Please proceed as proposed and reserve the material.",
    "Agreed, with the condition that the sponsor's QA reviews the protocol first.",
    "Go with the larger batch size; the toxicology study needs the extra material.",
    "Approved at the steering committee; the signed copy is in the data room.",
]


def plan_decision(timeline: Timeline, story: Story, team, title, rng, today, *, decided: bool) -> list[dict]:
    """The decision the draft asks for (publishing raises it); decided by the sponsor days later."""
    period_end, published_at = story.content["period_end"], story.published_at
    needed_by = period_end + datetime.timedelta(days=rng.choice([5, 7, 10, 14]))
    if not decided and timeline.project.code == "ACM-101":
        # One decision is already late; still never needed before the day it was asked for.
        needed_by = max(today - datetime.timedelta(days=2), timezone.localdate(published_at))
    if decided:
        decider = team.dm or team.lead
        decided_at = published_at + datetime.timedelta(days=rng.choice([1, 2, 4, 6]), hours=3)
        note = rng.choice(DECISION_NOTES)
        timeline.at(
            decided_at,
            lambda: _decide(timeline.access(decider), story, title, note),
        )
    item = {"title": title, "needed_by": needed_by.isoformat(), "source_decision": None}
    if title in DECISION_OPTIONS:
        options, recommended, why = DECISION_OPTIONS[title]
        item |= {
            "options": [{"label": label, "description": text} for label, text in options],
            "recommended": recommended,
            "recommendation": why,
        }
    return [item]


def _decide(access, story: Story, title: str, note: str) -> None:
    """A choice is approved at the recommended option, with the note; a free-text one is the note."""
    decision = DecisionRequest.objects.select_related("recommended_option").get(
        update=story.published, title=title
    )
    decision_resolve(access=access, decision=decision, note=note, option=decision.recommended_option)


def plan_comment(timeline: Timeline, story: Story, author, body, at, *, is_internal: bool = False) -> None:
    timeline.at(
        at,
        lambda: comment_post(
            access=timeline.access(author), update=story.current, body=body, is_internal=is_internal
        ),
    )


def plan_question(timeline: Timeline, story: Story, team, body, asked, answer=None) -> None:
    """The sponsor lead asks (the service sets the respond-by time); `answer` is (who, when, text)."""
    asked_question = {}

    def ask():
        asked_question["question"] = comment_post(
            access=timeline.access(team.lead), update=story.current, body=body, kind=CommentKind.QUESTION
        )

    timeline.at(asked, ask)
    if answer is not None:
        by, at, text = answer
        timeline.at(
            at,
            lambda: question_answer(
                access=timeline.access(by), question=asked_question["question"], body=text
            ),
        )


def plan_answered_question(timeline: Timeline, story: Story, team, rng, sponsor_calendar, number) -> None:
    body, answer = QUESTIONS[number % len(QUESTIONS)]
    # Asked during the sponsor's working day, some hours after the update came out.
    asked = sponsor_calendar.next_opening(
        story.published_at + datetime.timedelta(hours=rng.choice([2, 18, 22, 40]))
    )
    asked += datetime.timedelta(minutes=rng.choice([20, 75, 130]))
    # Mostly answered within hours; now and then it takes more than the agreed time.
    took = datetime.timedelta(hours=rng.choice([2, 3, 5, 20, 26, 30, 75]))
    by = team.pm if rng.random() < 0.7 or team.sme is None else team.sme
    plan_question(timeline, story, team, body, asked, answer=(by, asked + took, answer))

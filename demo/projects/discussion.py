"""Demo decisions and sponsor questions on the published updates."""

from __future__ import annotations

import datetime

from demo.projects.content import (
    QUESTIONS,
)
from projects.models import (
    CommentKind,
    DecisionRequest,
    DecisionStatus,
    UpdateComment,
)


def raise_decision(update, team, title, rng, today, published_at, *, decided: bool) -> list[dict]:
    needed_by = update.period_end + datetime.timedelta(days=rng.choice([5, 7, 10, 14]))
    if not decided and update.project.code == "ACM-101":
        needed_by = today - datetime.timedelta(days=2)  # one decision is already late
    request = DecisionRequest.objects.create(
        project=update.project, update=update, title=title, needed_by=needed_by, raised_at=published_at
    )
    if decided:
        decider = team.dm or team.lead
        decided_at = published_at + datetime.timedelta(days=rng.choice([1, 2, 4, 6]), hours=3)
        DecisionRequest.objects.filter(pk=request.pk).update(
            status=DecisionStatus.DECIDED,
            decided_at=decided_at,
            decided_by=decider,
            decision_note=rng.choice(
                [
                    "Approved. Please proceed as proposed and reserve the material.",
                    "Agreed, with the condition that the sponsor's QA reviews the protocol first.",
                    "Go with the larger batch size; the toxicology study needs the extra material.",
                    "Approved at the steering committee; the signed copy is in the data room.",
                ]
            ),
        )
    # The published record names the request it raised, as the publish service does.
    return [
        {
            "title": title,
            "needed_by": needed_by.isoformat(),
            "source_decision": None,
            "decision_id": request.pk,
        }
    ]


def question_comment(update, team, body, asked, calendar) -> UpdateComment:
    return UpdateComment(
        update=update,
        author=team.lead,
        kind=CommentKind.QUESTION,
        body=body,
        created_at=asked,
        respond_by=calendar.add_business_days(asked, update.project.question_response_days),
    )


def answered_question(
    update, team, rng, calendar, sponsor_calendar, published_at, number
) -> list[UpdateComment]:
    body, answer = QUESTIONS[number % len(QUESTIONS)]
    # Asked during the sponsor's working day, some hours after the update came out.
    asked = sponsor_calendar.next_opening(
        published_at + datetime.timedelta(hours=rng.choice([2, 18, 22, 40]))
    )
    asked += datetime.timedelta(minutes=rng.choice([20, 75, 130]))
    question = question_comment(update, team, body, asked, calendar)
    # Mostly answered within hours; now and then it takes more than the agreed time.
    took = datetime.timedelta(hours=rng.choice([2, 3, 5, 20, 26, 30, 75]))
    question.answered_at = asked + took
    question.answered_by = team.pm if rng.random() < 0.7 or team.sme is None else team.sme
    question._answer = UpdateComment(
        update=update,
        author=question.answered_by,
        kind=CommentKind.ANSWER,
        body=answer,
        created_at=question.answered_at,
    )
    return [question]


def save_comments(comments: list[UpdateComment]) -> None:
    UpdateComment.objects.bulk_create(comments)
    answers = []
    for comment in comments:
        answer = getattr(comment, "_answer", None)
        if answer is not None:
            answer.parent = comment
            answers.append(answer)
    UpdateComment.objects.bulk_create(answers)

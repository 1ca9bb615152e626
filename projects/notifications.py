"""Telling people about milestones and status updates. Called by the Celery tasks in tasks.py.

Everything goes through the portal's one door, `portal.notifications.services.notify`:
a bell entry for each person, an email in their time zone according to their
preference, and a dedupe key so a retried task never tells anyone twice.
Internal notes never produce a notification: only the sponsor-visible part of
the conversation is sent.
"""

from __future__ import annotations

from django.utils.text import Truncator

from portal.notifications.services import excerpt, notify
from portal.notifications.subjects import Subject

from .models import (
    ChangeRequest,
    ChangeStatus,
    DecisionRequest,
    MilestoneForecastChange,
    Project,
    Side,
    StatusUpdate,
    UpdateComment,
    WorkingAgreement,
    item_options,
    json_date,
)
from .selectors import (
    cdmo_project_managers,
    correction_changes,
    proposal_deciders,
    signing_leads,
    sponsor_team,
    update_decisions,
)


def project_subject(project: Project) -> Subject:
    """What a notification about `project` points at: the project, shown by its code and name."""
    return Subject.of(project, code=project.code, name=project.name)


def _recommended_label(item: dict) -> str:
    options, recommended = item_options(item), item.get("recommended") or 0
    return options[recommended - 1]["label"] if 1 <= recommended <= len(options) else ""


def send_update_published(update: StatusUpdate) -> int:
    """The sponsor's project team hears about a new update (or a correction, with what changed)."""
    project = update.project
    changes = correction_changes(update=update)
    decisions = [
        {
            "title": item.get("title", ""),
            "needed_by": json_date(item.get("needed_by")),
            "options": [option["label"] for option in item_options(item)],
            "recommended": _recommended_label(item),
        }
        for item, _ in update_decisions(update=update)
    ]
    status = update.get_overall_rag_display()
    if update.is_correction:
        title = f"{project.code}: correction of “{update.title}” (revision {update.revision_number})"
        body = f"What it fixes: {excerpt(update.correction_reason)}"
    else:
        title = f"{project.code}: new status update, {status.lower()}: {update.title}"
        body = excerpt(update.summary)
    if decisions:
        body += f"\nDecisions needed from you: {len(decisions)}."
    created = notify(
        recipients=sponsor_team(project=project),
        kind="update.corrected" if update.is_correction else "update.published",
        dedupe_key=f"update.published:update-{update.pk}",
        title=title,
        body=body,
        url=update.get_absolute_url(),
        subject=project_subject(project),
        email_template="update-published",
        email_context={
            "project": project,
            "update": update,
            "decisions": decisions,
            "changes": changes,
            "path": update.get_absolute_url(),
        },
    )
    return len(created)


def send_forecast_changed(change: MilestoneForecastChange) -> int:
    milestone = change.milestone
    project = milestone.project
    direction = "later" if change.moved_by_days > 0 else "earlier"
    created = notify(
        recipients=sponsor_team(project=project),
        kind="milestone.forecast_moved",
        dedupe_key=f"milestone.forecast_moved:change-{change.pk}",
        title=f"{project.code}: “{milestone.title}” forecast moved {direction} to {change.new_forecast_date:%-d %b %Y}",
        body=f"From {change.old_forecast_date:%-d %b %Y}. Reason: {excerpt(change.reason)}",
        url=milestone.get_absolute_url(),
        subject=project_subject(project),
        email_template="update-milestone-forecast",
        email_context={
            "project": project,
            "change": change,
            "milestone": milestone,
            "path": milestone.get_absolute_url(),
        },
    )
    return len(created)


def send_question_asked(question: UpdateComment) -> int:
    update = question.update
    project = update.project
    path = f"{update.get_absolute_url()}#comment-{question.pk}"
    recipients = [u for u in cdmo_project_managers(project=project) if u.pk != question.author_id]
    created = notify(
        recipients=recipients,
        kind="question.asked",
        dedupe_key=f"update.question:comment-{question.pk}",
        title=f"{project.code}: {question.author} asked a question",
        body=excerpt(question.body),
        url=path,
        subject=project_subject(project),
        email_template="update-question",
        email_context={
            "project": project,
            "question": question,
            "update": update,
            "path": update.get_absolute_url(),
        },
    )
    return len(created)


def send_question_answered(answer: UpdateComment) -> int:
    question = answer.parent
    update = answer.update
    project = update.project
    created = notify(
        recipients=[question.author],
        kind="question.answered",
        dedupe_key=f"update.answer:comment-{answer.pk}",
        title=f"{project.code}: {answer.author} answered your question",
        body=excerpt(answer.body),
        url=f"{update.get_absolute_url()}#comment-{question.pk}",
        subject=project_subject(project),
        email_template="update-answer",
        email_context={
            "project": project,
            "answer": answer,
            "question": question,
            "update": update,
            "path": update.get_absolute_url(),
        },
    )
    return len(created)


def _decision_outcome(decision: DecisionRequest) -> str:
    """The decision in a line: the option approved or the rejection, with the note; or the free text."""
    if decision.approved_option_id:
        head = f"Approved: {decision.approved_option.label}."
    elif decision.outcome == "rejected" and decision.recommended_option_id:
        head = "Rejected."
    else:
        return decision.decision_note
    return f"{head} {decision.decision_note}".strip()


def send_decision_made(decision: DecisionRequest) -> int:
    project = decision.project
    recipients = [u for u in cdmo_project_managers(project=project) if u.pk != decision.decided_by_id]
    created = notify(
        recipients=recipients,
        kind="update.decision_made",
        dedupe_key=f"decision.made:decision-{decision.pk}",
        title=f"{project.code}: {decision.decided_by} decided “{Truncator(decision.title).chars(80)}”",
        body=excerpt(_decision_outcome(decision)),
        url=decision.get_absolute_url(),
        subject=project_subject(project),
        email_template="update-decision",
        email_context={"project": project, "decision": decision, "path": decision.update.get_absolute_url()},
    )
    return len(created)


def send_project_proposed(project: Project) -> int:
    """The other organization's admins hear that a project is proposed to them."""
    proposer = project.proposed_by_org
    created = notify(
        recipients=proposal_deciders(project=project),
        kind="project.proposed",
        dedupe_key=f"project.proposed:project-{project.pk}",
        title=f"{proposer} proposes a project: {project.code} · {project.name}",
        body=f"{project.proposed_by} of {proposer} proposed it. Accept it to start working on it together, "
        "or decline it with a reason.",
        url=project.get_proposal_url(),
        subject=project_subject(project),
    )
    return len(created)


def send_proposal_decided(project: Project) -> int:
    """The person who proposed the project hears whether the other side accepted it."""
    if project.proposed_by is None or not project.proposed_by.is_active:
        return 0
    other = project.deciding_org
    if project.is_accepted:
        title = f"{other} accepted {project.code} · {project.name}"
        body = f"{project.decided_by} accepted the proposal; the project is open to both sides."
        url = project.get_absolute_url()
    else:
        title = f"{other} declined {project.code} · {project.name}"
        body = f"{project.decided_by} declined the proposal. Reason: {excerpt(project.decline_reason)}"
        url = project.get_proposal_url()
    created = notify(
        recipients=[project.proposed_by],
        kind=f"project.proposal_{project.proposal_status}",
        dedupe_key=f"project.proposal_decided:project-{project.pk}",
        title=title,
        body=body,
        url=url,
        subject=project_subject(project),
    )
    return len(created)


def _other_side(change: ChangeRequest) -> list:
    """Who hears of a change raised by one side: the sponsor's team, or the CDMO project managers."""
    if change.raised_by_side == Side.CDMO:
        recipients = sponsor_team(project=change.project)
    else:
        recipients = cdmo_project_managers(project=change.project)
    return [u for u in recipients if u.pk != change.raised_by_id]


def send_change_raised(change: ChangeRequest) -> int:
    """The other side hears of a change request: the sponsor's team, or the CDMO project managers."""
    project = change.project
    created = notify(
        recipients=_other_side(change),
        kind="change.raised",
        dedupe_key=f"change.raised:change-{change.pk}",
        title=f"{project.code}: {change.raised_by} raised a change: “{Truncator(change.title).chars(80)}”",
        body=f"Decision needed by {change.needed_by:%-d %b %Y}. {excerpt(change.what)}",
        url=change.get_absolute_url(),
        subject=project_subject(project),
    )
    return len(created)


def send_change_edited(change: ChangeRequest, changed: list[str]) -> int:
    """Whoever heard of the change hears it was edited (once per revision), and what changed:
    a decider with the page open is refused the old version when signing."""
    project = change.project
    what = ", ".join(changed[:-1]) + f" and {changed[-1]}" if len(changed) > 1 else "".join(changed)
    created = notify(
        recipients=_other_side(change),
        kind="change.edited",
        dedupe_key=f"change.edited:change-{change.pk}-r{change.revision}",
        title=f"{project.code}: change “{Truncator(change.title).chars(80)}” was edited",
        body=(
            f"Changed: {what}. Decision needed by {change.needed_by:%-d %b %Y}. "
            "Read the new version before deciding; the earlier options are kept in its history."
        ),
        url=change.get_absolute_url(),
        subject=project_subject(project),
    )
    return len(created)


def send_change_decided(change: ChangeRequest) -> int:
    """The CDMO project managers and whoever raised the change hear how it was decided (and the
    sponsor's team too when the CDMO withdraws its own change)."""
    project = change.project
    recipients = {u.pk: u for u in cdmo_project_managers(project=project)}
    recipients.setdefault(change.raised_by_id, change.raised_by)
    if change.status == ChangeStatus.WITHDRAWN and change.raised_by_side == Side.CDMO:
        recipients.update((u.pk, u) for u in sponsor_team(project=project))
    recipients.pop(change.decided_by_id, None)
    if change.status == ChangeStatus.WITHDRAWN:
        title = f"{project.code}: {change.decided_by} withdrew “{Truncator(change.title).chars(80)}”"
        body = f"Reason: {excerpt(change.decision_reason)}"
    elif change.approved_option_id:
        title = f"{project.code}: {change.decided_by} approved “{Truncator(change.title).chars(80)}”"
        body = f"Option approved: {change.approved_option.label}. The milestones it names are re-baselined."
    else:
        title = f"{project.code}: {change.decided_by} rejected “{Truncator(change.title).chars(80)}”"
        body = f"Reason: {excerpt(change.decision_reason)}"
    created = notify(
        recipients=list(recipients.values()),
        kind=f"change.{change.status}",
        dedupe_key=f"change.decided:change-{change.pk}",
        title=title,
        body=body,
        url=change.get_absolute_url(),
        subject=project_subject(project),
    )
    return len(created)


def send_agreement_signed(agreement: WorkingAgreement, side: str) -> int:
    """One lead signed: the other side's leads hear it awaits them. Both signed: every lead
    hears the version is in force."""
    project = agreement.project
    leads = signing_leads(project=project)
    signer = agreement.sponsor_signed_by if side == Side.SPONSOR else agreement.cdmo_signed_by
    if agreement.effective_from is not None:
        recipients = [u for users in leads.values() for u in users]
        title = f"{project.code}: working agreement v{agreement.number} is in force"
        body = f"{signer} signed it too, so both sides' leads have agreed. The project now runs on its terms."
        kind = "agreement.in_force"
    else:
        recipients = leads[Side.CDMO if side == Side.SPONSOR else Side.SPONSOR]
        title = f"{project.code}: {signer} signed working agreement v{agreement.number}"
        body = "It comes into force when your side's lead signs it too. Read it and sign."
        kind = "agreement.signed"
    created = notify(
        recipients=[u for u in recipients if u.pk != getattr(signer, "pk", None)],
        kind=kind,
        dedupe_key=f"{kind}:agreement-{agreement.pk}:{side}",
        title=title,
        body=body,
        url=agreement.get_absolute_url(),
        subject=project_subject(project),
    )
    return len(created)

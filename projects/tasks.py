"""Thin Celery tasks for milestones and status updates: load by id, call the notification.

Queued by the services with `enqueue_on_commit`, so a worker never reads a row
that is not committed yet.
"""

from __future__ import annotations

from portal.core.tasks import task

from . import notifications
from .models import (
    ChangeRequest,
    DecisionRequest,
    MilestoneForecastChange,
    Project,
    ProposalStatus,
    StatusUpdate,
    UpdateComment,
    UpdateStatus,
    WorkingAgreement,
)


@task(name="projects.tasks.notify_update_published")
def notify_update_published(update_id: int) -> None:
    """Tell the sponsor's team about a published status update."""
    update = StatusUpdate.objects.select_related("project", "published_by").filter(pk=update_id).first()
    # Corrected again before the email went out: the newer revision sends its own.
    if update is None or update.status != UpdateStatus.PUBLISHED:
        return
    notifications.send_update_published(update)


@task(name="projects.tasks.notify_forecast_changed")
def notify_forecast_changed(change_id: int) -> None:
    """Tell the sponsor's team about a moved milestone forecast."""
    change = (
        MilestoneForecastChange.objects.select_related("milestone__project", "changed_by")
        .filter(pk=change_id)
        .first()
    )
    if change is not None:
        notifications.send_forecast_changed(change)


@task(name="projects.tasks.notify_question_asked")
def notify_question_asked(comment_id: int) -> None:
    """Tell the CDMO about a sponsor question on an update."""
    question = UpdateComment.objects.select_related("update__project", "author").filter(pk=comment_id).first()
    if question is not None and question.answered_at is None:
        notifications.send_question_asked(question)


@task(name="projects.tasks.notify_question_answered")
def notify_question_answered(answer_id: int) -> None:
    """Tell the person who asked that their question was answered."""
    answer = (
        UpdateComment.objects.select_related("update__project", "author", "parent__author")
        .filter(pk=answer_id)
        .first()
    )
    if answer is not None:
        notifications.send_question_answered(answer)


@task(name="projects.tasks.notify_decision_made")
def notify_decision_made(decision_id: int) -> None:
    """Tell the CDMO about a decision the sponsor made."""
    decision = (
        DecisionRequest.objects.select_related("project", "update", "decided_by", "approved_option")
        .filter(pk=decision_id)
        .first()
    )
    if decision is not None and decision.decided_at is not None:
        notifications.send_decision_made(decision)


@task(name="projects.tasks.notify_project_proposed")
def notify_project_proposed(project_id: int) -> None:
    """Tell the other organization's admins about a project proposed to them."""
    project = (
        Project.objects.select_related("sponsor", "cdmo", "proposed_by", "proposed_by_org")
        .filter(pk=project_id, proposal_status=ProposalStatus.PROPOSED)
        .first()
    )
    if project is not None:
        notifications.send_project_proposed(project)


@task(name="projects.tasks.notify_proposal_decided")
def notify_proposal_decided(project_id: int) -> None:
    """Tell the proposer that the other side accepted or declined."""
    project = (
        Project.objects.select_related("sponsor", "cdmo", "proposed_by", "decided_by")
        .filter(pk=project_id)
        .exclude(proposal_status=ProposalStatus.PROPOSED)
        .first()
    )
    if project is not None:
        notifications.send_proposal_decided(project)


@task(name="projects.tasks.notify_change_raised")
def notify_change_raised(change_id: int) -> None:
    """Tell the other side about a new change request."""
    change = ChangeRequest.objects.select_related("project", "raised_by").filter(pk=change_id).first()
    if change is not None:
        notifications.send_change_raised(change)


@task(name="projects.tasks.notify_change_edited")
def notify_change_edited(change_id: int, revision: int, changed: list[str]) -> None:
    """Tell the other side a proposed change request was edited, and what changed."""
    change = ChangeRequest.objects.select_related("project", "raised_by").filter(pk=change_id).first()
    if change is not None and change.is_open and change.revision == revision:
        notifications.send_change_edited(change, changed)


@task(name="projects.tasks.notify_change_decided")
def notify_change_decided(change_id: int) -> None:
    """Tell the CDMO project managers and whoever raised it how a change request was decided."""
    change = (
        ChangeRequest.objects.select_related("project", "raised_by", "decided_by", "approved_option")
        .filter(pk=change_id)
        .first()
    )
    if change is not None and not change.is_open:
        notifications.send_change_decided(change)


@task(name="projects.tasks.notify_agreement_signed")
def notify_agreement_signed(agreement_id: int, side: str) -> None:
    """Tell the other side's lead that one side signed the working agreement (or both: in force)."""
    agreement = (
        WorkingAgreement.objects.select_related("project", "sponsor_signed_by", "cdmo_signed_by")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is not None:
        notifications.send_agreement_signed(agreement, side)

"""Flags follow their data: a change to what the rules read asks for the project's flags to be
re-evaluated once its transaction commits, instead of waiting for the next sweep.

Connected in `MonitoringConfig.ready()`. Saves of the watched models are caught here; services
whose writes bypass saves (compare-and-set UPDATEs) send `portal.core.signals.project_data_changed`.
The request is written to the outbox in the changing transaction, once per project however many
rows change (a rollback drops it); the worker runs `recheck_project` after commit, which also
stores when the project's flags could next change with time alone: the quarter-hourly sweep
evaluates only the projects whose moment came, so a change these listeners miss waits for the
nightly reconciliation.

The same changes, and the saves of flags, refresh the project's stored attention figures
(`attention.refresh_attention`) at once, in the changing transaction, whatever the setting: the
executive dashboard reads those figures, so they follow every write.

A person deactivated or reactivated (an org admin's `member_update`) is a change to every project
they are on the team of or named by as an escalation contact in the agreement in force: those
projects are re-checked (`_person_saved`), found with one query.
"""

from __future__ import annotations

from operator import attrgetter

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_migrate, post_save, pre_save

from issues.models import Recognition, ServiceIssue
from meetings.models import ActionItem, Meeting
from portal.accounts.models import User
from portal.core.queue import enqueue_once_on_commit
from portal.core.signals import project_data_changed
from projects.models import (
    AgreementStatus,
    ChangeRequest,
    DecisionRequest,
    Milestone,
    MilestoneForecastChange,
    Project,
    ProjectMember,
    StatusUpdate,
    UpdateAcknowledgement,
    UpdateComment,
    WorkingAgreement,
)

from . import tasks
from .attention import fill_missing_attention, refresh_attention
from .models import Flag

# Watched model -> the attribute holding its project's id (dotted: through a relation).
WATCHED = {
    Project: "pk",
    Milestone: "project_id",
    StatusUpdate: "project_id",
    ProjectMember: "project_id",
    Meeting: "project_id",
    ActionItem: "project_id",
    ServiceIssue: "project_id",
    # Raised, decided or withdrawn: the past-needed-by flags follow (a decision recorded by a
    # compare-and-set UPDATE is signalled by its service).
    ChangeRequest: "project_id",
    DecisionRequest: "project_id",
    # A question asked starts a response clock (its answer is signalled by the service).
    UpdateComment: "update.project_id",
    # A version coming into force (or superseded) changes the rhythm and the contacts agreed.
    WorkingAgreement: "project_id",
    # The scorecard's figures (oversight.scorecards) read these too. A forecast move is always
    # saved with its milestone (one outbox row for both: `enqueue_once_on_commit`); the others
    # are written alone. The instances the services save hold their update or milestone, so
    # the dotted paths cost no query. Invitees are not watched: what the scorecard reads of them
    # (attendance at held meetings) is written only by `attendance_record`, which signals
    # `project_data_changed` once for the meeting.
    MilestoneForecastChange: "milestone.project_id",
    UpdateAcknowledgement: "update.project_id",
    Recognition: "project_id",
}

# The models whose rows the attention figures are computed from (attention.live_attention).
ATTENTION_SOURCES = {
    Project: "pk",
    StatusUpdate: "project_id",
    Flag: "project_id",
    ServiceIssue: "project_id",
    Milestone: "project_id",
}


def project_changed(project_id: int | None) -> None:
    if project_id and settings.MONITORING_RECHECK_ON_CHANGE:
        enqueue_once_on_commit(tasks.recheck_project, int(project_id))


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # fixtures being loaded are not changes
        return
    if sender in ATTENTION_SOURCES:
        refresh_attention(project_ids=[getattr(instance, ATTENTION_SOURCES[sender])])
    if sender in WATCHED:
        project_changed(attrgetter(WATCHED[sender])(instance))


def _activity_may_change(instance, raw, update_fields) -> bool:
    return not raw and instance.pk is not None and (update_fields is None or "is_active" in update_fields)


def _person_saving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Before a save that may write `is_active`: what it was (one query, only for such saves;
    a login's `last_login` save costs nothing)."""
    if _activity_may_change(instance, raw, update_fields) and settings.MONITORING_RECHECK_ON_CHANGE:
        instance._was_active = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()


def _person_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
    """Deactivated or reactivated: their projects' flags (a contact who left, a missing lead or
    decision-maker) follow at once rather than at the nightly reconciliation."""
    was_active = instance.__dict__.pop("_was_active", None)
    if created or was_active is None or was_active == instance.is_active:
        return
    for project_id in projects_of_person(instance.pk):
        project_changed(project_id)


def projects_of_person(user_id: int) -> list[int]:
    """The projects `user_id` is a current member of or an escalation contact of the agreement in
    force of: one query."""
    named = WorkingAgreement.objects.filter(
        Q(sponsor_escalation_id=user_id) | Q(cdmo_escalation_id=user_id), status=AgreementStatus.IN_FORCE
    ).values_list("project_id", flat=True)
    member = ProjectMember.objects.filter(user_id=user_id, removed_at__isnull=True).values_list(
        "project_id", flat=True
    )
    return sorted(set(member.union(named)))


def _migrated(sender, **kwargs) -> None:
    fill_missing_attention()


def _signalled(sender, project_id=None, **kwargs) -> None:
    # A write that bypassed saves: whatever it changed, the figures follow it.
    refresh_attention(project_ids=[project_id])
    project_changed(project_id)


def connect(app_config) -> None:
    for model in WATCHED.keys() | ATTENTION_SOURCES.keys():
        post_save.connect(_saved, sender=model, dispatch_uid=f"monitoring.recheck.{model._meta.label}")
    pre_save.connect(_person_saving, sender=User, dispatch_uid="monitoring.recheck.person.before")
    post_save.connect(_person_saved, sender=User, dispatch_uid="monitoring.recheck.person")
    project_data_changed.connect(_signalled, dispatch_uid="monitoring.recheck.signal")
    # After `migrate`, every project has its figures (the table's first fill, and any gap).
    post_migrate.connect(_migrated, sender=app_config, dispatch_uid="monitoring.attention.fill")

"""Writes for proposals: the other side accepts or declines a project proposed to it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit

from .. import permissions, tasks
from ..models import Project, ProposalStatus
from ..selectors import ProjectAccess

DECLINE_REASON_MAX = 2000


def require_decidable(access: ProjectAccess) -> None:
    """ServiceError when the proposal was already decided; NotAllowed (403) when this person may not
    decide it. The views ask it before showing a form, the services again under the lock."""
    project = access.project
    current = Project.objects.select_related("decided_by").get(pk=project.pk)
    if current.proposal_status != ProposalStatus.PROPOSED:
        when = timezone.localtime(current.decided_at) if current.decided_at else None
        verb = current.get_proposal_status_display().lower()
        who = f" by {current.decided_by}" if current.decided_by else ""
        on = f" on {when:%-d %b %Y}" if when else ""
        raise ServiceError(f"This proposal was already {verb}{who}{on}; there is nothing left to decide.")
    if not permissions.can_decide_proposal(access):
        raise NotAllowed(f"Only an admin of {project.deciding_org} can accept or decline this proposal.")


def _decide(access: ProjectAccess, status: str, reason: str, audit: str) -> Project:
    project = access.project
    require_decidable(access)
    with transaction.atomic(), audited(audit):
        updated = Project.objects.filter(pk=project.pk, proposal_status=ProposalStatus.PROPOSED).update(
            proposal_status=status,
            decided_by=access.user,
            decided_at=clock.now(),
            decline_reason=reason,
            updated_at=clock.now(),
        )
        if not updated:  # someone decided between the check and the write
            require_decidable(access)
        enqueue_on_commit(tasks.notify_proposal_decided, project.pk)
    project.refresh_from_db()
    return project


def proposal_accept(*, access: ProjectAccess) -> Project:
    """The other side agrees: the project becomes visible to it like any other."""
    return _decide(access, ProposalStatus.ACCEPTED, "", "Project proposal accepted")


def proposal_decline(*, access: ProjectAccess, reason: str) -> Project:
    """The other side says no, with a reason the proposer reads. The project is kept, declined."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Say why you decline, so the proposer knows what to change.")
    if len(reason) > DECLINE_REASON_MAX:
        raise ServiceError(f"Keep the reason under {DECLINE_REASON_MAX} characters.")
    return _decide(access, ProposalStatus.DECLINED, reason, "Project proposal declined")

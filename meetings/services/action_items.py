"""Action items after the minutes: their owner (or the side that runs the meeting) marks them done."""

from __future__ import annotations

from django.db import transaction

from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.signals import project_data_changed
from projects.selectors import ProjectAccess

from .. import permissions
from ..models import ActionItem, ActionItemStatus
from .common import require_in_project


def action_item_complete(*, access: ProjectAccess, item: ActionItem) -> ActionItem:
    """Mark done (idempotent: a second click changes nothing)."""
    require_in_project(access, item)
    if not permissions.can_complete_action_item(access, item):
        raise NotAllowed("Only the owner of this action item can mark it done.")
    if item.meeting.is_cancelled:
        raise ServiceError("This action item belongs to a cancelled meeting.")
    with transaction.atomic(), audited("Action item done"):
        ActionItem.objects.filter(pk=item.pk, status=ActionItemStatus.OPEN).update(
            status=ActionItemStatus.DONE, completed_at=clock.now(), completed_by=access.user
        )
        project_data_changed.send(sender=ActionItem, project_id=item.project_id)
    item.refresh_from_db()
    return item


def action_item_reopen(*, access: ProjectAccess, item: ActionItem) -> ActionItem:
    require_in_project(access, item)
    if not permissions.can_complete_action_item(access, item):
        raise NotAllowed("Only the owner of this action item can reopen it.")
    with transaction.atomic(), audited("Action item reopened"):
        ActionItem.objects.filter(pk=item.pk, status=ActionItemStatus.DONE).update(
            status=ActionItemStatus.OPEN, completed_at=None, completed_by=None
        )
        project_data_changed.send(sender=ActionItem, project_id=item.project_id)
    item.refresh_from_db()
    return item

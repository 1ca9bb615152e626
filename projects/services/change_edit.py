"""Editing a change request while it is proposed, by the side that raised it.

The request's own text (title, what, why, needed-by, recommendation) is updated in place, its
history kept by pghistory; the options and their milestone impacts are append-only, so an edit
writes them anew at the next `revision` and the earlier rows stay as they were. Everything that
reads options reads the current revision (`ChangeRequest.current_options`). `version` guards two
edits at once, and a decision against a version that has since been edited (services/changes.py).
A change that carries a proposed working agreement keeps it: its terms are edited on their own
(services/agreement_proposal.py).
"""

from __future__ import annotations

import datetime

from django.db import transaction

from portal.core.audit import audited
from portal.core.exceptions import ServiceError
from portal.core.queue import enqueue_on_commit

from .. import permissions, tasks
from ..models import ChangeOption, ChangeRequest
from ..selectors import ProjectAccess
from ._checks import _require, require_same_project
from .changes import OptionDraft, check_change_content, write_options

STALE_EDIT = (
    "Someone else edited this change request while you were editing it. Your text is below; "
    "open the change again to see their version, then make your edit there."
)


def _option_key(option: OptionDraft | ChangeOption, impacts) -> tuple:
    return (
        option.label.strip(),
        option.description.strip(),
        option.cost_impact.strip(),
        option.quality_impact.strip(),
        option.regulatory_impact.strip(),
        tuple(sorted(impacts)),
    )


def _what_changed(
    current: ChangeRequest, fields: dict, options: list[OptionDraft], recommended: int
) -> list[str]:
    labels = {
        "title": "title",
        "what": "what changes",
        "why": "why",
        "needed_by": "decision needed by",
        "recommendation": "recommendation",
    }
    changed = [label for name, label in labels.items() if getattr(current, name) != fields[name]]
    old = current.current_options
    old_keys = [_option_key(o, [(i.milestone_id, i.days) for i in o.impacts.all()]) for o in old]
    new_keys = [_option_key(o, [(m.pk, days) for m, days in o.milestones]) for o in options]
    if old_keys != new_keys:
        changed.append("options")
    old_recommended = next((n for n, o in enumerate(old) if o.pk == current.recommended_option_id), None)
    if old_recommended != recommended and "recommendation" not in changed:
        changed.append("recommended option")
    return changed


def lock_for_edit(*, access: ProjectAccess, change: ChangeRequest, version: int) -> ChangeRequest:
    """The change, locked, once it is sure the editor may still edit it at the version they
    opened; inside the caller's transaction."""
    current = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change.pk)
    _require(
        permissions.can_withdraw_change(access, current) or not current.is_open,
        "Only whoever raised the change, or their side's managers, edit it.",
    )
    if not current.is_open:
        raise ServiceError(
            f"This change request is {current.get_status_display().lower()}; it is no longer edited."
        )
    if current.version != version:
        raise ServiceError(STALE_EDIT)
    return current


def change_edit(
    *,
    access: ProjectAccess,
    change: ChangeRequest,
    version: int,
    title: str,
    what: str,
    why: str,
    needed_by: datetime.date,
    options: list[OptionDraft],
    recommended: int,
    recommendation: str,
) -> ChangeRequest:
    """Edit a proposed change as the side that raised it; `version` is the one the editor opened.
    Returns the change at its new revision (nothing written when nothing changed)."""
    require_same_project(access, change.project_id)
    title, what, why = (title or "").strip(), (what or "").strip(), (why or "").strip()
    recommendation = (recommendation or "").strip()
    check_change_content(access, title, what, why, options, recommended, recommendation)
    with transaction.atomic():
        current = lock_for_edit(access=access, change=change, version=version)
        fields = {"title": title, "what": what, "why": why, "needed_by": needed_by}
        fields["recommendation"] = recommendation
        changed = _what_changed(current, fields, options, recommended)
        if not changed:
            raise ServiceError("Nothing was changed; edit a field, or go back to the change request.")
        with audited(f"Change request edited: {title} ({', '.join(changed)})"):
            revision = current.revision + 1
            created = write_options(current, options, revision=revision)
            for name, value in fields.items():
                setattr(current, name, value)
            current.recommended_option = created[recommended]
            current.revision = revision
            current.version += 1
            current.save()
            enqueue_on_commit(tasks.notify_change_edited, current.pk, current.revision, changed)
    return current

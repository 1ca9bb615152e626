"""Recognition a sponsor gives for good service."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from projects.selectors import ProjectAccess

from .. import permissions
from ..models import EventKind, Recognition, ServiceIssue
from ..recognition import Target, project_id_of, target_ready_for_recognition
from ..tasks import send_recognition_emails
from .common import _record

# Recognition ------------------------------------------------------------------------


def recognition_give(
    *,
    access: ProjectAccess,
    target: Target,
    note: str,
    recipient: User | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> Recognition:
    """A sponsor member recognizes good service on one object of the project."""
    if not permissions.can_recognize(access):
        raise NotAllowed("Recognition is given by the sponsor team.")
    if project_id_of(target.obj) != access.project.pk:
        raise NotAllowed("That belongs to another project.")
    not_ready = target_ready_for_recognition(target)
    if not_ready:
        raise ServiceError(not_ready)
    if not note.strip():
        raise ServiceError("Say what was good: a short note is what the team will read.")
    # No recipient means the whole CDMO team (the form suggests `credited_person`).
    if recipient is not None and recipient.organization_id != access.project.cdmo_id:
        raise ServiceError("Recognition goes to someone at the CDMO.")
    now = now or clock.now()
    with transaction.atomic(), audited("Recognition given"):
        try:
            with transaction.atomic():
                recognition = Recognition.objects.create(
                    project=access.project,
                    given_by=access.user,
                    recipient=recipient,
                    note=note.strip()[:500],
                    target_type=ContentType.objects.get_for_model(target.obj),
                    target_id=target.obj.pk,
                    target_label=target.description,
                    given_at=now,
                )
        except IntegrityError as exc:
            raise ServiceError("You already recognized this.") from exc
        if isinstance(target.obj, ServiceIssue):
            _record(
                issue=target.obj,
                kind=EventKind.RECOGNIZED,
                actor=access.user,
                summary="Recognized the resolution" + (f" by {recipient}" if recipient else ""),
                note=recognition.note,
                now=now,
                notify=False,
            )
        if notify:
            enqueue_on_commit(send_recognition_emails, recognition.pk)
    return recognition

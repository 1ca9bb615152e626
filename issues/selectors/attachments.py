"""Reads of the files attached to an issue."""

from __future__ import annotations

from django.http import Http404

from ..models import ServiceIssue, ServiceIssueAttachment
from .log import get_issue_for_user


def issue_attachments(*, issue: ServiceIssue) -> list[ServiceIssueAttachment]:
    return list(ServiceIssueAttachment.objects.filter(issue=issue).select_related("uploaded_by"))


def get_attachment_for_user(
    *, user, project_id: int, serviceissue_id: int, serviceissueattachment_id: int
) -> ServiceIssueAttachment:
    issue, _ = get_issue_for_user(user=user, project_id=project_id, serviceissue_id=serviceissue_id)
    attachment = ServiceIssueAttachment.objects.filter(issue=issue, pk=serviceissueattachment_id).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment

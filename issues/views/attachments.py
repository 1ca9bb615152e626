"""Attaching files to an issue and downloading them."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error
from projects.page import project_page

from .. import forms, services
from ..selectors import get_attachment_for_user
from .common import _issue_in

logger = logging.getLogger(__name__)


@login_required
def issue_attachments_view(request, project_id: int, serviceissue_id: int):
    context = project_page(request, project_id, "issues")
    access = context["access"]
    issue = _issue_in(context, serviceissue_id)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_add_attachments(access=access, issue=issue, files=form.cleaned_data["files"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Attached.")
            return redirect(issue.get_absolute_url() + "#attachments")
    context.update(
        issue=issue,
        form=form,
        action="attach",
        action_label="Attach files",
        cdmo_zone=issue.project.cdmo.time_zone,
    )
    return render(request, "issues/action.html", context)


@login_required
@require_GET
def attachment_download_view(request, project_id: int, serviceissue_id: int, serviceissueattachment_id: int):
    attachment = get_attachment_for_user(
        user=request.user,
        project_id=project_id,
        serviceissue_id=serviceissue_id,
        serviceissueattachment_id=serviceissueattachment_id,
    )
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        logger.error("Attachment %s has no file in storage", attachment.pk)
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

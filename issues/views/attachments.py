"""Attaching files to an issue and downloading them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from portal.core.exceptions import ServiceError
from portal.core.uploads import download_response
from portal.core.views_helpers import add_service_error
from projects.page import project_page

from .. import forms, services
from ..selectors import get_attachment_for_user
from .common import _issue_in


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
    return download_response(attachment.file, attachment.original_name, attachment.content_type)

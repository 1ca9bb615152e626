"""Pages for the files attached to an update: upload, download, remove."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.core.exceptions import ServiceError
from portal.core.uploads import download_response

from .. import services
from ..attachments import CONTENT_TYPES
from ..forms import (
    AttachmentForm,
)
from ..models import StatusUpdate, UpdateAttachment
from ..selectors import (
    get_project_for_user,
    get_update,
)
from .updates import _require_author, _update_page


@login_required
@require_POST
def attachment_upload_view(request, project_id: int, statusupdate_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    access = context["access"]
    _require_author(access)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                access=access, update=update, upload=form.cleaned_data["file"]
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{attachment.original_name} attached.")
    else:
        for problem in form.errors.values():
            messages.error(request, " ".join(problem))
    edit_url = reverse(
        "projects:update_edit", kwargs={"project_id": project_id, "statusupdate_id": update.pk}
    )
    return redirect(edit_url + "#attachments")


def _attachment(update: StatusUpdate, attachment_id: int) -> UpdateAttachment:
    return get_object_or_404(
        UpdateAttachment.objects.select_related("update"),
        pk=attachment_id,
        update=update,
        removed_at__isnull=True,
    )


@login_required
def attachment_download_view(request, project_id: int, statusupdate_id: int, updateattachment_id: int):
    """The file, only to people who see the update: always a download, never rendered by the browser."""
    _, access = get_project_for_user(user=request.user, project_id=project_id)
    update = get_update(access=access, update_id=statusupdate_id)
    attachment = _attachment(update, updateattachment_id)
    content_type = CONTENT_TYPES.get(attachment.file_type, "application/octet-stream")
    return download_response(attachment.file, attachment.original_name, content_type)


@login_required
@require_POST
def attachment_remove_view(request, project_id: int, statusupdate_id: int, updateattachment_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    attachment = _attachment(update, updateattachment_id)
    try:
        services.attachment_remove(access=context["access"], attachment=attachment)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(update)
    messages.success(request, f"{attachment.original_name} removed from the draft.")
    edit_url = reverse(
        "projects:update_edit", kwargs={"project_id": project_id, "statusupdate_id": update.pk}
    )
    return redirect(edit_url + "#attachments")

"""The form that attaches a file to a draft update."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm
from portal.core.uploads import max_megabytes, validate_upload_size

from ..attachments import ACCEPT_ATTRIBUTE, ACCEPTED_DESCRIPTION


class AttachmentForm(PortalForm):
    # An empty file is the uploads module's "“name” is empty.", not Django's generic message.
    file = forms.FileField(
        label="Attach a file",
        allow_empty_file=True,
        validators=[validate_upload_size],
        error_messages={"required": "Choose a file to attach."},
        help_text=f"{ACCEPTED_DESCRIPTION}; up to {max_megabytes()} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

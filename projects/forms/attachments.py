"""The form that attaches a file to a draft update."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm

from ..attachments import ACCEPT_ATTRIBUTE, ACCEPTED_DESCRIPTION, MAX_ATTACHMENT_BYTES


class AttachmentForm(PortalForm):
    file = forms.FileField(
        label="Attach a file",
        help_text=f"{ACCEPTED_DESCRIPTION}; up to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

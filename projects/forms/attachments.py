"""The form that attaches a file to a draft update."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm
from portal.core.uploads import max_megabytes

from ..attachments import ACCEPT_ATTRIBUTE, ACCEPTED_DESCRIPTION


class AttachmentForm(PortalForm):
    file = forms.FileField(
        label="Attach a file",
        help_text=f"{ACCEPTED_DESCRIPTION}; up to {max_megabytes()} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

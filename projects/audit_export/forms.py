"""The range and format of an export: bad input is a field error on the form, never a 500."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from portal.core.forms import PortalForm

from .build import FORMATS

MAX_DAYS = 3660  # about ten years: any project's life, and never an unbounded date arithmetic


class AuditExportForm(PortalForm):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (included)", widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(
        label="Format",
        choices=[(key, label) for key, (label, _, _) in FORMATS.items()],
        initial="pdf",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, project, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {"start": timezone.localdate(project.created_at), "end": today})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end date is before the start date.")
            elif end - start > dt.timedelta(days=MAX_DAYS):
                self.add_error("end", f"Choose at most {MAX_DAYS // 366} years at a time.")
        return data

"""Filters for a history page: kind of record, person, dates; and the rows nobody needs to read.

The kinds offered are the tracked models the history reads, named by the label their app registered
(`register_history_kind` in `portal.core.history`); the people are those who appear in this
history. A value that is not on offer (an unknown kind, someone else's id, a bad date) is a
field error shown on the form, and that filter is ignored: never a 500.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from .forms import PortalForm

# Columns whose change alone is bookkeeping, not news (an edit that changed nothing else).
BOOKKEEPING_FIELDS = (
    "id",
    "version",
    "updated_at",
    "created_at",
    "added_at",
    "token",
    "calendar_token",
    "ical_sequence",
    "position",
)


def tracked_kinds(event_models, *, labels: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    """{tracked model label: (plain label, [its event model labels])} of `event_models` (the
    history's, those the viewer may see), sorted by plain label."""
    kinds: dict[str, tuple[str, list[str]]] = {}
    for model in event_models:
        tracked = model.pgh_tracked_model
        key = tracked._meta.label
        name = labels.get(key) or str(tracked._meta.verbose_name_plural).capitalize()
        kinds.setdefault(key, (name, []))[1].append(model._meta.label)
    return dict(sorted(kinds.items(), key=lambda item: item[1][0]))


def day_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """From the start of day `start` to the end of day `end` (inclusive), in the active time zone."""
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone) if start else None,
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if end else None,
    )


def within_days(events, start: dt.date | None, end: dt.date | None):
    """`events` from day `start` to day `end`, both included (either may be None: open)."""
    since, until = day_bounds(start, end)
    if since:
        events = events.filter(pgh_created_at__gte=since)
    if until:
        events = events.filter(pgh_created_at__lt=until)
    return events


class HistoryFilterForm(PortalForm):
    kind = forms.ChoiceField(required=False, label="Kind of record")
    person = forms.TypedChoiceField(required=False, label="Person", coerce=int, empty_value=None)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self, *args, kinds: dict[str, tuple[str, list[str]]], people: list[tuple[int, str]], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["kind"].choices = [("", "Any kind"), *((key, name) for key, (name, _) in kinds.items())]
        self.fields["person"].choices = [("", "Anyone"), *people]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def apply(self, events):
        """`events` narrowed by every filter that is valid (an invalid one is ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("kind"):
            events = events.filter(pgh_model__in=self.kinds[data["kind"]][1])
        if data.get("person"):
            events = events.filter(pgh_context__user=data["person"])
        return within_days(
            events,
            None if "date_from" in self.errors else data.get("date_from"),
            None if "date_to" in self.errors else data.get("date_to"),
        )

    @property
    def filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)

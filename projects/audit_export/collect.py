"""What an export holds: the project's events in the range (the History tab's selector), the
signatures of its records signed in the range and the signing attempts on them, as plain rows
(dicts of text and numbers) that the JSON, the CSV and the PDF all lay out the same way.

Times are UTC (ISO 8601). The range is days in the requester's time zone, as on the History tab;
`since` and `until` give its exact UTC bounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.apps import apps
from django.utils import timezone

from portal.accounts.models import User
from portal.core.history import HIDDEN_FIELDS, describe_events, project_events
from portal.core.history_filters import day_bounds, within_days
from portal.signatures.models import Signature, SigningAttempt
from portal.signatures.registry import signed_action
from portal.signatures.services import manifestation, signatures_for

from .records import signed_records_of

BATCH = 500  # events described (names loaded) at a time


@dataclass
class Trail:
    project: dict
    start: dt.date
    end: dt.date
    since: dt.datetime
    until: dt.datetime
    generated_at: dt.datetime
    generated_by: dict
    events: list[dict] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)

    time_zone: str = ""

    @property
    def since_utc(self) -> str:
        return utc(self.since)

    @property
    def until_utc(self) -> str:
        return utc(self.until)

    @property
    def generated_utc(self) -> str:
        return utc(self.generated_at)

    def as_json(self) -> dict:
        return {
            "project": self.project,
            "range": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "time_zone": self.time_zone,
                "from_utc": self.since_utc,
                "until_utc": self.until_utc,
            },
            "generated_at": self.generated_utc,
            "generated_by": self.generated_by,
            "events": self.events,
            "signatures": self.signatures,
            "signing_attempts": self.attempts,
        }


def utc(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else ""


def person(user: User | None) -> dict:
    if user is None:
        return {"name": "", "email": "", "organization": ""}
    org = user.organization.name if user.organization_id else ""
    return {"name": str(user), "email": user.email, "organization": org}


def project_events_in(*, project, sees_internal: bool, start: dt.date, end: dt.date):
    """The History tab's events of `project` from day `start` to day `end`, oldest first."""
    events = project_events(project=project, sees_internal=sees_internal)
    return within_days(events, start, end).order_by("pgh_created_at", "pgh_slug")


def trail_head(*, project, user, start: dt.date, end: dt.date) -> Trail:
    """The export's header and its signatures and signing attempts (a few rows: read at once);
    the events are read apart (`event_rows`), as many as there are."""
    since, until = day_bounds(start, end)
    trail = Trail(
        project={
            "id": project.pk,
            "code": project.code,
            "name": project.name,
            "sponsor": project.sponsor.name,
            "cdmo": project.cdmo.name,
        },
        start=start,
        end=end,
        since=since,
        until=until,
        generated_at=timezone.now(),
        generated_by=person(user),
        time_zone=str(timezone.get_current_timezone()),
    )
    in_range = signed_records_of(project)
    trail.signatures = _signature_rows(
        Signature.objects.filter(in_range, signed_at__gte=since, signed_at__lt=until)
        .select_related("signer__organization", "record_type")
        .order_by("signed_at", "pk")
    )
    trail.attempts = [
        _attempt_row(attempt)
        for attempt in SigningAttempt.objects.filter(in_range, at__gte=since, at__lt=until)
        .select_related("user__organization", "record_type")
        .order_by("at", "pk")
    ]
    return trail


def event_rows(events) -> Iterator[dict]:
    """The rows of `events` (a query, see `project_events_in`), read through a server-side cursor
    BATCH at a time and described a batch at a time: memory stays flat however many there are
    (two queries a batch for the names, besides the cursor's)."""
    for batch in _batches(events.iterator(chunk_size=BATCH)):
        yield from _event_rows(batch)


def collect(*, project, user, sees_internal: bool, start: dt.date, end: dt.date, progress) -> Trail:
    """The whole trail in memory, for the layouts that need all of it at once (PDF, JSON); the
    CSV is streamed (`stream.streamed_csv`)."""
    events = project_events_in(project=project, sees_internal=sees_internal, start=start, end=end)
    total = events.count()
    progress(0, total, "Reading the audit trail")
    rows: list[dict] = []
    for row in event_rows(events):
        rows.append(row)
        if len(rows) % BATCH == 0:
            progress(len(rows), total, "Reading the audit trail")
    progress(total, total, "Reading the signatures")
    trail = trail_head(project=project, user=user, start=start, end=end)
    trail.events = rows
    return trail


def _batches(rows) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def _event_rows(events: list) -> list[dict]:
    with timezone.override(dt.UTC):  # the changed dates and times too: the export is in UTC
        entries = describe_events(events)
    ids = {int(e.pgh_context["user"]) for e in events if (e.pgh_context or {}).get("user")}
    people = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("organization")}
    rows = []
    for event, entry in zip(events, entries, strict=True):
        context = event.pgh_context or {}
        user = people.get(int(context["user"])) if context.get("user") else None
        who = person(user) if user else {**person(None), "name": entry.actor}
        rows.append(
            {
                "id": event.pgh_slug,
                "at_utc": utc(event.pgh_created_at),
                "who": who,
                "what": entry.sentence,
                "subject": entry.subject,
                "action": entry.action,
                "model": event.pgh_obj_model,
                "record_id": event.pgh_obj_id,
                "reason": entry.reason,
                "url": str(context.get("url", "")),
                "changes": [{"field": c.label, "old": c.before, "new": c.after} for c in entry.changes],
                "raw_changes": {
                    name: pair
                    for name, pair in (event.pgh_diff or {}).items()
                    if name not in HIDDEN_FIELDS and not name.startswith("pgh_")
                },
            }
        )
    return rows


def _signature_rows(signatures) -> list[dict]:
    signatures = list(signatures)
    intact = _verified(signatures)
    return [
        {
            "id": s.pk,
            "action": s.action,
            "action_label": _action_label(s.action),
            "model": s.record_type.model_class()._meta.label,
            "record_id": s.record_id,
            "signer": person(s.signer),
            "printed_name": s.printed_name,
            "signer_email": s.signer_email,
            "signed_at_utc": utc(s.signed_at),
            "meaning": s.get_meaning_display(),
            "manifestation": manifestation(s, dt.UTC),
            "comment": s.comment,
            "content_sha256": s.content_sha256,
            "components": s.get_components_display(),
            "record_unchanged": intact.get(s.pk),
            "content": s.content,
            "options": options_summary(s.content),
        }
        for s in signatures
    ]


def options_summary(content) -> str:
    """A signed request's options as the signer saw them, in a line: which was recommended and
    (once decided) which approved. Empty for a record signed without options."""
    if not isinstance(content, dict) or not content.get("options"):
        return ""
    marks = {
        content.get("recommended_option"): " (recommended)",
    }
    approved = content.get("approved_option")
    if approved is None and isinstance(content.get("decision"), dict):
        approved = content["decision"].get("approved_option")
    labels = []
    for option in content["options"]:
        label = str(option.get("label", ""))
        label += marks.get(option.get("option"), "")
        if approved is not None and option.get("option") == approved:
            label += " (approved)"
        labels.append(label)
    return "Options: " + "; ".join(labels)


def _verified(signatures: list[Signature]) -> dict[int, bool]:
    """{signature id: the record still matches what was signed}, checked as the record page does."""
    wanted: dict = {}
    for s in signatures:
        wanted.setdefault(s.record_type, set()).add(s.record_id)
    records = []
    for record_type, ids in wanted.items():
        records.extend(record_type.model_class()._default_manager.filter(pk__in=ids))
    return {shown.signature.pk: shown.intact for found in signatures_for(records).values() for shown in found}


def _action_label(key: str) -> str:
    try:
        return signed_action(key).label
    except LookupError:
        return key


def _attempt_row(attempt: SigningAttempt) -> dict:
    return {
        "id": attempt.pk,
        "at_utc": utc(attempt.at),
        "who": person(attempt.user),
        "action": attempt.action,
        "model": apps.get_model(attempt.record_type.app_label, attempt.record_type.model)._meta.label,
        "record_id": attempt.record_id,
        "meaning": attempt.get_meaning_display(),
        "outcome": attempt.get_outcome_display(),
        "signature_id": attempt.signature_id,
    }

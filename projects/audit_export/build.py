"""The export as a document built in the background (portal/documents): one kind per format.

The view asks for it with the project and the range as parameters; the worker checks again that
the requester may export this project (they may have left the team since), reads the trail in
the requester's time zone and lays it out.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.urls import reverse

from portal.core.task_base import PermanentTaskError
from portal.documents.registry import Built, register_document_kind

from ..permissions import can_export_audit_trail
from ..selectors import access_for, visible_project
from .collect import collect
from .formats import to_csv, to_json, to_pdf
from .stream import filename

# The CSV is streamed to the requester at once (stream.py); its kind stays registered for the
# CSV documents asked for before, whose pages and retries still work.
FORMATS = {
    "pdf": ("PDF, to read", to_pdf, "application/pdf"),
    "csv": ("CSV, for a spreadsheet (downloads at once)", to_csv, "text/csv; charset=utf-8"),
    "json": ("JSON, for a program", to_json, "application/json"),
}
STREAMED = {"csv"}


def kind(fmt: str) -> str:
    return f"projects.audit_export_{fmt}"


def parameters(*, project, start: dt.date, end: dt.date) -> dict:
    return {"project": project.pk, "start": start.isoformat(), "end": end.isoformat()}


def register_audit_export_kinds() -> None:
    for fmt, (_label, layout, content_type) in FORMATS.items():
        register_document_kind(
            kind(fmt),
            _builder(fmt, layout, content_type),
            title=f"audit trail {fmt.upper()}",
            origin=lambda params: reverse("projects:history", kwargs={"project_id": params["project"]}),
            origin_label="Back to the project's history",
        )


def _builder(fmt: str, layout, content_type: str):
    def build(document, progress) -> Built:
        user = document.requested_by
        project, access = _exporter_access(document)
        start, end = (dt.date.fromisoformat(document.parameters[key]) for key in ("start", "end"))
        trail = collect(
            project=project,
            user=user,
            sees_internal=access.sees_internal,
            start=start,
            end=end,
            progress=progress,
        )
        progress(len(trail.events), len(trail.events), "Laying out the export")
        return Built(
            content=layout(trail),
            filename=filename(project, start, end, fmt),
            content_type=content_type,
            note=(
                f"{_count(trail.events, 'event')}, {_count(trail.signatures, 'signature')} and "
                f"{_count(trail.attempts, 'signing attempt')} of {project.code}, "
                f"{start:%-d %b %Y} to {end:%-d %b %Y}."
            ),
        )

    return build


def _count(rows: list, noun: str) -> str:
    return f"{len(rows):,} {noun}{'' if len(rows) == 1 else 's'}"


def _exporter_access(document):
    user = document.requested_by
    refused = PermanentTaskError("You may no longer export this project's audit trail.")
    if not user.is_active or user.organization_id != document.organization_id:
        raise refused
    try:
        project = visible_project(user=user, project_id=int(document.parameters["project"]))
    except Http404:
        raise refused from None
    access = access_for(user=user, project=project)
    if not can_export_audit_trail(access):
        raise refused
    return project, access

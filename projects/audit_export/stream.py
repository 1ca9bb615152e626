"""The CSV export, streamed as it is read: a row per event, written as the server-side cursor
hands the events over a batch at a time, then the signatures and signing attempts. Memory stays
flat however long the trail (the PDF and JSON, which need it whole, are built by a worker)."""

from __future__ import annotations

import datetime as dt

from django.http import StreamingHttpResponse

from portal.core.csv import streaming_csv_response

from .collect import event_rows, project_events_in, trail_head
from .formats import CSV_HEADER, csv_rows


def filename(project, start: dt.date, end: dt.date, fmt: str) -> str:
    return f"audit-trail-{project.code}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"


def streamed_csv(
    *, project, user, sees_internal: bool, start: dt.date, end: dt.date
) -> StreamingHttpResponse:
    """The download, its rows made as the response is sent. The header, signatures and signing
    attempts are read before (what can fail, fails before the first byte); the events' query is
    made here, in the requester's time zone, and run when the first row is asked for."""
    trail = trail_head(project=project, user=user, start=start, end=end)
    events = project_events_in(project=project, sees_internal=sees_internal, start=start, end=end)
    return streaming_csv_response(
        filename(project, start, end, "csv"),
        CSV_HEADER,
        csv_rows(trail, event_rows(events)),
        byte_order_mark=True,
    )

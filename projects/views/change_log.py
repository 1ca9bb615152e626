"""The change log: every change request across the projects I can see, for executives and anyone
else with projects, filtered, paged, and exported as CSV."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from django.shortcuts import render
from django.utils import timezone

from portal.accounts.decorators import organization_member_required
from portal.core.csv import streaming_csv_response
from portal.core.views_helpers import paginate, querystring_without_page

from ..forms import ChangeLogFilterForm
from ..models import ChangeRequest, ChangeStatus
from ..selectors.changes import change_log

CSV_HEADER = [
    "Project",
    "Project name",
    "Sponsor",
    "CDMO",
    "Change request",
    "Raised by side",
    "Raised by",
    "Raised on",
    "Decision needed by",
    "Status",
    "Past needed-by",
    "Decision",
    "Decided and signed by",
    "Decided on",
    "Link",
]
CSV_CHUNK = 2000


def _changes(request):
    form = ChangeLogFilterForm(request.GET or None)
    today = timezone.localdate()
    return form, today, change_log(user=request.user, filters=form.to_filters(), today=today)


def decision_text(change: ChangeRequest) -> str:
    """What was decided, in a few words: the option approved, or the reason given."""
    if change.status == ChangeStatus.APPROVED:
        return f"Approved: {change.approved_option.label}"
    if change.status == ChangeStatus.REJECTED:
        return f"Rejected: {change.decision_reason}"
    return ""


@organization_member_required
def change_log_view(request):
    form, today, changes = _changes(request)
    context = {
        "form": form,
        "page": paginate(request, changes),
        "querystring": querystring_without_page(request),
        "filtered": any(request.GET.get(key) for key in form.fields),
        "today": today,
    }
    for change in context["page"].object_list:
        change.decision_text = decision_text(change)
    return render(request, "projects/change_log.html", context)


def _csv_rows(changes: Iterator[ChangeRequest], request, today) -> Iterator[list]:
    for change in changes:
        decided = change.decided_at
        yield [
            change.project.code,
            change.project.name,
            change.project.sponsor.name,
            change.project.cdmo.name,
            change.title,
            change.get_raised_by_side_display(),
            change.raised_by.full_name,
            timezone.localtime(change.raised_at).date().isoformat(),
            change.needed_by.isoformat(),
            change.get_status_display(),
            "yes" if change.is_open and change.needed_by < today else "no",
            decision_text(change),
            change.decided_by.full_name if change.decided_by_id else "",
            timezone.localtime(decided).date().isoformat() if decided else "",
            request.build_absolute_uri(change.get_absolute_url()),
        ]


@organization_member_required
def change_log_csv_view(request):
    """Every change the filters select, streamed through a server-side cursor: memory stays flat."""
    _form, today, changes = _changes(request)
    rows = changes.iterator(chunk_size=CSV_CHUNK)
    first = next(rows, None)  # the query runs (and any error surfaces) before the response starts
    return streaming_csv_response(
        f"change-log-{today:%Y-%m-%d}.csv",
        CSV_HEADER,
        _csv_rows(chain([first] if first else [], rows), request, today),
    )

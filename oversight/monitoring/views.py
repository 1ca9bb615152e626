import functools
from collections.abc import Iterator
from itertools import chain

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from portal.accounts.decorators import organization_member_required
from portal.core.csv import streaming_csv_response
from portal.core.views_helpers import paginate, querystring_without_page
from portal.documents.services import request_document
from projects.page import project_page

from .charts import trend_svg
from .forms import dashboard_filter_form, filter_parameters
from .pdf import KIND as PDF_KIND
from .pdf import batches_of, dashboard_url
from .selectors import (
    DASHBOARD_SORTS,
    DEFAULT_SORT,
    FLAG_COLUMNS,
    SCORE_WEIGHTS,
    cleared_flags_for_project,
    dashboard_count,
    dashboard_rows,
    flag_summary,
    flags_by_kind_for,
    open_flags_for_project,
)
from .table import table_rows


def _dashboard(request):
    form = dashboard_filter_form(user=request.user, data=request.GET)
    filters = form.to_filters()
    return form, filters, dashboard_rows(user=request.user, filters=filters)


class _CountedRows:
    """The dashboard's rows as the paginator reads them: a slice of `rows`, and a count by the
    cheaper `dashboard_count` (the rows' join to their figures changes no count)."""

    ordered = True

    def __init__(self, rows, count):
        self.rows, self._count = rows, count

    def count(self) -> int:
        return self._count()

    def __getitem__(self, key):
        return self.rows[key]


def _sort_headers(request, sort: str) -> dict[str, dict]:
    """Per sortable column: the link that sorts by it (the current filters kept, back to page 1)
    and its `aria-sort` when it is the current order. A second click reverses the order."""
    headers = {}
    for key, first_direction in DASHBOARD_SORTS.items():
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = ("" if descending else "-") + key if current else first_direction + key
        headers[key] = {
            "query": params.urlencode(),
            "aria": ("descending" if descending else "ascending") if current else "",
        }
    return headers


def _context(request, form, rows: list, page=None, sort: str = DEFAULT_SORT) -> dict:
    trend, counts = flag_summary(user=request.user)
    return {
        "sort": sort,
        "sorts": _sort_headers(request, sort),
        "form": form,
        "page": page,
        "rows": rows,
        "table": table_rows(rows, flags_by_kind_for(rows), user=request.user),
        "columns": list(FLAG_COLUMNS),
        "counts": counts,
        "trend": trend,
        "trend_svg": trend_svg(trend),
        "weights": SCORE_WEIGHTS,
        "querystring": querystring_without_page(request),
    }


@organization_member_required
def dashboard_view(request):
    form, filters, rows = _dashboard(request)
    count = functools.partial(dashboard_count, user=request.user, filters=filters)
    page = paginate(request, _CountedRows(rows, count), per_page=30)
    context = _context(request, form, list(page.object_list), page, filters.sort)
    return render(request, "monitoring/dashboard.html", context)


CSV_HEADER = [
    "Code",
    "Project",
    "Sponsor",
    "CDMO",
    "Status",
    "Overall",
    "Days since last update",
    "Attention score",
    "Critical flags",
    "Warning flags",
    *[f"{c.capitalize()} flags" for c in FLAG_COLUMNS],
    "Breached service issues",
    "Worst milestone slip (days)",
    "Decision-maker flagged",
]


def _csv_rows(batches: Iterator[list]) -> Iterator[list]:
    today = timezone.localdate()
    for batch in batches:
        flags = flags_by_kind_for(batch)
        for project in batch:
            last = project.last_update_published_at
            yield [
                project.code,
                project.name,
                project.sponsor.name,
                project.cdmo.name,
                project.get_status_display(),
                project.overall or "",
                (today - timezone.localdate(last)).days if last else "",
                project.score,
                project.critical_flags,
                project.warning_flags,
                *[
                    "; ".join(e for group in flags[project.pk][c] for e in group.explanations)
                    for c in FLAG_COLUMNS
                ],
                project.breached_issues,
                project.worst_slip,
                "yes" if project.decision_maker_flagged else "no",
            ]


@organization_member_required
def dashboard_csv_view(request):
    """Every row the filters select, streamed: one server-side cursor read in batches, each
    batch's flags in one query, so memory stays flat at any number of projects."""
    _form, _filters, rows = _dashboard(request)
    size = settings.DASHBOARD_EXPORT_BATCH
    batches = batches_of(rows.iterator(chunk_size=size), size)
    first = next(batches, [])  # the query runs (and any error surfaces) before the response starts
    return streaming_csv_response(
        f"escalation-dashboard-{timezone.localdate():%Y-%m-%d}.csv",
        CSV_HEADER,
        _csv_rows(chain([first], batches)),
    )


@organization_member_required
def dashboard_pdf_view(request):
    """POST: ask a worker for the dashboard as a PDF, with the filters and order of the page it
    was asked from (its query string), and go to the document's page. GET: back to the dashboard."""
    parameters = filter_parameters(request.GET)
    if request.method != "POST":
        return redirect(dashboard_url("dashboard", parameters))
    document = request_document(user=request.user, kind=PDF_KIND, parameters=parameters)
    return redirect(document)


@login_required
def project_flags_view(request, project_id: int):
    context = project_page(request, project_id, "overview")
    project = context["project"]
    context["open_flags"] = open_flags_for_project(project=project)
    context["cleared_flags"] = paginate(request, cleared_flags_for_project(project=project), per_page=20)
    return render(request, "monitoring/project_flags.html", context)

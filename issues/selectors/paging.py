"""A sorted issue list as `paginate()` reads it, cheap however many issues the viewer can see."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Window

from ..models import ServiceIssue
from .log import accepted_plan_target

ROW_PARTS = ("project__cdmo", "project__sponsor", "raised_by")
# The columns a row shows (templates/issues/_table.html, workflow.next_step): the issue's 33 and
# the project's, organizations' and raiser's were read, and turned into objects, for every row.
ROW_FIELDS = (
    "project_id",
    "title",
    "category",
    "severity",
    "status",
    "escalation_level",
    "raised_at",
    "acknowledge_by",
    "plan_by",
    "closed_at",
    "project__code",
    "project__cdmo__name",
    "project__sponsor__name",
    "raised_by__full_name",
)


class ListedIssues:
    """Stands in for a sorted issue queryset in `paginate()` (it only calls `count()` and slices).

    Sorting every visible issue with its project, parties and raiser joined in costs a pass over
    thousands of wide rows. Here `count()` reads the ids of the page the request names together
    with the total (a window count) in one sorted pass over narrow rows, and the page's slice then
    reads just those rows with what a row shows, their accepted plan's target included: two
    queries. A page past the end, or "last", costs a plain count and another narrow pass.
    """

    ordered = True

    def __init__(self, issues: QuerySet[ServiceIssue], *, page: str | None, per_page: int):
        self._issues = issues  # filtered and sorted (selectors.log)
        try:
            number = max(int(page or 1), 1)
        except ValueError:
            number = 1
        self._hint = ((number - 1) * per_page, number * per_page)
        self._ids: list[int] | None = None
        self._total: int | None = None

    def _page_ids(self, bottom: int, top: int) -> tuple[list[int], int | None]:
        rows = list(self._issues.values_list("pk", Window(Count("*")))[bottom:top])
        return [pk for pk, _ in rows], (rows[0][1] if rows else None)

    def count(self) -> int:
        if self._total is None:
            self._ids, self._total = self._page_ids(*self._hint)
            if self._total is None:  # no rows from there: an empty list, or past the end
                self._total = 0 if self._hint[0] == 0 else self._issues.order_by().count()
        return self._total

    def __getitem__(self, bounds: slice) -> list[ServiceIssue]:
        if self._ids is not None and bounds.start == self._hint[0] and bounds.stop <= self._hint[1]:
            ids = self._ids[: bounds.stop - bounds.start]  # the last page stops at the total
        else:
            ids, _ = self._page_ids(bounds.start, bounds.stop)
        if not ids:
            return []
        rows = (
            ServiceIssue.objects.filter(pk__in=ids)
            .select_related(*ROW_PARTS)
            .only(*ROW_FIELDS)
            .annotate(plan_target=accepted_plan_target())
            .in_bulk()
        )
        return [rows[pk] for pk in ids]

"""A sorted issue list as `paginate()` reads it, cheap however many issues the viewer can see."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Window

from portal.core.paging import PageWithTotal

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


class ListedIssues(PageWithTotal):
    """A sorted issue list for `paginate()` (portal.core.paging).

    Sorting every visible issue with its project, parties and raiser joined in costs a pass over
    thousands of wide rows. Here the page's ids are read with the total (a window count) in one
    sorted pass over narrow rows, and then just those rows with what a row shows, their accepted
    plan's target included: two queries.
    """

    def __init__(self, issues: QuerySet[ServiceIssue], *, page: str | None, per_page: int):
        super().__init__(page=page, per_page=per_page)
        self._issues = issues  # filtered and sorted (selectors.log)

    def _read(self, bottom: int, top: int) -> tuple[list[int], int | None]:
        rows = list(self._issues.values_list("pk", Window(Count("*")))[bottom:top])
        return [pk for pk, _ in rows], (rows[0][1] if rows else None)

    def _count(self) -> int:
        return self._issues.order_by().count()

    def _rows(self, ids: list[int]) -> list[ServiceIssue]:
        rows = (
            ServiceIssue.objects.filter(pk__in=ids)
            .select_related(*ROW_PARTS)
            .only(*ROW_FIELDS)
            .annotate(plan_target=accepted_plan_target())
            .in_bulk()
        )
        return [rows[pk] for pk in ids]

"""Lists that `paginate()` reads with their total in the same query as the page's rows.

`Paginator` asks for `count()` and then slices: two passes over a list that is sorted in full
either way (an ORDER BY no index gives, over thousands of visible rows). Here `count()` reads
the page the request names together with the total, as a window count, and the slice is served
from what it read. A page past the end, or "last", costs a plain count and another read.

Only for lists that are sorted in full anyway: where an index yields the first rows of a
list, a window count would read all of them, and a plain count and LIMIT are cheaper.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet, Window

TOTAL = "_total_rows"
LAST_GUESS = 10**12  # a page number past this is past the end of any list: a plain count


class PageWithTotal:
    """Stands in for a sorted list in `paginate()`, which only calls `count()` and slices it.

    Subclasses say how to read a page with the total (`_read`) and, when that read is narrow, how
    to turn what it read into rows (`_rows`)."""

    ordered = True

    def __init__(self, *, page: str | None, per_page: int):
        try:
            number = min(max(int(page or 1), 1), LAST_GUESS)
        except ValueError:
            number = 1
        self._hint = ((number - 1) * per_page, number * per_page)
        self._read_items: list | None = None
        self._total: int | None = None

    def _read(self, bottom: int, top: int) -> tuple[list, int | None]:
        """Items `bottom` to `top` of the sorted list and the total (None when there are none)."""
        raise NotImplementedError

    def _count(self) -> int:
        raise NotImplementedError

    def _rows(self, items: list) -> list:
        return items

    def count(self) -> int:
        if self._total is None:
            self._read_items, self._total = self._read(*self._hint)
            if self._total is None:  # no rows from there: an empty list, or past the end
                self._total = 0 if self._hint[0] == 0 else self._count()
        return self._total

    def __getitem__(self, bounds: slice) -> list:
        if self._read_items is not None and bounds.start == self._hint[0] and bounds.stop <= self._hint[1]:
            items = self._read_items[: bounds.stop - bounds.start]  # the last page stops at the total
        else:
            items, _ = self._read(bounds.start, bounds.stop)
        return self._rows(items) if items else []


class CountedQuerySet(PageWithTotal):
    """A sorted queryset of model instances, its page read with the total in one query."""

    def __init__(self, queryset: QuerySet, *, page: str | None, per_page: int):
        if queryset.query.distinct or queryset.query.combinator:
            raise ValueError("A window count over DISTINCT or combined rows would count the wrong rows.")
        super().__init__(page=page, per_page=per_page)
        self._queryset = queryset

    def _read(self, bottom: int, top: int) -> tuple[list, int | None]:
        rows = list(self._queryset.annotate(**{TOTAL: Window(Count("*"))})[bottom:top])
        return rows, (getattr(rows[0], TOTAL) if rows else None)

    def _count(self) -> int:
        return self._queryset.order_by().count()

"""The dashboard as a PDF, built in the background (portal/documents) from the dashboard's rows.

The request only asks for it (`views.dashboard_pdf_view`); a worker calls
`build_dashboard_pdf` with the requester's filters and order. It reads the rows through the same
selector as the page (`dashboard_rows`), in batches from one cursor, at most
DASHBOARD_PDF_MAX_ROWS of them (the CSV export has every row, and the PDF says so), and lays the
table out with fixed column widths: WeasyPrint's automatic table layout measures every cell of
every row and cost 65–120 ms a row. Its cost then follows the number of boxes and lines of text
(each line is shaped, broken and drawn, each font subset), not the CSS, so a row says each thing
once, in as few lines as it can: the viewer's organization is in the header, not on every row
(nor the other side when the filters name it); a flag cell names and counts each kind of flag
(the explanations are on the dashboard and in the CSV); the worst slip is a line of the Delivery
cell; a cell with nothing open is blank; a cell of one line has no paragraph inside; one font
family in two weights; shaded alternate rows, not a collapsed border under every cell; and the
page's top is a table, not a flexbox (about 15 % of the build at a hundred rows). At 10,000
projects, the hundred-odd rows of the bench went from 15 pages to 6 and from about 4.1 million
Python calls in WeasyPrint to 1.85 million.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from portal.core.task_base import PermanentTaskError
from portal.documents.registry import Built

from .charts import trend_svg
from .forms import dashboard_filter_form
from .selectors import (
    FLAG_COLUMNS,
    SCORE_WEIGHTS,
    dashboard_count,
    dashboard_rows,
    flag_summary,
    flags_by_kind_for,
)

KIND = "monitoring.dashboard_pdf"
TITLE = "escalation dashboard PDF"
PROGRESS_EVERY = 50  # rows between two progress reports
MAX_KINDS_PER_CELL = 3  # kinds of flag a cell shows; more are counted ("+1 more kind")
ORDER_WORDS = {
    "-score": "highest attention score first",
    "score": "lowest attention score first",
    "-overall": "red first",
    "overall": "green first",
    "updated": "stalest update first",
    "-updated": "latest update first",
    "-slip": "worst milestone slip first",
    "slip": "smallest milestone slip first",
    "counterparty": "{side} A–Z",
    "-counterparty": "{side} Z–A",
}


@dataclass
class Entry:
    """One kind of flag in a cell: "Action item overdue ×5"."""

    severity: str
    label: str
    count: int


@dataclass
class Cell:
    entries: list[Entry]
    more: int = 0  # kinds left out
    breached: int = 0  # service issues past their agreed response time (Service)
    slip: int = 0  # days of the worst milestone slip (Delivery)

    @property
    def single(self) -> Entry | None:
        """The cell's only line, when it has one: the row puts its class on the cell itself."""
        alone = len(self.entries) == 1 and not (self.more or self.breached or self.slip)
        return self.entries[0] if alone else None


def render_dashboard_pdf(context: dict) -> bytes:
    from weasyprint import HTML  # imported here: it takes ~0.4 s and only the PDF builds need it

    html = render_to_string("monitoring/dashboard_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def dashboard_url(name: str, parameters: dict) -> str:
    """The dashboard page or its CSV export with these filters and order."""
    query = urlencode(parameters)
    return reverse(f"monitoring:{name}") + (f"?{query}" if query else "")


def build_dashboard_pdf(document, progress) -> Built:
    user = document.requested_by
    if not user.is_active or user.organization_id != document.organization_id:
        raise PermanentTaskError("You are no longer a member of the organization this was asked for in.")
    data = QueryDict(mutable=True)
    data.update(document.parameters)
    form = dashboard_filter_form(user=user, data=data)
    filters = form.to_filters()
    rows = dashboard_rows(user=user, filters=filters)
    # The other side of each program, unless the filters name it (the header says it once).
    other_side = "" if filters.counterparty else ("cdmo" if user.organization.is_sponsor else "sponsor")
    cap = settings.DASHBOARD_PDF_MAX_ROWS
    matching = dashboard_count(user=user, filters=filters)
    shown = min(matching, cap)
    progress(0, shown, "Reading the programs")
    body = []
    done = 0
    for batch in batches_of(rows[:shown].iterator(chunk_size=PROGRESS_EVERY), PROGRESS_EVERY):
        flags = flags_by_kind_for(batch)
        body.append(
            render_to_string(
                "monitoring/_dashboard_pdf_rows.html",
                {
                    "rows": [
                        (
                            project,
                            getattr(project, other_side).name if other_side else "",
                            _cells(project, flags[project.pk]),
                        )
                        for project in batch
                    ]
                },
            )
        )
        done += len(batch)
        progress(done, shown, "Reading the programs")
    progress(done, shown, "Laying out the pages")
    capped = matching > shown
    note = (
        f"The first {shown:,} of {matching:,} programs, in the dashboard's order; "
        "the full list is in the CSV export."
        if capped
        else ""
    )
    trend, counts = flag_summary(user=user)
    pdf = render_dashboard_pdf(
        {
            "PORTAL_NAME": settings.PORTAL_NAME,
            "user": user,
            "organization": document.organization,
            "rows_html": "".join(body),
            "shown": shown,
            "matching": matching,
            "note": note,
            "order": _order_words(filters.sort, user),
            "filters": _filter_words(form),
            "columns": list(FLAG_COLUMNS),
            "side": "CDMO" if user.organization.is_sponsor else "Sponsor",
            "other_side": other_side,
            "counts": counts,
            "trend_svg": trend_svg(trend),
            "weights": SCORE_WEIGHTS,
            "generated_at": timezone.now(),
        }
    )
    return Built(
        content=pdf,
        filename=f"escalation-dashboard-{timezone.localdate():%Y-%m-%d}.pdf",
        note=note,
        link_url=dashboard_url("dashboard_csv", document.parameters) if capped else "",
        link_label="Download every program as CSV" if capped else "",
    )


def batches_of(rows: Iterable, size: int) -> Iterator[list]:
    """Lists of `size` items from `rows` (a server-side cursor), one at a time."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _cells(project, flags: dict) -> list[Cell]:
    """The four flag columns of one row: per kind its title and count, at most MAX_KINDS_PER_CELL
    kinds, so a row stays a few lines high. No explanations: with them a row took three times the
    lines, and the layout's cost follows the lines (the dashboard and the CSV have every one)."""
    return [
        Cell(
            entries=[Entry(g.severity, g.label, g.count) for g in flags[column][:MAX_KINDS_PER_CELL]],
            more=max(0, len(flags[column]) - MAX_KINDS_PER_CELL),
            breached=project.breached_issues if column == "service" else 0,
            slip=max(project.worst_slip or 0, 0) if column == "delivery" else 0,
        )
        for column in FLAG_COLUMNS
    ]


def _order_words(sort: str, user) -> str:
    side = "by CDMO" if user.organization.is_sponsor else "by sponsor"
    return ORDER_WORDS.get(sort, ORDER_WORDS["-score"]).format(side=side)


def _filter_words(form) -> list[str]:
    """ "Open flag: Milestone slipping", one per filter that narrows the list."""
    if not form.is_bound or not form.is_valid():
        return []
    words = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", False) or (name == "status" and value == "active"):
            continue
        field = form.fields[name]
        shown = (
            dict(field.choices).get(value, value)
            if hasattr(field, "choices") and name != "counterparty"
            else value
        )
        words.append(f"{field.label}: {'yes' if value is True else Truncator(str(shown)).chars(60)}")
    return words

"""The panels of a project's overview: a registry each app fills.

Projects registers its own panels (the latest update, the next milestones, the open decisions);
an app above it adds its panel from its `AppConfig.ready()`, so the overview never imports the
apps that sit on top of it:

    register_panel("meetings", order=40, template="meetings/_overview_panel.html", context=next_meeting_panel)

`context(page)` is called with the project page's context (`project`, `access`, `team`, …) and
returns the panel's own context, shown to its template as `panel`, or None to leave the panel
out for this viewer. It reads in a fixed number of queries, whatever the project holds, and a
panel with nothing to show says what to do next rather than disappearing.

A panel whose reads are `CompiledRead`s declares them (`reads(page)`: {key: (read, values)}) and
takes their rows with `panel_rows`: the overview makes every panel's reads in one round trip
(`read_panels_together`) before the header and the panels ask for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils import timezone

from portal.core.compiled import CompiledRead, read_together
from portal.core.list_formats import ListDates, link

from . import overview_rows, permissions
from .selectors.overview import LATEST_UPDATE, NEXT_MILESTONES, OPEN_DECISIONS

T = TypeVar("T")
PanelContext = Callable[[dict[str, Any]], "dict | None"]
Reads = dict[str, tuple[CompiledRead, dict[str, Any]]]  # key in the page: (read, its values)
PanelReads = Callable[[dict[str, Any]], Reads]


@dataclass(frozen=True)
class PanelEntry:
    key: str
    order: int
    template: str
    context: PanelContext
    reads: PanelReads | None = None


@dataclass(frozen=True)
class Panel:
    """One panel of one overview, ready to render."""

    key: str
    template: str
    context: dict


_entries: dict[str, PanelEntry] = {}


def register_panel(
    key: str, *, order: int, template: str, context: PanelContext, reads: PanelReads | None = None
) -> None:
    """Show `template` on every project overview, in `order`. Registering a key again replaces it."""
    _entries[key] = PanelEntry(key=key, order=order, template=template, context=context, reads=reads)


def read_panels_together(page: dict[str, Any]) -> None:
    """Every panel's declared reads in one round trip, each one's rows kept in `page` by its key."""
    pending = {
        key: read
        for entry in _entries.values()
        if entry.reads is not None
        for key, read in entry.reads(page).items()
        if key not in page
    }
    page.update(zip(pending, read_together(pending.values()), strict=True))


def panel_rows(page: dict[str, Any], reads: PanelReads, key: str) -> list:
    """The rows of the read `reads(page)[key]`: made with the other panels' reads when the page
    is an overview, else now (and kept for the rest of the page)."""

    def read_now() -> list:
        read, values = reads(page)[key]
        return read(**values)

    return read_once(page, key, read_now)


def overview_panels(page: dict[str, Any]) -> list[Panel]:
    """The panels shown on the overview whose page context is `page`, in order."""
    panels = []
    for entry in sorted(_entries.values(), key=lambda e: (e.order, e.key)):
        context = entry.context(page)
        if context is not None:
            panels.append(Panel(key=entry.key, template=entry.template, context=context))
    return panels


def read_once(page: dict[str, Any], key: str, read: Callable[[], T]) -> T:
    """What `read()` returns, read the first time a part of the page asks for `key` and kept in the
    page's context for the others (a header badge and a panel showing the same rows)."""
    if key not in page:
        page[key] = read()
    return page[key]


def page_now(page: dict[str, Any]):
    """The moment the page shows things as of: one for all its parts."""
    return read_once(page, "now", timezone.now)


def page_dates(page: dict[str, Any]) -> ListDates:
    """Quick "j M Y" dates in the viewer's language and time zone, for every panel of the page."""
    return read_once(page, "list_dates", ListDates)


def object_urls(name: str, project_id: int, id_name: str) -> Callable[[int], str]:
    """pk -> the URL named `name` of that object of the project (`id_name` its URL argument),
    each name reversed once per process (`portal.core.list_formats.link`)."""
    return lambda pk: link(name, project_id=project_id, **{id_name: pk})


# ---------------------------------------------------------------------------
# The projects app's own panels (registered in ProjectsConfig.ready)
# ---------------------------------------------------------------------------


def project_reads(page: dict[str, Any]) -> Reads:
    """The reads of the projects app's own panels (one each), by key."""
    values = {"project_id": page["project"].pk}
    return {
        "latest_update_rows": (LATEST_UPDATE, values),
        "milestone_rows": (NEXT_MILESTONES, values),
        "decision_rows": (OPEN_DECISIONS, values),
    }


def _total(rows: list) -> int:
    """The window count every row of a panel's read carries: the size of the whole list."""
    return rows[0].total if rows else 0


def latest_update_panel(page: dict[str, Any]) -> dict:
    """The latest published update: RAG overall and per dimension, summary, who and when. The
    header's status names the same update (`latest_update` in the page)."""
    rows = panel_rows(page, project_reads, "latest_update_rows")
    update = page["latest_update"] = rows[0] if rows else None
    context = {"update": update, "may_post": permissions.can_author_updates(page["access"])}
    if update is not None:
        dates = page_dates(page)
        context.update(
            url=link("projects:update", project_id=update.project_id, statusupdate_id=update.pk),
            rag_cells=overview_rows.rag_cells(update),
            summary=overview_rows.update_summary(update),
            period_start=dates.day_month(update.period_start),
            period_end=dates.day(update.period_end),
            published_at=dates.day_time(update.published_at) if update.published_at else "",
        )
    return context


def next_milestones_panel(page: dict[str, Any]) -> dict:
    """The next milestones still to meet, planned against forecast, with their slip."""
    milestones = panel_rows(page, project_reads, "milestone_rows")
    url = object_urls("projects:milestone", page["project"].pk, "milestone_id")
    for milestone in milestones:
        milestone.url = url(milestone.pk)
    total = _total(milestones)
    today = timezone.localdate()
    return {
        "milestones": milestones,
        "items": overview_rows.milestone_items(milestones, today=today, dates=page_dates(page)),
        "total": total,
        "more": total - len(milestones),
        "today": today,
        "may_edit": permissions.can_edit_milestones(page["access"]),
    }


def open_decisions_panel(page: dict[str, Any]) -> dict:
    """Decisions the CDMO needs from the sponsor, soonest needed first."""
    project, access = page["project"], page["access"]
    decisions = panel_rows(page, project_reads, "decision_rows")
    url = object_urls("projects:decision", project.pk, "decisionrequest_id")
    update_url = object_urls("projects:update", project.pk, "statusupdate_id")
    for decision in decisions:
        decision.url, decision.update_url = url(decision.pk), update_url(decision.update_id)
    total = _total(decisions)
    today = timezone.localdate()
    return {
        "decisions": decisions,
        "items": overview_rows.decision_items(decisions, today=today, dates=page_dates(page)),
        "total": total,
        "more": total - len(decisions),
        "list_url": link("projects:decisions"),
        "today": today,
        "may_decide": permissions.can_resolve_decision(access),
        "may_post": permissions.can_author_updates(access),
    }

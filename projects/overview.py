"""The panels of a project's overview: a registry each app fills.

Projects registers its own panels (the latest update, the next milestones, the open decisions);
an app above it adds its panel from its `AppConfig.ready()`, so the overview never imports the
apps that sit on top of it:

    register_panel("meetings", order=40, template="meetings/_overview_panel.html", context=next_meeting_panel)

`context(page)` is called with the project page's context (`project`, `access`, `team`, …) and
returns the panel's own context, shown to its template as `panel`, or None to leave the panel
out for this viewer. It reads in a fixed number of queries, whatever the project holds, and a
panel with nothing to show says what to do next rather than disappearing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from . import permissions
from .selectors.overview import overview_latest_update, overview_next_milestones, overview_open_decisions

PanelContext = Callable[[dict[str, Any]], "dict | None"]


@dataclass(frozen=True)
class PanelEntry:
    key: str
    order: int
    template: str
    context: PanelContext


@dataclass(frozen=True)
class Panel:
    """One panel of one overview, ready to render."""

    key: str
    template: str
    context: dict


_entries: dict[str, PanelEntry] = {}


def register_panel(key: str, *, order: int, template: str, context: PanelContext) -> None:
    """Show `template` on every project overview, in `order`. Registering a key again replaces it."""
    _entries[key] = PanelEntry(key=key, order=order, template=template, context=context)


def overview_panels(page: dict[str, Any]) -> list[Panel]:
    """The panels shown on the overview whose page context is `page`, in order."""
    panels = []
    for entry in sorted(_entries.values(), key=lambda e: (e.order, e.key)):
        context = entry.context(page)
        if context is not None:
            panels.append(Panel(key=entry.key, template=entry.template, context=context))
    return panels


# ---------------------------------------------------------------------------
# The projects app's own panels (registered in ProjectsConfig.ready)
# ---------------------------------------------------------------------------


def latest_update_panel(page: dict[str, Any]) -> dict:
    """The latest published update: RAG overall and per dimension, summary, who and when."""
    access = page["access"]
    update = (
        page["latest_update"] if "latest_update" in page else overview_latest_update(project=page["project"])
    )
    return {
        "update": update,
        "may_post": permissions.can_author_updates(access),
    }


def next_milestones_panel(page: dict[str, Any]) -> dict:
    """The next milestones still to meet, planned against forecast, with their slip."""
    milestones, total = overview_next_milestones(project=page["project"])
    return {
        "milestones": milestones,
        "total": total,
        "more": total - len(milestones),
        "today": timezone.localdate(),
        "may_edit": permissions.can_edit_milestones(page["access"]),
    }


def open_decisions_panel(page: dict[str, Any]) -> dict:
    """Decisions the CDMO needs from the sponsor, soonest needed first."""
    access = page["access"]
    decisions, total = overview_open_decisions(project=page["project"])
    return {
        "decisions": decisions,
        "total": total,
        "more": total - len(decisions),
        "today": timezone.localdate(),
        "may_decide": permissions.can_resolve_decision(access),
        "may_post": permissions.can_author_updates(access),
    }

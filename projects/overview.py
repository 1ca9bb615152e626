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
from typing import Any, TypeVar

from django.urls import reverse
from django.utils import timezone

from . import permissions
from .selectors.overview import overview_latest_update, overview_next_milestones, overview_open_decisions

T = TypeVar("T")
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
_MARK = 918273645  # an object id no URL pattern can contain by chance


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


def read_once(page: dict[str, Any], key: str, read: Callable[[], T]) -> T:
    """What `read()` returns, read the first time a part of the page asks for `key` and kept in the
    page's context for the others (a header badge and a panel showing the same rows)."""
    if key not in page:
        page[key] = read()
    return page[key]


def object_urls(name: str, project_id: int, id_name: str) -> Callable[[int], str]:
    """pk -> the URL named `name` of that object of the project (`id_name` its URL argument),
    reversed once for a panel's list rather than once per row."""
    url = reverse(name, kwargs={"project_id": project_id, id_name: _MARK})
    return lambda pk: url.replace(str(_MARK), str(pk))


# ---------------------------------------------------------------------------
# The projects app's own panels (registered in ProjectsConfig.ready)
# ---------------------------------------------------------------------------


def latest_update_panel(page: dict[str, Any]) -> dict:
    """The latest published update: RAG overall and per dimension, summary, who and when."""
    access = page["access"]
    update = read_once(page, "latest_update", lambda: overview_latest_update(project=page["project"]))
    return {
        "update": update,
        "url": update.get_absolute_url() if update else "",
        "may_post": permissions.can_author_updates(access),
    }


def next_milestones_panel(page: dict[str, Any]) -> dict:
    """The next milestones still to meet, planned against forecast, with their slip."""
    project = page["project"]
    milestones, total = overview_next_milestones(project=project)
    url = object_urls("projects:milestone", project.pk, "milestone_id")
    for milestone in milestones:
        milestone.url = url(milestone.pk)
    return {
        "milestones": milestones,
        "total": total,
        "more": total - len(milestones),
        "today": timezone.localdate(),
        "may_edit": permissions.can_edit_milestones(page["access"]),
    }


def open_decisions_panel(page: dict[str, Any]) -> dict:
    """Decisions the CDMO needs from the sponsor, soonest needed first."""
    project, access = page["project"], page["access"]
    decisions, total = overview_open_decisions(project=project)
    url = object_urls("projects:decision", project.pk, "decisionrequest_id")
    update_url = object_urls("projects:update", project.pk, "statusupdate_id")
    for decision in decisions:
        decision.url, decision.update_url = url(decision.pk), update_url(decision.update_id)
    return {
        "decisions": decisions,
        "total": total,
        "more": total - len(decisions),
        "list_url": reverse("projects:decisions"),
        "today": timezone.localdate(),
        "may_decide": permissions.can_resolve_decision(access),
        "may_post": permissions.can_author_updates(access),
    }

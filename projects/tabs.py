"""The tabs of a project page, and the counts shown with them: a registry each app fills.

Projects registers its own tabs; an app above it adds its tab (or a count) from its
`AppConfig.ready()`, so the project page never imports the apps that sit on top of it:

    register_tab("meetings", "Meetings", "meetings:project_meetings", order=40)

`count`, if given, is called with the page's context (`project`, `access`, `team`) and returns the
number shown next to the tab's label. An entry with `badge=True` is not a tab: it shows in the
project's header as "<count> <label>s", linking to its page, while its count is not zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.core.list_formats import link

Count = Callable[[dict[str, Any]], int]


@dataclass(frozen=True)
class TabEntry:
    key: str
    label: str
    url_name: str
    order: int
    count: Count | None = None
    badge: bool = False


@dataclass(frozen=True)
class Tab:
    """One tab (or header badge) of one project page, ready to render."""

    key: str
    label: str
    url: str
    count: int | None = None


_entries: dict[str, TabEntry] = {}


def register_tab(
    key: str, label: str, url_name: str, order: int, count: Count | None = None, *, badge: bool = False
) -> None:
    """Add a tab (or, with `badge=True`, a header badge) to every project page. The URL named
    `url_name` takes the project's `project_id`."""
    _entries[key] = TabEntry(key=key, label=label, url_name=url_name, order=order, count=count, badge=badge)


def page_tabs(page: dict[str, Any]) -> tuple[list[Tab], list[Tab]]:
    """The tabs and the header badges of the project page whose context is `page`, in order."""
    project_id = page["project"].pk
    tabs: list[Tab] = []
    badges: list[Tab] = []
    for entry in sorted(_entries.values(), key=lambda e: (e.order, e.key)):
        tab = Tab(
            key=entry.key,
            label=entry.label,
            url=link(entry.url_name, project_id=project_id),
            count=entry.count(page) if entry.count is not None else None,
        )
        (badges if entry.badge else tabs).append(tab)
    return tabs, badges

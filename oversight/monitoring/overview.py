"""The project overview's "Open flags" panel and the header's "N open flags" badge (registered in
`MonitoringConfig.ready`).

One query per page for both, compiled once per process: the project's open flags, critical
first then the newest, with how many are open in all. Everyone who sees the project sees its
flags, as on its flags page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Value, When, Window
from django.utils.safestring import SafeString

from portal.core.compiled import CompiledRead
from portal.core.fragments import esc, html
from portal.core.list_formats import link
from projects.overview import Reads, panel_rows

from .models import Flag, FlagKind, Severity

KIND_LABELS = dict(FlagKind.choices)
SEVERITY_LABELS = dict(Severity.choices)

_TOP_FLAGS = 3
# The project's open flags, critical first then the newest, each row with how many are open.
_TOP_OPEN_FLAGS = CompiledRead(
    lambda project_id: (
        Flag.objects.filter(project_id=project_id, cleared_at__isnull=True)
        .only("pk", "project_id", "kind", "severity", "explanation")
        .annotate(
            severity_rank=Case(
                When(severity=Severity.CRITICAL, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            total=Window(Count("pk")),
        )
        .order_by("severity_rank", "-raised_at", "-pk")[:_TOP_FLAGS]
    ),
    project_id=int,
)


def reads(page: dict[str, Any]) -> Reads:
    return {"open_flags": (_TOP_OPEN_FLAGS, {"project_id": page["project"].pk})}


def _open_flags(page: dict[str, Any]) -> tuple[list[Flag], int]:
    rows = panel_rows(page, reads, "open_flags")
    return rows, (rows[0].total if rows else 0)


def open_flag_count(page: dict[str, Any]) -> int:
    """The header badge's count: the same read as the panel's, so a page makes it once."""
    return _open_flags(page)[1]


def flag_items(flags: list[Flag], flags_url: str) -> SafeString:
    """An `<li>` per flag: what kind, the explanation, how severe (critical in red); each links
    to the project's flags page."""
    rows = []
    for flag in flags:
        critical = flag.severity == Severity.CRITICAL
        rows.append(
            f'\n    <li class="overview-item {"is-red" if critical else "is-amber"}">\n'
            f'      <div class="overview-item-main"><a class="what" href="{esc(flags_url)}">'
            f"{esc(KIND_LABELS.get(flag.kind, flag.kind))}</a>"
            f'<div class="muted small">{esc(flag.explanation)}</div></div>\n'
            f'      <span class="badge {"badge-red" if critical else "badge-amber"}">'
            f"{esc(SEVERITY_LABELS.get(flag.severity, flag.severity))}</span>\n    </li>"
        )
    return html(rows)


def open_flags_panel(page: dict[str, Any]) -> dict:
    flags, total = _open_flags(page)
    return {
        "flags": flags,
        "items": flag_items(flags, link("monitoring:project_flags", project_id=page["project"].pk)),
        "total": total,
        "more": max(total - len(flags), 0),
    }

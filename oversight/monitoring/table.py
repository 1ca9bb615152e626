"""The dashboard page's table rows, ready to print: every link and label of a row is built here
once, so the template prints values instead of resolving a URL and a lookup per flag."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from projects.models import Project

from .selectors import FLAG_COLUMNS, FlagGroup

_MARK = 918273645  # a project id no URL pattern can contain by chance


def _url_maker(name: str):
    """pk -> the URL of `name` for that project: reversed once (this request's script prefix)."""
    template = reverse(name, args=[_MARK])
    return lambda pk: template.replace(str(_MARK), str(pk))


@dataclass(slots=True)
class Cell:
    label: str
    html: SafeString  # a link per kind of flag to the flags page, else a badge or a tick
    breached_note: bool  # flags, and service issues past their times under them


_NO_FLAGS = mark_safe('<span class="ok" aria-label="No flags">✓</span>')  # noqa: S308  (a constant)


def _cell_html(groups: list[FlagGroup], flags_url: str, breached: int) -> SafeString:
    """What the template printed, escaped as it escaped (`html.escape`, quotes included)."""
    if groups:
        url = escape(flags_url)
        links = (
            f'<a class="flag flag-{escape(g.severity)}" href="{url}" title="{escape(g.title)}">'
            f"{escape(g.label)}{f' ×{g.count}' if g.count > 1 else ''}</a>"
            for g in groups
        )
        return mark_safe("".join(links))  # noqa: S308  (every value escaped above)
    if breached:
        return mark_safe(f'<span class="badge badge-red">{int(breached)} breached</span>')  # noqa: S308
    return _NO_FLAGS


@dataclass(slots=True)
class Row:
    project: Project
    url: str
    counterparty: str
    updates_url: str
    flags_url: str
    milestones_url: str
    cells: list[Cell]
    score_class: str


def table_rows(projects: list[Project], flags: dict, *, user) -> list[Row]:
    """One `Row` per project (with the figures of `dashboard_rows`) and its `flags_by_kind_for`."""
    detail, updates = _url_maker("projects:detail"), _url_maker("projects:updates")
    flag_page, milestones = _url_maker("monitoring:project_flags"), _url_maker("projects:milestones")
    sponsor_side = user.organization.is_sponsor
    rows = []
    for project in projects:
        flags_url = flag_page(project.pk)
        cells = []
        for column in FLAG_COLUMNS:
            groups = flags[project.pk][column]
            breached = project.breached_issues if column == "service" else 0
            label = column[:1].upper() + column[1:]
            cells.append(Cell(label, _cell_html(groups, flags_url, breached), bool(breached and groups)))
        score = project.score
        rows.append(
            Row(
                project=project,
                url=detail(project.pk),
                counterparty=str(project.cdmo if sponsor_side else project.sponsor),
                updates_url=updates(project.pk),
                flags_url=flags_url,
                milestones_url=milestones(project.pk),
                cells=cells,
                score_class=" score-high" if score >= 10 else " score-mid" if score > 0 else "",
            )
        )
    return rows

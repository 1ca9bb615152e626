"""The dashboard page's table rows, printed in Python: every link and label of a row is built
here once, so the template prints one string per row instead of some thirty lookups, tags and
filters (at 30 rows, more than the rest of the page)."""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from oversight.scorecards.measures import BY_KEY
from portal.core.templatetags.portal_tags import ago
from projects.models import Project

from .selectors import FLAG_COLUMNS, FlagGroup

_MARK = 918273645  # a project id no URL pattern can contain by chance


def _url_maker(name: str):
    """pk -> the URL of `name` for that project: reversed once (this request's script prefix)."""
    template = reverse(name, args=[_MARK])
    return lambda pk: template.replace(str(_MARK), str(pk))


_NO_FLAGS = '<span class="ok" aria-label="No flags">✓</span>'


def _cell_html(groups: list[FlagGroup], flags_url: str, breached: int) -> str:
    """A link per kind of flag to the flags page, else a badge (service issues past their times)
    or a tick."""
    if groups:
        return "".join(
            f'<a class="flag flag-{escape(g.severity)}" href="{flags_url}" title="{escape(g.title)}">'
            f"{escape(g.label)}{f' ×{g.count}' if g.count > 1 else ''}</a>"
            for g in groups
        )
    if breached:
        return f'<span class="badge badge-red">{int(breached)} breached</span>'
    return _NO_FLAGS


def _row_html(project: Project, groups: dict, urls: dict[str, str], counterparty: str) -> str:
    """One `<tr>`, as the page's template printed it (its whitespace included)."""
    overall = project.overall
    last = project.last_update_published_at
    slip, score = project.worst_slip, project.score
    cells = []
    for column in FLAG_COLUMNS:
        breached = project.breached_issues if column == "service" else 0
        note = (
            f'<div class="small muted">{int(project.breached_issues)} breached</div>'
            if breached and groups[column]
            else ""
        )
        cells.append(
            f'\n        <td data-label="{column[:1].upper()}{column[1:]}">'
            f"{_cell_html(groups[column], urls['flags'], breached)}\n        {note}</td>\n        "
        )
    score_class = " score-high" if score >= 10 else " score-mid" if score > 0 else ""
    return "".join(
        (
            f'\n      <tr>\n        <td><a href="{urls["detail"]}"><span class="code">{escape(project.code)}</span> '
            f"{escape(project.name)}</a>\n"
            f'          <div class="muted small">{escape(counterparty)}</div></td>\n'
            '        <td data-label="Overall">',
            f'<span class="badge badge-{escape(overall)}"><span class="dot"></span> {escape(capfirst(overall))}</span>'
            if overall
            else '<span class="muted">No update yet</span>',
            '</td>\n        <td data-label="Last update" class="nowrap">',
            f'<a href="{urls["updates"]}">{escape(ago(last))}</a>'
            if last
            else '<span class="muted">Never</span>',
            "</td>\n        ",
            *cells,
            '\n        <td data-label="Worst slip" class="nowrap">',
            f'<a href="{urls["milestones"]}" class="{"text-red" if slip >= 14 else ""}">+{int(slip)} d</a>'
            if slip > 0
            else '<span class="muted">On plan</span>',
            f'</td>\n        <td data-label="Score"><span class="score{score_class}">{int(score)}</span>',
            _falling_html(project, urls["health"]),
            "</td>\n      </tr>\n    ",
        )
    )


def _falling_html(project: Project, health_url: str) -> str:
    """Under the score, the scorecard measures falling this quarter that add to it, linked to the
    project's Health tab; nothing when none is."""
    keys = getattr(project, "falling_keys", None) or []
    names = [BY_KEY[key].name for key in keys if key in BY_KEY]
    if not names:
        return ""
    return f'<a class="score-falling small" href="{health_url}">Falling: {escape(", ".join(names))}</a>'


def table_rows(projects: list[Project], flags: dict, *, user) -> list[SafeString]:
    """The table's rows, printed: one per project (with the figures of `dashboard_rows`) and
    its `flags_by_kind_for`. Every value is escaped here; the template prints them as they are."""
    makers = {
        "detail": _url_maker("projects:detail"),
        "updates": _url_maker("projects:updates"),
        "flags": _url_maker("monitoring:project_flags"),
        "milestones": _url_maker("projects:milestones"),
        "health": _url_maker("scorecards:project_health"),
    }
    sponsor_side = user.organization.is_sponsor
    return [
        mark_safe(  # noqa: S308  (every value escaped in _row_html)
            _row_html(
                project,
                flags[project.pk],
                {key: escape(make(project.pk)) for key, make in makers.items()},
                str(project.cdmo if sponsor_side else project.sponsor),
            )
        )
        for project in projects
    ]

"""The rows of the project overview's own panels, printed in Python (portal.core.fragments).

The overview is the page a project's people open most. Its panels' structure (headings, counts,
empty states) stays in their templates (templates/projects/_overview_*.html, detail.html); the
lists inside them, a row each, are printed here once per request: the next milestones, the open
decisions, the latest update's RAG cells and the points of contact. Every value that is not
our markup goes through `esc`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.template.defaultfilters import linebreaksbr, truncatewords
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from portal.accounts.models import User
from portal.core.fragments import esc, html
from portal.core.list_formats import ListDates

from .models import Milestone, MilestoneStatus, ProjectMember, Side, StatusUpdate, TeamRole
from .svg import slip_level
from .templatetags.project_updates import slip_label

SIDE_LABELS = dict(Side.choices)
ROLE_LABELS = dict(TeamRole.choices)
_PAST_DUE = ' <span class="badge badge-red">Past due</span>'


def milestone_items(milestones: Iterable[Milestone], *, today: dt.date, dates: ListDates) -> SafeString:
    """An `<li>` per milestone (with `url` set): planned against forecast, the slip, past due."""
    rows = []
    for milestone in milestones:
        slip = milestone.slip_days
        level = slip_level(slip, milestone.status)
        late = milestone.is_overdue(today)
        tone = " is-red" if late or level == "red" else " is-amber" if level == "amber" else ""
        badge = f"Slipping {slip_label(slip)}" if slip is not None and slip > 0 else slip_label(slip)
        rows.append(
            f'\n    <li class="overview-item{tone}">\n      <div class="overview-item-main">\n'
            f'        <a class="what" href="{esc(milestone.url)}">{esc(milestone.title)}</a>\n'
            f'        <div class="muted small">Planned {dates.day(milestone.baseline_date)} · forecast '
            f'<strong class="overview-date">{dates.day(milestone.forecast_date)}</strong>'
            f"{' · at risk' if milestone.status == MilestoneStatus.AT_RISK else ''}</div>\n      </div>\n"
            f'      <span class="badge badge-{esc(level)}">{esc(badge)}</span>'
            f"{_PAST_DUE if late else ''}\n    </li>"
        )
    return html(rows)


def _recommended(decision) -> str:
    label = getattr(decision, "recommended_label", None)
    return f'<div class="small">Recommended: {esc(label)}</div>' if label else ""


def decision_items(decisions: Iterable, *, today: dt.date, dates: ListDates) -> SafeString:
    """An `<li>` per open decision (with `url`, `update_url`, `update_title` and, when asked as a
    choice, `recommended_label`): the update that asked for it, the recommended option, and when
    it is needed (overdue in red)."""
    rows = []
    for decision in decisions:
        overdue = decision.needed_by < today
        rows.append(
            f'\n    <li class="overview-item {"is-red" if overdue else "is-amber"}">\n'
            f'      <div class="overview-item-main"><a class="what" href="{esc(decision.url)}">'
            f"{esc(decision.title)}</a>{_recommended(decision)}"
            f'<div class="muted small">Raised in <a href="{esc(decision.update_url)}">'
            f"{esc(Truncator(decision.update_title).chars(60))}</a></div></div>\n"
            f'      <span class="badge {"badge-red" if overdue else "badge-amber"}">'
            f"{'Overdue · was needed ' if overdue else 'Needed by '}{dates.day(decision.needed_by)}</span>\n"
            "    </li>"
        )
    return html(rows)


def rag_cells(update: StatusUpdate) -> SafeString:
    """The update's RAG cell per dimension (schedule, budget, quality, supply)."""
    return html(
        f'\n    <div class="rag-cell rag-{esc(value)}"><span class="label">{esc(label)}</span>'
        f'<span class="value"><span class="rag-dot rag-{esc(value)}" aria-hidden="true"></span>'
        f"{esc(display)}</span></div>"
        for label, value, display in update.dimension_rags()
    )


def update_summary(update: StatusUpdate) -> SafeString:
    """The summary's first 60 words, as `truncatewords:60|linebreaksbr` printed them."""
    return linebreaksbr(truncatewords(update.summary, 60), autoescape=True)


def person(user: User, detail: str = "") -> str:
    """What templates/includes/person.html prints: initials, name and a detail line."""
    small = f"<small>{esc(detail)}</small>" if detail else ""
    return (
        f'<span class="person"><span class="avatar" aria-hidden="true">{esc(user.initials)}</span>'
        f"<span>{esc(user.full_name)}{small}</span></span>"
    )


def contact_items(team: Iterable[ProjectMember]) -> SafeString:
    """An `<li>` per point of contact or decision-maker on the team: who, which side, which role."""
    rows = []
    for member in team:
        if not (member.is_point_of_contact or member.role == TeamRole.DECISION_MAKER):
            continue
        detail = f"{SIDE_LABELS.get(member.side, member.side)} · {ROLE_LABELS.get(member.role, member.role)}"
        badge = (
            ' <span class="badge badge-blue">Point of contact</span>' if member.is_point_of_contact else ""
        )
        rows.append(f"\n      <li>{person(member.user, detail)}{badge}</li>")
    return html(rows)

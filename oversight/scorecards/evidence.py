"""The evidence behind one figure: every record a measure counted for one project and quarter.

The Health tab shows stored figures; one click on a figure opens this list (issue 15: "a link to
the rows behind it"). It is computed now, by the same code the workers run (`measures.scope_of`
and the measure's `compute`, over a scope of one project and one quarter), so the list is the
figure: n rows, kept ones counted as kept. Each record names what it counted (`Record.ref`, a
kind and a primary key); the names and links are read one query per kind, whatever the number of
records, and only within the project and what the viewer may see.

What the sponsor may not see: the measures count nothing internal to the CDMO (responsiveness
counts the sponsor's own questions, never internal notes; the update measures count published
updates, never drafts or discarded drafts; meetings, action items, requests, milestones, service
issues and kudos are seen by both sides). The readers below still leave out internal notes and
unpublished updates for a viewer who may not see internal content: a record they would hide is
not listed, only counted (`Evidence.withheld`), so a future measure cannot leak through here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.text import Truncator

from issues.models import Recognition, ServiceIssue
from meetings.models import ActionItem, Meeting
from projects.models import (
    ChangeRequest,
    DecisionRequest,
    Milestone,
    StatusUpdate,
    UpdateComment,
    UpdateStatus,
)
from projects.selectors import ProjectAccess

from . import figures
from .measures import COUNT, SHARE, Figure, Measure, Tally, scope_of
from .measures.base import Record
from .quarters import Quarter
from .targets import Band, Targets, agreed_now, judge, project_targets


@dataclass(frozen=True)
class Item:
    """What a record counted, as the viewer may see it: its name and its page (None: none)."""

    label: str
    url: str | None


@dataclass(frozen=True)
class Line:
    record: Record
    item: Item  # a record without an object (a cadence period missed) has a label, no link
    verdict: str  # "on time", "late", "kept", "missed"…: words, never colour alone
    words: str  # the record's sample read in words ("slip 5 days")

    @property
    def on(self) -> dt.date | None:
        return self.record.on

    @property
    def kept(self) -> bool:
        return self.record.kept


@dataclass(frozen=True)
class Evidence:
    measure: Measure
    quarter: Quarter
    figure: Figure
    lines: list[Line]
    withheld: int  # records counted that the viewer may not see: counted, not listed
    targets: Targets | None = None  # a share measure's, as on the Health tab (`project_targets`)

    @property
    def band(self) -> Band | None:
        return judge(self.figure.percent, self.targets) if self.targets else None

    @property
    def caption(self) -> str:
        """ "The 3 milestones counted in Q3 2026"."""
        return f"The {self.figure.n} {self.measure.unit(self.figure.n)} counted in {self.quarter.label}"

    @property
    def empty(self) -> str:
        return f"Nothing counted in {self.quarter.label}: no {self.measure.units[1]} in the quarter under this definition."


def quarter_in_window(slug: str, now: dt.datetime | None = None) -> Quarter | None:
    """The quarter `slug` names ("2026-q3") if the Health tab shows it (this quarter and the four
    before), else None."""
    quarter = Quarter.from_slug(slug)
    return quarter if quarter in figures.window(now) else None


def evidence_for(*, access: ProjectAccess, measure: Measure, quarter: Quarter, now=None) -> Evidence:
    """The records `measure` counts for the access's project in `quarter`, computed now: the
    measure's one query (cadence: three), then one query per kind of record named; a share
    measure's targets, as the Health tab resolves them, two more (the agreement in force, the
    organizations' targets)."""
    project = access.project
    scope = scope_of([project], [quarter], now)
    counted = measure.compute(scope).get((project.pk, quarter), [])
    figure = Figure(measure, quarter, Tally.of(counted))
    wanted = defaultdict(set)
    for record in counted:
        if record.ref is not None:
            wanted[record.ref[0]].add(record.ref[1])
    items = {
        (kind, pk): item
        for kind, ids in wanted.items()
        for pk, item in READERS[kind](access, sorted(ids)).items()
    }
    lines, withheld = [], 0
    for record in sorted(counted, key=lambda r: (r.on or dt.date.min, r.ref or ("", 0))):
        if record.ref is None:
            item = Item(f"The {measure.units[0]} due {record.on:%-d %b %Y}", None)
        elif (item := items.get(record.ref)) is None:
            withheld += 1
            continue
        kept = record.kept or measure.kind == COUNT
        verdict = measure.verdicts[0] if kept else measure.verdicts[1]
        lines.append(Line(record, item, verdict, measure.explain(record)))
    targets = project_targets(project, agreed_now(project))[measure.key] if measure.kind == SHARE else None
    return Evidence(measure, quarter, figure, lines, withheld, targets)


# One reader per kind of record: {pk: Item} of the ids given, within the project, as the viewer
# may see them. One query each.


def _milestones(access, ids):
    rows = Milestone.objects.filter(project=access.project, pk__in=ids).values_list("pk", "title")
    return {pk: Item(title, _url("projects:milestone", access, milestone_id=pk)) for pk, title in rows}


def _updates(access, ids):
    rows = StatusUpdate.objects.filter(project=access.project, pk__in=ids)
    if not access.sees_internal:  # never counted by a measure; left out all the same
        rows = rows.exclude(status__in=[UpdateStatus.DRAFT, UpdateStatus.DISCARDED])
    return {
        pk: Item(title, _url("projects:update", access, statusupdate_id=pk))
        for pk, title in rows.values_list("pk", "title")
    }


def _questions(access, ids):
    rows = UpdateComment.objects.filter(update__project=access.project, pk__in=ids)
    if not access.sees_internal:  # a question is never internal (a constraint); left out all the same
        rows = rows.filter(is_internal=False)
    return {
        pk: Item(
            f"“{Truncator(body).chars(90)}” on {title}",
            _url("projects:update", access, statusupdate_id=update_id) + f"#comment-{pk}",
        )
        for pk, body, update_id, title in rows.values_list("pk", "body", "update_id", "update__title")
    }


def _meetings(access, ids):
    rows = Meeting.objects.filter(project=access.project, pk__in=ids).values_list("pk", "title")
    return {pk: Item(title, _url("meetings:meeting_detail", access, meeting_id=pk)) for pk, title in rows}


def _action_items(access, ids):
    rows = ActionItem.objects.filter(project=access.project, pk__in=ids).values_list(
        "pk", "title", "meeting_id"
    )
    return {
        pk: Item(title, _url("meetings:meeting_detail", access, meeting_id=meeting_id) + f"#action-{pk}")
        for pk, title, meeting_id in rows
    }


def _decisions(access, ids):
    rows = DecisionRequest.objects.filter(project=access.project, pk__in=ids).values_list("pk", "title")
    return {
        pk: Item(f"Decision request: {title}", _url("projects:decision", access, decisionrequest_id=pk))
        for pk, title in rows
    }


def _changes(access, ids):
    rows = ChangeRequest.objects.filter(project=access.project, pk__in=ids).values_list("pk", "title")
    return {
        pk: Item(f"Change request: {title}", _url("projects:change", access, changerequest_id=pk))
        for pk, title in rows
    }


def _service_issues(access, ids):
    rows = ServiceIssue.objects.filter(project=access.project, pk__in=ids).values_list("pk", "title")
    return {pk: Item(title, _url("issues:detail", access, serviceissue_id=pk)) for pk, title in rows}


def _recognitions(access, ids):
    rows = Recognition.objects.filter(project=access.project, pk__in=ids).values_list("pk", "target_label")
    return {
        pk: Item(f"Kudos for {label}", _url("issues:project_issues", access) + f"#recognition-{pk}")
        for pk, label in rows
    }


def _url(name: str, access: ProjectAccess, **kwargs) -> str:
    return reverse(name, kwargs={"project_id": access.project.pk, **kwargs})


READERS: dict[str, Callable[[ProjectAccess, list[int]], dict[int, Item]]] = {
    "milestone": _milestones,
    "update": _updates,
    "question": _questions,
    "meeting": _meetings,
    "action_item": _action_items,
    "decision": _decisions,
    "change": _changes,
    "service_issue": _service_issues,
    "recognition": _recognitions,
}

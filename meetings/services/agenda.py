"""The agenda: points added, edited, removed, reordered, and sent ahead of the meeting."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ServiceError
from projects.selectors import ProjectAccess

from ..models import AgendaItem, Meeting, MeetingStatus
from .common import (
    active_invitee_ids,
    is_future,
    queue_invitations,
    require_in_project,
    require_runner,
    require_status,
    team_of,
    transition,
)


def _check_presenter(meeting: Meeting, presenter: User | None) -> None:
    if presenter is not None and presenter.pk not in team_of(meeting):
        raise ServiceError(f"{presenter} is not on the project team.")


def agenda_item_add(
    *,
    access: ProjectAccess,
    meeting: Meeting,
    title: str,
    presenter: User | None = None,
    minutes_allotted=None,
) -> AgendaItem:
    require_in_project(access, meeting)
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="change the agenda")
    _check_presenter(meeting, presenter)
    with transaction.atomic(), audited("Agenda item added"):
        last = AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).aggregate(
            p=Max("position")
        )
        return AgendaItem.objects.create(
            meeting=meeting,
            position=(last["p"] or 0) + 1,
            title=title.strip(),
            presenter=presenter,
            minutes_allotted=minutes_allotted,
        )


def agenda_item_update(
    *,
    access: ProjectAccess,
    item: AgendaItem,
    title: str,
    presenter: User | None = None,
    minutes_allotted=None,
) -> AgendaItem:
    require_in_project(access, item.meeting)
    meeting = item.meeting
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="change the agenda")
    _check_presenter(meeting, presenter)
    with transaction.atomic(), audited("Agenda item edited"):
        item.title = title.strip()
        item.presenter = presenter
        item.minutes_allotted = minutes_allotted
        item.save(update_fields=["title", "presenter", "minutes_allotted"])
    return item


def agenda_item_remove(*, access: ProjectAccess, item: AgendaItem) -> None:
    require_in_project(access, item.meeting)
    meeting = item.meeting
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="change the agenda")
    with transaction.atomic(), audited("Agenda item removed"):
        AgendaItem.objects.filter(pk=item.pk).update(removed_at=clock.now())
        _renumber_agenda(meeting)


def agenda_item_move(*, access: ProjectAccess, item: AgendaItem, direction: str) -> None:
    """Move an item one place up or down the agenda."""
    require_in_project(access, item.meeting)
    meeting = item.meeting
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="change the agenda")
    if direction not in ("up", "down"):
        raise ServiceError("Move an agenda item up or down.")
    with transaction.atomic(), audited("Agenda reordered"):
        items = list(
            AgendaItem.objects.select_for_update()
            .filter(meeting=meeting, removed_at__isnull=True)
            .order_by("position", "pk")
        )
        index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
        if index is None:
            raise ServiceError("That agenda item was removed.")
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(items):
            items[index], items[target] = items[target], items[index]
        _renumber_agenda(meeting, items)


def _renumber_agenda(meeting: Meeting, items: list[AgendaItem] | None = None) -> None:
    if items is None:
        items = list(
            AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).order_by("position", "pk")
        )
    for position, agenda_item in enumerate(items, start=1):
        if agenda_item.position != position:
            AgendaItem.objects.filter(pk=agenda_item.pk).update(position=position)


def meeting_send_agenda(*, access: ProjectAccess, meeting: Meeting) -> Meeting:
    """Email the agenda to every invitee, with the calendar event updated to carry it."""
    require_in_project(access, meeting)
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="send the agenda")
    if not AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).exists():
        raise ServiceError("Add at least one agenda item before sending the agenda.")
    if not is_future(meeting):
        raise ServiceError("The meeting has started; an agenda is sent ahead of it.")
    with transaction.atomic(), audited("Agenda sent"):
        transition(
            meeting,
            expected=[MeetingStatus.SCHEDULED],
            agenda_sent_at=clock.now(),
            ical_sequence=F("ical_sequence") + 1,
        )
        queue_invitations(meeting, active_invitee_ids(meeting), reason="agenda")
    return meeting

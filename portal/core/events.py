"""Domain events: the moments of a project's life the customer's other systems hear about.

The domain apps (projects, meetings, issues, oversight.monitoring) call `emit()` at the moment
of the change, inside its transaction; the integration layer listens (`domain_event` in
portal/core/signals.py) and turns each event into signed webhook deliveries. The event names
are a public contract (customers subscribe to them and branch on them): never rename one.

An event carries ids, never content: a listener reads the record as it stands when it needs
it, through its own rules of who may see what. `audience` says who may hear of it at all:
`BOTH` parties of the project, or the `CDMO` only (CDMO-internal matters; none of today's
events is one, but a listener must honour it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import clock
from .signals import domain_event

BOTH = "both"
CDMO = "cdmo"

# name -> what a person choosing subscriptions reads.
EVENTS: dict[str, str] = {
    "update.published": "Status update published",
    "decision.requested": "Decision requested",
    "decision.decided": "Decision made",
    "flag.raised": "Red flag raised",
    "flag.cleared": "Red flag cleared",
    "issue.breached": "Service issue breached its response time",
    "issue.escalated": "Service issue escalated",
    "minutes.sent": "Minutes sent",
    "minutes.confirmed": "Minutes confirmed",
    "meeting.scheduled": "Meeting scheduled",
    "meeting.cancelled": "Meeting cancelled",
}


@dataclass(frozen=True)
class DomainEvent:
    """One thing that happened: its name, its project, its subject ("app_label.Model" and id)."""

    name: str
    project_id: int
    subject_label: str
    subject_id: int
    audience: str = BOTH
    occurred_at: dt.datetime = field(default_factory=clock.now)
    # One id per event, the same in every delivery of it: the receiver's key to drop a double.
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def __post_init__(self):
        if self.name not in EVENTS:
            raise ValueError(f"Unknown domain event {self.name!r}; add it to EVENTS.")
        if self.audience not in (BOTH, CDMO):
            raise ValueError(f"Unknown audience {self.audience!r}.")


def emit(name: str, *, project_id: int, subject, audience: str = BOTH) -> None:
    """One event about `subject` (a saved model instance) on project `project_id`."""
    emit_many([DomainEvent(name, project_id, subject._meta.label, subject.pk, audience)])


def emit_many(events: Iterable[DomainEvent]) -> None:
    """Many events at once (a sweep raising a hundred flags): listeners take them in one go."""
    events = list(events)
    if events:
        domain_event.send(sender=DomainEvent, events=events)

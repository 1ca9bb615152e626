"""One project's history as steps in time, replayed in order through the projects services."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from demo.common import replayed
from projects.models import Project, StatusUpdate
from projects.selectors import ProjectAccess, access_for


@dataclass
class Story:
    """One weekly update: its content, when it is published, and what the services made of it."""

    content: dict
    published_at: datetime.datetime
    draft: StatusUpdate | None = None
    published: StatusUpdate | None = None  # the record publishing made
    current: StatusUpdate | None = None  # its current revision (a correction replaces the record)


@dataclass
class Timeline:
    """The steps of one project's history; `replay()` runs them in time order, each at its moment."""

    project: Project
    _steps: list[tuple[datetime.datetime, int, Callable[[], object]]] = field(default_factory=list)
    _accesses: dict[int, ProjectAccess] = field(default_factory=dict)

    def at(self, when: datetime.datetime, step: Callable[[], object]) -> None:
        self._steps.append((when, len(self._steps), step))

    def access(self, user) -> ProjectAccess:
        """What `user` may do on the project, as the services expect it from a page."""
        if user.pk not in self._accesses:
            self._accesses[user.pk] = access_for(user=user, project=self.project)
        return self._accesses[user.pk]

    def replay(self) -> None:
        # A step that would lie after now (an acknowledgement of last Friday's update due
        # tomorrow) has not happened yet: it is left out, so nothing is stamped in the future.
        now = timezone.now()
        for when, _, step in sorted(self._steps, key=lambda s: s[:2]):
            if when > now:
                continue
            with replayed(when):
                step()

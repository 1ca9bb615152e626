"""What a notification is about, without a foreign key to the app it belongs to.

Notifications are part of the foundation; projects, meetings and issues sit above it. So a
notification points at its subject by type and id (`"projects.project"`, 12) and keeps the code
and name shown next to it, frozen when it was created. The app that owns the subject builds the
`Subject` (e.g. `projects.notifications.project_subject(project)`) and passes it to `notify()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


def type_of(obj: models.Model) -> str:
    """The subject type of a model instance: its app label and model name ("projects.project")."""
    return obj._meta.label_lower


@dataclass(frozen=True)
class Subject:
    type: str
    id: int
    code: str = ""
    name: str = ""

    @classmethod
    def of(cls, obj: models.Model, *, code: str, name: str) -> Subject:
        return cls(type=type_of(obj), id=obj.pk, code=code, name=name)

    def as_fields(self) -> dict:
        """The Notification fields that store this subject."""
        return {
            "subject_type": self.type,
            "subject_id": self.id,
            "subject_code": self.code,
            "subject_name": self.name,
        }


NO_SUBJECT = {"subject_type": "", "subject_id": None, "subject_code": "", "subject_name": ""}

"""What sponsors can recognize: a registry of target models, resolved lazily.

Labels are resolved when used, so a label whose model is not installed is simply
skipped: the kudos endpoint refuses it (404) and nothing else breaks. The object itself
is loaded through `projects.references`, i.e. the selector of the object's own page: a
target is found exactly when the viewer may open that page (a sponsor never reaches a
draft, a discarded draft or an internal note, whatever id they type).

Link to the endpoint from any page of a recognizable object:

    {% url 'issues:kudos' project_id=project.pk %}?target=projects.statusupdate:{{ update.pk }}

(`issues.recognition.kudos_url(obj)` builds the same link in Python.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.http import Http404
from django.urls import reverse

from portal.core.actions import Action
from projects.references import parse_reference, visible_object
from projects.selectors import ProjectAccess

from . import permissions
from .models import IssueStatus, ServiceIssue

# label -> what the sponsor is recognizing, in words
RECOGNITION_TARGETS: dict[str, str] = {
    "projects.statusupdate": "status update",
    "projects.updatecomment": "answer",
    "meetings.meeting": "meeting",
    "issues.serviceissue": "resolution of a service issue",
}

# Attributes that may name the person at the CDMO who did the work, in order.
CREDIT_ATTRIBUTES = ("owner", "author", "published_by", "answered_by", "organizer", "created_by")


class TargetNotFound(Exception):
    """The target label or id does not name a recognizable object on this project."""


@dataclass(frozen=True)
class Target:
    label: str
    obj: models.Model

    @property
    def kind(self) -> str:
        return RECOGNITION_TARGETS[self.label]

    @property
    def description(self) -> str:
        """ "Status update: <its title>"; an object whose own name already says what it is
        ("Answer by … on …") is not prefixed again ("Answer: Answer by …")."""
        text = str(self.obj)
        if not text.lower().startswith(self.kind.lower()):
            text = f"{self.kind}: {text}"
        return f"{text[:1].upper()}{text[1:]}"[:200]

    @property
    def url(self) -> str:
        """The target's page, or its parent's (an answer lives on its update's page)."""
        candidates = [self.obj]
        for model_field in self.obj._meta.concrete_fields:
            if isinstance(model_field, models.ForeignKey) and model_field.name != "parent":
                related = getattr(self.obj, model_field.name, None)
                if related is not None and hasattr(related, "project_id"):
                    candidates.append(related)
        for candidate in candidates:
            getter = getattr(candidate, "get_absolute_url", None)
            if getter is not None:
                return getter()
        return ""


def target_model(label: str) -> type[models.Model] | None:
    """The model for a registry label, or None if the label is unknown or its model not built yet."""
    if label not in RECOGNITION_TARGETS:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def available_labels() -> list[str]:
    return [label for label in RECOGNITION_TARGETS if target_model(label) is not None]


def project_id_of(obj: models.Model) -> int | None:
    """The project an object belongs to: its own `project_id`, or one foreign key away."""
    if hasattr(obj, "project_id"):
        return obj.project_id
    for model_field in obj._meta.concrete_fields:
        if isinstance(model_field, models.ForeignKey):
            related = getattr(obj, model_field.name, None)
            if related is not None and hasattr(related, "project_id"):
                return related.project_id
    return None


def resolve_target(raw: str, *, access: ProjectAccess) -> Target:
    """Parse "app_label.model:pk" and load the object through its own page's selector, so a
    target is found exactly when the viewer may open it on this project (projects.references).
    Of comments, only answers are recognized. Anything else is "not found"."""
    label, pk = parse_reference(raw)
    if target_model(label) is None:
        raise TargetNotFound(raw)
    try:
        obj = visible_object(access=access, label=label, pk=pk)
    except Http404 as exc:
        raise TargetNotFound(raw) from exc
    if label == "projects.updatecomment" and getattr(obj, "kind", "") != "answer":
        raise TargetNotFound(raw)
    return Target(label=label, obj=obj)


def target_ready_for_recognition(target: Target) -> str | None:
    """Why this target cannot be recognized yet, or None."""
    if isinstance(target.obj, ServiceIssue) and target.obj.status not in (
        IssueStatus.RESOLVED,
        IssueStatus.CLOSED,
    ):
        return "A service issue can be recognized once it is resolved."
    if target.label == "meetings.meeting" and (target.obj.is_scheduled or target.obj.is_cancelled):
        return "A meeting can be recognized once it has taken place."
    return None


def credited_person(target: Target, *, cdmo_id: int):
    """The CDMO person the target names as having done the work, if any."""
    obj = target.obj
    if isinstance(obj, ServiceIssue):
        plan = obj.plans.filter(status="accepted").select_related("owner").order_by("-proposed_at").first()
        return plan.owner if plan else None
    for attribute in CREDIT_ATTRIBUTES:
        person = getattr(obj, attribute, None)
        if person is not None and getattr(person, "organization_id", None) == cdmo_id:
            return person
    return None


# The project tab the kudos form sits under, per target: the tab of the page it was opened from.
TARGET_TAB = {
    "projects.statusupdate": "updates",
    "projects.updatecomment": "updates",
    "meetings.meeting": "meetings",
    "issues.serviceissue": "issues",
}

# What the "Recognize" button says to a screen reader after its label, per target.
ACTION_CONTEXT = {
    "projects.statusupdate": "this update",
    "projects.updatecomment": "this answer",
    "meetings.meeting": "this meeting",
    "issues.serviceissue": "this resolution",
}


def recognize_action(obj: models.Model, access: ProjectAccess) -> Action | None:
    """The "Recognize" button on a recognizable object's page (portal.core.actions): offered to
    the sponsor team, on answers only (not questions or comments), once the object is ready. The
    page already holds the object through its own selector on `access.project`; no query."""
    label = obj._meta.label_lower
    if not permissions.can_recognize(access) or label not in RECOGNITION_TARGETS:
        return None
    if label == "projects.updatecomment" and getattr(obj, "kind", "") != "answer":
        return None
    if target_ready_for_recognition(Target(label=label, obj=obj)):
        return None
    url = kudos_url(obj, project_id=access.project.pk)
    return Action(label="Recognize", url=url, context=ACTION_CONTEXT[label], icon="★")


def kudos_url(obj: models.Model, *, project_id: int | None = None) -> str:
    """The kudos endpoint for `obj` (which must have a project; pass `project_id` when the caller
    already knows it, so nothing is loaded to find it)."""
    label = obj._meta.label_lower
    project_id = project_id or project_id_of(obj)
    return reverse("issues:kudos", kwargs={"project_id": project_id}) + f"?target={label}:{obj.pk}"

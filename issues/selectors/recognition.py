"""Reads of recognition: per project, per person, per recognized object."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from projects.models import Project, ProjectMember
from projects.selectors import projects_visible_to

from ..models import Recognition, ServiceIssue


def _recognitions() -> QuerySet[Recognition]:
    return Recognition.objects.select_related("given_by", "given_by__organization", "recipient", "project")


def project_recognitions(*, project: Project, limit: int | None = None) -> list[Recognition]:
    recognitions = _recognitions().filter(project=project).order_by("-given_at", "-pk")
    return list(recognitions[:limit] if limit else recognitions)


def recognitions_received(*, user) -> QuerySet[Recognition]:
    """Recognition on the projects `user` can see, for the "Recognition received" page."""
    return _recognitions().filter(project__in=projects_visible_to(user=user)).order_by("-given_at", "-pk")


def recognitions_for_person(*, user, limit: int = 3) -> tuple[list[Recognition], int]:
    """Recognition a CDMO person earned: naming them, or thanking the whole team of a project
    they are on. Returns (the latest `limit`, how many in all)."""
    on_team = ProjectMember.objects.filter(user=user, removed_at__isnull=True).values("project_id")
    earned = recognitions_received(user=user).filter(
        Q(recipient=user) | Q(recipient__isnull=True, project_id__in=on_team)
    )
    return list(earned[:limit]), earned.count()


def profile_recognition_panel(user) -> dict | None:
    """The Recognition card on a CDMO person's profile (registered with portal.accounts.profile);
    None for everyone else."""
    organization = user.organization
    if organization is None or not organization.is_cdmo:
        return None
    recognitions, count = recognitions_for_person(user=user)
    return {"recognitions": recognitions, "recognition_count": count}


def recognitions_by_target(*, targets: list) -> dict[tuple[int, int], list[Recognition]]:
    """Recognition for several objects at once: {(content type id, pk): [...]}."""
    if not targets:
        return {}
    by_type: dict[int, list[int]] = {}
    for obj in targets:
        by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(obj.pk)
    condition = Q()
    for type_id, ids in by_type.items():
        condition |= Q(target_type_id=type_id, target_id__in=ids)
    result: dict[tuple[int, int], list[Recognition]] = {}
    for recognition in _recognitions().filter(condition):
        result.setdefault((recognition.target_type_id, recognition.target_id), []).append(recognition)
    return result


def issue_recognitions(*, issue: ServiceIssue) -> list[Recognition]:
    return recognitions_by_target(targets=[issue]).get((_content_type_id(ServiceIssue), issue.pk), [])


def _content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk

"""The project picker's reads: type-ahead search and the one selected project.

Pages that filter by project never list every visible project (an executive sees thousands):
they offer a type-ahead picker instead. Both reads go through `projects_visible_to`, so the
picker offers exactly what the project list shows (a proposal only to the side that made it).
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from ..models import Project
from .project import projects_visible_to

SEARCH_LIMIT = 15
TEXT_MAX = 100


def project_label(project: Project) -> str:
    """What the picker shows for a chosen project; typed text equal to it means "this project"."""
    return f"{project.code} · {project.name}"


def matching_text_q(text: str, prefix: str = "") -> Q:
    """Projects (or, with `prefix="project__"`, rows of projects) whose code or name contains `text`."""
    return Q(**{f"{prefix}code__icontains": text}) | Q(**{f"{prefix}name__icontains": text})


def project_search(*, user, text: str, limit: int = SEARCH_LIMIT) -> list[Project]:
    """At most `limit` visible projects matching `text`, in one query: an exact code first, then
    codes and names that start with it, then the rest, each by code."""
    text = text.strip()[:TEXT_MAX]
    projects: QuerySet[Project] = projects_visible_to(user=user).only("pk", "code", "name")
    if not text:
        return list(projects.order_by("code", "pk")[:limit])
    rank = Case(
        When(code__iexact=text, then=Value(0)),
        When(code__istartswith=text, then=Value(1)),
        When(name__istartswith=text, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return list(
        projects.filter(matching_text_q(text)).annotate(rank=rank).order_by("rank", "code", "pk")[:limit]
    )


def picked_project(*, user, project_id: int | None) -> Project | None:
    """The picker's chosen project if `user` may see it (one query), else None."""
    if not project_id:
        return None
    return projects_visible_to(user=user).only("pk", "code", "name").filter(pk=project_id).first()

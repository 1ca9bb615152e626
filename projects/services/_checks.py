"""How a service refuses: what a rule does not allow, and an object of another project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.core.exceptions import NotAllowed

if TYPE_CHECKING:
    from ..selectors import ProjectAccess


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def require_same_project(
    access: ProjectAccess, project_id: int, message: str = "That belongs to another project."
) -> None:
    """Refuse an object of another project than the one the caller was handed (a crafted id).

    The one ownership check of every domain service: projects, meetings and issues all ask it."""
    if project_id != access.project.pk:
        raise NotAllowed(message)

"""Organization API tokens (integration/api), made through the service as an admin would."""

from __future__ import annotations

import datetime as dt

from integration.api.models import ApiRequest
from integration.api.tokens import create_token
from portal.accounts.models import OrgRole
from portal.core import clock

from .organizations import UserFactory


def api_token(organization, *, name: str = "Warehouse load", days: int = 30, admin=None):
    """(token, secret) of a live token of `organization`."""
    admin = admin or UserFactory(organization=organization, org_role=OrgRole.ADMIN)
    now = clock.now()
    return create_token(actor=admin, name=name, expires_at=now + dt.timedelta(days=days), now=now)


def populate_project(project) -> None:
    """A token of the project's sponsor (its revoke page is an object route of the walk), with
    one request in its log."""
    token, _ = api_token(project.sponsor, name="Victim warehouse")
    ApiRequest.objects.create(
        token=token,
        organization=project.sponsor,
        method="GET",
        path="/api/v1/projects",
        query="limit=10",
        status_code=200,
    )

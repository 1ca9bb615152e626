"""View decorators about who is signed in."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def organization_member_required(view):
    """Signed in (else the login page) and a member of an organization (else 404).

    Portal staff have no organization: they belong in the admin, and the portal's pages answer
    them as they answer anyone who may not see a page.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.organization_id:
            raise Http404("No organization.")
        return view(request, *args, **kwargs)

    return wrapper


def organization_admin_required(view):
    """An admin of an organization (else 404, as for a page that is not there: the organization
    pages name no organization, so a member who is not an admin learns nothing from it). The
    API token, webhook and scorecard target pages share this answer."""

    @organization_member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_org_admin:
            raise Http404("Not an organization admin.")
        return view(request, *args, **kwargs)

    return wrapper

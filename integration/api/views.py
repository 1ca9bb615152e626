"""The organization admin's API token pages: make one (its secret shown on this one response,
never again), list them with their last use, revoke one (the record stays)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from portal.accounts.decorators import organization_member_required
from portal.core import clock
from portal.core.exceptions import ServiceError

from .forms import TokenForm
from .models import ApiToken
from .tokens import create_token, organization_tokens, revoke_token


def _admin(request):
    """An admin of an organization; anyone else gets 404 (the page names no organization)."""
    if not request.user.is_org_admin:
        raise Http404("Not an organization admin.")
    return request.user


@organization_member_required
def tokens_view(request):
    user = _admin(request)
    now = clock.now()
    form = TokenForm(request.POST or None, today=now.date())
    secret = created = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = create_token(
                actor=user, name=form.cleaned_data["name"], expires_at=form.expires_at, now=now
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm(today=now.date())
    context = {
        "organization": user.organization,
        "form": form,
        "tokens": organization_tokens(organization=user.organization),
        "created": created,
        "secret": secret,
        "now": now,
    }
    response = render(request, "api/tokens.html", context)
    add_never_cache_headers(response)  # the secret must not stay in any cache
    return response


@require_POST
@organization_member_required
def revoke_view(request, apitoken_id: int):
    user = _admin(request)
    token = get_object_or_404(ApiToken, pk=apitoken_id, organization_id=user.organization_id)
    try:
        revoke_token(actor=user, token=token, now=clock.now())
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api:tokens")

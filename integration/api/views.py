"""The organization admin's API token pages: make one (its secret shown on this one response,
never again), list them with their last use, revoke one (the record stays)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from portal.accounts.decorators import organization_admin_required
from portal.core import clock
from portal.core.exceptions import ServiceError

from .forms import TokenForm
from .models import ApiToken
from .tokens import create_token, organization_tokens, revoke_token


@organization_admin_required
def tokens_view(request):
    """An admin of an organization; anyone else gets 404 (the page names no organization)."""
    user = request.user
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
@organization_admin_required
def revoke_view(request, apitoken_id: int):
    user = request.user
    token = get_object_or_404(ApiToken, pk=apitoken_id, organization_id=user.organization_id)
    try:
        revoke_token(actor=user, token=token, now=clock.now())
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api:tokens")

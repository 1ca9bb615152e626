"""The organization admin's API token pages: make one (its secret shown once, on the page the
making redirects to, never again), list them with their last use, revoke one (the record stays).

Making is POST-redirect-GET: the POST makes the token, keeps its secret in the (server-side)
session under the token's id and redirects to `?made=<id>`; that GET takes the secret out and
shows it. Reloading it shows the list without the secret and makes nothing."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.accounts.decorators import organization_admin_required
from portal.core import clock, one_time
from portal.core.exceptions import ServiceError
from portal.core.timezones import zone_or_utc

from .forms import TokenForm, zone_label
from .models import ApiToken
from .tokens import create_token, organization_tokens, revoke_token

SECRET_KIND = "api-token"


def _made(request, tokens: list[ApiToken]) -> tuple[ApiToken | None, str | None]:
    """The token named by `?made=` (one of the organization's) and its secret if not yet shown."""
    made_id = request.GET.get("made", "")
    if not made_id.isdigit():
        return None, None
    made = next((token for token in tokens if token.pk == int(made_id)), None)
    if made is None:
        return None, None
    return made, one_time.take(request, SECRET_KIND, made.pk)


@organization_admin_required
@never_cache  # the secret must not stay in any cache
def tokens_view(request):
    """An admin of an organization; anyone else gets 404 (the page names no organization)."""
    user = request.user
    organization = user.organization
    zone = zone_or_utc(organization.time_zone)
    now = clock.now()
    form = TokenForm(request.POST or None, today=timezone.localdate(now, zone), zone=zone)
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = create_token(
                actor=user, name=form.cleaned_data["name"], expires_at=form.expires_at, now=now
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            one_time.keep(request, SECRET_KIND, created.pk, secret)
            return redirect(f"{reverse('api:tokens')}?made={created.pk}")
    tokens = organization_tokens(organization=organization)
    for token in tokens:
        token.last_day_shown = token.last_day(zone)
    created, secret = _made(request, tokens) if request.method == "GET" else (None, None)
    context = {
        "organization": organization,
        "zone": zone_label(zone),
        "form": form,
        "tokens": tokens,
        "created": created,
        "secret": secret,
        "now": now,
    }
    return render(request, "api/tokens.html", context)


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

from allauth.socialaccount.providers.saml import views as saml_views
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error

from . import events, fresh, services
from .adapter import GENERIC_FAILURE
from .forms import IdentityProviderForm
from .models import IdentityProvider, SignInEvent, SignInEventKind
from .saml import authn_instant
from .selectors import domains_of, identity_provider_for_slug

EVENTS_SHOWN = 50


def _initial(identity_provider: IdentityProvider | None) -> dict:
    if identity_provider is None:
        return {}
    return {
        "protocol": identity_provider.protocol,
        "name": identity_provider.name,
        "sso_url": identity_provider.sso_url,
        "certificate": identity_provider.certificate,
        "issuer_url": identity_provider.issuer_url,
        "client_id": identity_provider.client_id,
        "email_domains": "\n".join(domains_of(identity_provider)),
        "default_role": identity_provider.default_role,
        "enabled": identity_provider.enabled,
        "enforce": identity_provider.enforce,
        "break_glass_user": identity_provider.break_glass_user_id,
        "signing_method": identity_provider.signing_method,
    }


@organization_member_required
def settings_view(request):
    """The organization's identity provider and what happened at sign-in, for its admins only
    (everyone else: 404, like any page that is not theirs)."""
    if not request.user.is_org_admin:
        raise Http404("Not an admin.")
    organization = request.user.organization
    identity_provider = (
        IdentityProvider.objects.filter(organization=organization).prefetch_related("domains").first()
    )
    form = IdentityProviderForm(
        request.POST or None,
        initial=_initial(identity_provider),
        organization=organization,
        has_secret=bool(identity_provider and identity_provider.has_secret),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_provider_save(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Single sign-on settings saved.")
            return redirect("sso:settings")
    context = {
        "organization": organization,
        "identity_provider": identity_provider,
        "form": form,
        "callback_url": request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": organization.slug})
        ),
        "saml_metadata_url": request.build_absolute_uri(reverse("saml_metadata", args=[organization.slug])),
        "saml_acs_url": request.build_absolute_uri(reverse("saml_acs", args=[organization.slug])),
        "events": SignInEvent.objects.filter(organization=organization)[:EVENTS_SHOWN],
    }
    return render(request, "sso/settings.html", context)


def saml_finish_view(request, slug: str):
    """allauth's last SAML step, whose refusal of a response it did not ask for (a replayed or
    IdP-initiated one: no sign-in state matches it) is a bare 403: here it is the sign-in page's
    message and an entry for the organization's admins, like every other refusal."""
    if fresh.pending_for(request, slug) is not None:  # a fresh sign-in to sign: when was it?
        request.sso_authn_instant = authn_instant(request, slug)
    try:
        return saml_views.finish_acs(request, organization_slug=slug)
    except PermissionDenied:
        identity_provider = identity_provider_for_slug(slug)
        if identity_provider is None:
            raise Http404("No such organization.") from None
        back_to_signing = fresh.failed(
            request, identity_provider, "a SAML response no request of ours asked for"
        )
        if back_to_signing is not None:
            return back_to_signing.response
        events.record(
            organization=identity_provider.organization,
            kind=SignInEventKind.PROVIDER_ERROR,
            detail="A SAML response no sign-in of ours asked for (replayed, or sent unasked) was refused.",
        )
        raise_response = events.refuse(request, GENERIC_FAILURE)
        return raise_response.response

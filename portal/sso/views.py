from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error

from . import services
from .forms import IdentityProviderForm
from .models import IdentityProvider, SignInEvent
from .selectors import domains_of

EVENTS_SHOWN = 50


def _initial(identity_provider: IdentityProvider | None) -> dict:
    if identity_provider is None:
        return {}
    return {
        "name": identity_provider.name,
        "issuer_url": identity_provider.issuer_url,
        "client_id": identity_provider.client_id,
        "email_domains": "\n".join(domains_of(identity_provider)),
        "default_role": identity_provider.default_role,
        "enabled": identity_provider.enabled,
        "enforce": identity_provider.enforce,
        "break_glass_user": identity_provider.break_glass_user_id,
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
        "events": SignInEvent.objects.filter(organization=organization)[:EVENTS_SHOWN],
    }
    return render(request, "sso/settings.html", context)

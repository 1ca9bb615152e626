"""An organization admin's webhook pages. Only subscriptions of the viewer's own organization
are ever loaded: another organization's is a 404, and so is every page to a member who is not
an admin (`organization_admin_required`, as on the API token and scorecard target pages)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.accounts.decorators import organization_admin_required
from portal.core import clock, one_time
from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error, paginate

from . import services, signing
from .forms import SubscriptionEditForm, SubscriptionForm
from .history import subscription_changes
from .models import SubscriptionStatus, WebhookSubscription

DELIVERIES_PER_PAGE = 25


def _own(request, subscription_id: int) -> WebhookSubscription:
    return get_object_or_404(
        WebhookSubscription, pk=subscription_id, organization_id=request.user.organization_id
    )


SECRET_KIND = "webhook-secret"


def _to_secret_page(request, subscription: WebhookSubscription, secret: str, *, new: bool):
    """POST-redirect-GET: the secret waits in the (server-side) session under the subscription's
    id for the one GET of its page that shows it; a reload of that page repeats nothing."""
    one_time.keep(request, SECRET_KIND, subscription.pk, {"secret": secret, "new": new})
    return redirect("webhooks:secret", webhooksubscription_id=subscription.pk)


@organization_admin_required
@never_cache
def subscription_secret_view(request, webhooksubscription_id: int):
    """The secret, in clear, this once: not cached, taken out of the session as it is shown,
    never shown again. Later visits (a reload) say it was shown."""
    subscription = _own(request, webhooksubscription_id)
    kept = one_time.take(request, SECRET_KIND, subscription.pk) or {}
    context = {
        "subscription": subscription,
        "secret": kept.get("secret"),
        "new": kept.get("new", False),
        "signature_header": signing.HEADER,
    }
    return render(request, "webhooks/secret.html", context)


@organization_admin_required
def subscription_list_view(request):
    subscriptions = WebhookSubscription.objects.filter(organization_id=request.user.organization_id)
    return render(request, "webhooks/list.html", {"subscriptions": subscriptions})


@organization_admin_required
@never_cache
def subscription_create_view(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = services.subscription_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return _to_secret_page(request, subscription, secret, new=True)
    return render(request, "webhooks/form.html", {"form": form})


@organization_admin_required
def subscription_edit_view(request, webhooksubscription_id: int):
    """Endpoint, events, description; refused input comes back with its errors and as typed."""
    subscription = _own(request, webhooksubscription_id)
    if subscription.status == SubscriptionStatus.DEACTIVATED:
        messages.error(request, "A deactivated subscription is kept as it was; add a new endpoint instead.")
        return redirect(subscription.get_absolute_url())
    initial = {key: getattr(subscription, key) for key in ("url", "description", "events", "version")}
    form = SubscriptionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.subscription_edit(
                actor=request.user, subscription=subscription, **form.cleaned_data
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, "Saved: the next deliveries go out as changed." if changed else "Nothing changed."
            )
            return redirect(subscription.get_absolute_url())
    return render(request, "webhooks/form.html", {"form": form, "subscription": subscription})


@organization_admin_required
def subscription_detail_view(request, webhooksubscription_id: int):
    subscription = _own(request, webhooksubscription_id)
    page = paginate(request, subscription.deliveries.order_by("-created_at", "-pk"), DELIVERIES_PER_PAGE)
    context = {
        "subscription": subscription,
        "page": page,
        "changes": subscription_changes(subscription),
        "previous_signs": subscription.previous_secret_signs_at(clock.now()),
    }
    return render(request, "webhooks/detail.html", context)


def _action(service, done: str):
    @organization_admin_required
    @require_POST
    def view(request, webhooksubscription_id: int):
        subscription = _own(request, webhooksubscription_id)
        try:
            service(actor=request.user, subscription=subscription)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return redirect(subscription.get_absolute_url())

    view.__module__ = __name__
    return view


subscription_pause_view = _action(services.subscription_pause, "Paused: nothing is sent until you resume it.")
subscription_resume_view = _action(services.subscription_resume, "Resumed: new events are sent again.")
subscription_deactivate_view = _action(
    services.subscription_deactivate, "Deactivated. It and its delivery log are kept."
)
subscription_test_view = _action(services.send_test_event, "Test event queued; it shows in the log below.")
subscription_end_overlap_view = _action(
    services.subscription_end_overlap,
    "Stopped: deliveries are now signed with the new secret only.",
)


@organization_admin_required
@require_POST
def subscription_rotate_view(request, webhooksubscription_id: int):
    subscription = _own(request, webhooksubscription_id)
    try:
        secret = services.subscription_rotate_secret(actor=request.user, subscription=subscription)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(subscription.get_absolute_url())
    return _to_secret_page(request, subscription, secret, new=False)

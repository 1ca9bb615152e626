"""The bell, the list, mark as read, and email preferences. Thin: selectors and services do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from portal.core.views_helpers import paginate, querystring_without_page, safe_next_url

from . import services
from .forms import PreferencesForm
from .models import EmailMode
from .selectors import notifications_for, preference_for

MODE_HELP = {
    EmailMode.IMMEDIATE: "An email for each notification, usually within a minute.",
    EmailMode.DAILY_DIGEST: "One email a day, at the hour you choose below, listing everything since the last one.",
    EmailMode.NONE: "Nothing by email. Notifications wait for you under the bell.",
}


@login_required
def notification_list_view(request):
    unread_only = request.GET.get("show") == "unread"
    page = paginate(request, notifications_for(user=request.user, unread_only=unread_only))
    context = {"page": page, "unread_only": unread_only, "querystring": querystring_without_page(request)}
    return render(request, "notifications/list.html", context)


@login_required
@require_GET
def notification_open_view(request, notification_id: int):
    """Follow a notification to what it is about, marking it read. Only its recipient may."""
    notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:list")
    return redirect(target)


@login_required
@require_POST
def notification_mark_read_view(request, notification_id: int):
    notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
    if request.htmx:
        # The item, plus the bell and the page's unread summary swapped out of band.
        return render(request, "notifications/list.html#item", {"notification": notification, "oob": True})
    return redirect(safe_next_url(request, reverse("notifications:list")))


@login_required
@require_POST
def notification_mark_all_read_view(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect(safe_next_url(request, reverse("notifications:list")))


@require_GET
def bell_view(request):
    """The bell alone, for the top bar's periodic refresh. Signed out: nothing to swap."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notifications/_bell.html")


@login_required
def preferences_view(request):
    preference = preference_for(user=request.user)
    initial = {"email_mode": preference.email_mode, "digest_hour": preference.digest_hour}
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(
            user=request.user,
            email_mode=form.cleaned_data["email_mode"],
            digest_hour=form.cleaned_data["digest_hour"],
        )
        messages.success(request, "Your email preferences are saved.")
        return redirect("notifications:preferences")
    modes = [{"radio": radio, "help": MODE_HELP.get(radio.data["value"], "")} for radio in form["email_mode"]]
    return render(request, "notifications/preferences.html", {"form": form, "modes": modes})

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.core.audit import audited
from portal.core.views_helpers import safe_next

from .forms import ProfileForm
from .profile import profile_panels


@login_required
def profile_view(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with audited("Profile edited"):
            form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    context = {"form": form, "panels": profile_panels(request.user)}
    return render(request, "accounts/profile.html", context)


def admin_login_view(request):
    """/admin/login/: staff sign in through the allauth login like everyone else, so the
    same failed-login limits and the second factor apply (the admin's own form has neither)."""
    target = safe_next(request, reverse("admin:index"))
    if request.user.is_authenticated:
        if not request.user.is_staff:
            raise PermissionDenied("The administration is for portal staff.")
        return redirect(target)
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")

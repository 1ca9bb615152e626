from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from portal.core.audit import audited

from .forms import ProfileForm


@login_required
def profile_view(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with audited("Profile edited"):
            form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    context = {"form": form}
    organization = request.user.organization
    if organization is not None and organization.is_cdmo:
        from issues.selectors import recognitions_for_person

        context["recognitions"], context["recognition_count"] = recognitions_for_person(user=request.user)
    return render(request, "accounts/profile.html", context)

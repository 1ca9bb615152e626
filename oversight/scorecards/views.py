from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from portal.accounts.decorators import organization_admin_required
from portal.core import clock
from projects.page import project_page

from .forms import targets_forms
from .selectors import project_health
from .targets import measures_set_by, organization_targets, save_organization_targets


@login_required
def project_health_view(request, project_id: int):
    context = project_page(request, project_id, "health")
    context["health"] = project_health(project=context["project"])
    return render(request, "scorecards/health.html", context)


@organization_admin_required
def targets_view(request):
    """The signed-in admin's organization's scorecard targets: its admins see and change them;
    anyone else gets 404 (the page names no organization: nobody can ask for another's)."""
    user = request.user
    organization = user.organization
    measures = measures_set_by(organization)
    forms = targets_forms(measures, organization_targets(organization), request.POST or None)
    if request.method == "POST" and all([form.is_valid() for form in forms]):
        save_organization_targets(
            actor=user,
            organization=organization,
            values={form.measure.key: form.targets for form in forms},
            now=clock.now(),
        )
        messages.success(request, "Scorecard targets saved.")
        return redirect("scorecards:targets")
    counterpart = "CDMOs" if organization.is_sponsor else "sponsors"
    context = {
        "organization": organization,
        "forms": forms,
        "counterpart": counterpart,
        "refused": request.method == "POST",  # here after a POST: some form had errors
    }
    return render(request, "scorecards/targets.html", context)

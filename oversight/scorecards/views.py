from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.page import project_page

from .selectors import project_health


@login_required
def project_health_view(request, project_id: int):
    context = project_page(request, project_id, "health")
    context["health"] = project_health(project=context["project"])
    return render(request, "scorecards/health.html", context)

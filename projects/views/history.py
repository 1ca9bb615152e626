"""The project's history tab: the audit trail in plain language, with filters; and its export
for an inspection (projects/audit_export, docs/audit-export.md)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from portal.core.history import project_history_page
from portal.core.views_helpers import querystring_without_page
from portal.documents.services import request_document

from ..audit_export.build import STREAMED, kind, parameters
from ..audit_export.forms import AuditExportForm
from ..audit_export.stream import streamed_csv
from ..page import project_page
from ..permissions import can_export_audit_trail


@login_required
def project_history_view(request, project_id: int):
    context = project_page(request, project_id, "history")
    context["page"], context["form"] = project_history_page(
        request=request, project=context["project"], access=context["access"]
    )
    context["querystring"] = querystring_without_page(request)
    context["may_export"] = can_export_audit_trail(context["access"])
    return render(request, "projects/history.html", context)


@login_required
def audit_export_view(request, project_id: int):
    """GET: the range and format; POST: the CSV streamed at once, or (PDF, JSON) ask a worker for
    the export and go to its page. Anyone but the project's admins, executives and leads: 404, as
    for an outsider."""
    context = project_page(request, project_id, "history")
    if not can_export_audit_trail(context["access"]):
        raise Http404("No such page.")
    project = context["project"]
    form = AuditExportForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["format"] in STREAMED:
            return streamed_csv(
                project=project,
                user=request.user,
                sees_internal=context["access"].sees_internal,
                start=data["start"],
                end=data["end"],
            )
        document = request_document(
            user=request.user,
            kind=kind(data["format"]),
            parameters=parameters(project=project, start=data["start"], end=data["end"]),
        )
        return redirect(document)
    context["export_form"] = form
    return render(request, "projects/audit_export.html", context)

"""URLs of the service-issue log.

Included at the site root: project pages live under
`projects/<project_id>/service-issues/` (the project's "Service issues" tab),
cross-project pages under `service-issues/`. The kudos endpoint is
`projects/<project_id>/kudos/new/?target=<app_label.model>:<pk>`.
"""

from django.urls import path

from . import views
from .workflow import Action

app_name = "issues"

ISSUE = "projects/<int:project_id>/service-issues/<int:serviceissue_id>/"


def _step(segment: str, action: str, name: str):
    return path(f"{ISSUE}{segment}/", views.issue_action_view, {"action": action}, name=name)


urlpatterns = [
    path("service-issues/", views.issue_list_view, name="list"),
    path("service-issues/recognition/", views.recognition_received_view, name="recognition"),
    path("projects/<int:project_id>/service-issues/", views.project_issues_view, name="project_issues"),
    path("projects/<int:project_id>/service-issues/new/", views.issue_raise_view, name="raise"),
    path(
        "projects/<int:project_id>/service-issues/response-times/", views.agreements_view, name="agreements"
    ),
    path("projects/<int:project_id>/kudos/new/", views.kudos_view, name="kudos"),
    path(ISSUE, views.issue_detail_view, name="detail"),
    _step("acknowledge", Action.ACKNOWLEDGE, "acknowledge"),
    _step("plan", Action.PROPOSE_PLAN, "propose_plan"),
    path(
        f"{ISSUE}plans/<int:resolutionplan_id>/accept/",
        views.issue_action_view,
        {"action": Action.ACCEPT_PLAN},
        name="accept_plan",
    ),
    path(
        f"{ISSUE}plans/<int:resolutionplan_id>/send-back/",
        views.issue_action_view,
        {"action": Action.SEND_BACK_PLAN},
        name="send_back_plan",
    ),
    _step("resolve", Action.RESOLVE, "resolve"),
    _step("confirm", Action.CONFIRM_CLOSED, "confirm_closed"),
    _step("reopen", Action.REOPEN, "reopen"),
    _step("escalate", Action.ESCALATE, "escalate"),
    path(f"{ISSUE}notes/", views.issue_note_view, name="note"),
    path(f"{ISSUE}attachments/", views.issue_attachments_view, name="attach"),
    path(
        f"{ISSUE}attachments/<int:serviceissueattachment_id>/",
        views.attachment_download_view,
        name="attachment",
    ),
]

from django.urls import path

from . import views, views_milestones, views_updates

app_name = "projects"

urlpatterns = [
    path("", views.project_list_view, name="list"),
    path("new/", views.project_create_view, name="create"),
    path("<int:project_id>/", views.project_detail_view, name="detail"),
    path("<int:project_id>/edit/", views.project_edit_view, name="edit"),
    path("<int:project_id>/team/", views.project_team_view, name="team"),
    path("<int:project_id>/team/<int:projectmember_id>/", views.team_member_edit_view, name="member_edit"),
    path(
        "<int:project_id>/team/<int:projectmember_id>/remove/",
        views.team_member_remove_view,
        name="member_remove",
    ),
    path("<int:project_id>/history/", views.project_history_view, name="history"),
    # Milestones and status updates (issue 3)
    path("decisions/", views_updates.decisions_view, name="decisions"),
    path("<int:project_id>/milestones/", views_milestones.milestones_view, name="milestones"),
    path("<int:project_id>/milestones/new/", views_milestones.milestone_create_view, name="milestone_create"),
    path(
        "<int:project_id>/milestones/<int:milestone_id>/",
        views_milestones.milestone_detail_view,
        name="milestone",
    ),
    path(
        "<int:project_id>/milestones/<int:milestone_id>/row/",
        views_milestones.milestone_row_view,
        name="milestone_row",
    ),
    path(
        "<int:project_id>/milestones/<int:milestone_id>/row/edit/",
        views_milestones.milestone_row_edit_view,
        name="milestone_row_edit",
    ),
    path("<int:project_id>/updates/", views_updates.updates_view, name="updates"),
    path("<int:project_id>/updates/new/", views_updates.update_start_view, name="update_start"),
    path("<int:project_id>/updates/<int:statusupdate_id>/", views_updates.update_detail_view, name="update"),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/edit/",
        views_updates.update_edit_view,
        name="update_edit",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/autosave/",
        views_updates.update_autosave_view,
        name="update_autosave",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/correct/",
        views_updates.update_correct_view,
        name="update_correct",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/discard/",
        views_updates.update_discard_view,
        name="update_discard",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/acknowledge/",
        views_updates.update_acknowledge_view,
        name="update_acknowledge",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/comments/",
        views_updates.comment_post_view,
        name="update_comment",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/questions/<int:updatecomment_id>/answer/",
        views_updates.question_answer_view,
        name="question_answer",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/attachments/",
        views_updates.attachment_upload_view,
        name="attachment_upload",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/attachments/<int:updateattachment_id>/",
        views_updates.attachment_download_view,
        name="attachment",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/attachments/<int:updateattachment_id>/remove/",
        views_updates.attachment_remove_view,
        name="attachment_remove",
    ),
    path(
        "<int:project_id>/decisions/<int:decisionrequest_id>/",
        views_updates.decision_view,
        name="decision",
    ),
]

from django.urls import path

from .views import (
    agreements,
    attachments,
    change_log,
    changes,
    decisions,
    discussion,
    history,
    milestones,
    project,
    proposals,
    search,
    team,
    updates,
)

app_name = "projects"

urlpatterns = [
    path("", project.project_list_view, name="list"),
    path("new/", project.project_create_view, name="create"),
    path("search/", search.project_search_view, name="search"),
    path("<int:project_id>/", project.project_detail_view, name="detail"),
    path("<int:project_id>/edit/", project.project_edit_view, name="edit"),
    path("<int:project_id>/team/", team.project_team_view, name="team"),
    path("<int:project_id>/team/<int:projectmember_id>/", team.team_member_edit_view, name="member_edit"),
    path(
        "<int:project_id>/team/<int:projectmember_id>/remove/",
        team.team_member_remove_view,
        name="member_remove",
    ),
    path("<int:project_id>/history/", history.project_history_view, name="history"),
    path("<int:project_id>/history/export/", history.audit_export_view, name="audit_export"),
    # Proposals (issue 12): what the other side sees before it accepts
    path("<int:project_id>/proposal/", proposals.proposal_view, name="proposal"),
    path("<int:project_id>/proposal/accept/", proposals.proposal_accept_view, name="proposal_accept"),
    path("<int:project_id>/proposal/decline/", proposals.proposal_decline_view, name="proposal_decline"),
    # Milestones and status updates (issue 3)
    path("decisions/", decisions.decisions_view, name="decisions"),
    # The change log across projects (issue 14)
    path("change-log/", change_log.change_log_view, name="change_log"),
    path("change-log/export.csv", change_log.change_log_csv_view, name="change_log_csv"),
    path("<int:project_id>/milestones/", milestones.milestones_view, name="milestones"),
    path("<int:project_id>/milestones/new/", milestones.milestone_create_view, name="milestone_create"),
    path(
        "<int:project_id>/milestones/<int:milestone_id>/",
        milestones.milestone_detail_view,
        name="milestone",
    ),
    path(
        "<int:project_id>/milestones/<int:milestone_id>/row/",
        milestones.milestone_row_view,
        name="milestone_row",
    ),
    path(
        "<int:project_id>/milestones/<int:milestone_id>/row/edit/",
        milestones.milestone_row_edit_view,
        name="milestone_row_edit",
    ),
    path("<int:project_id>/updates/", updates.updates_view, name="updates"),
    path("<int:project_id>/updates/new/", updates.update_start_view, name="update_start"),
    path("<int:project_id>/updates/<int:statusupdate_id>/", updates.update_detail_view, name="update"),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/edit/",
        updates.update_edit_view,
        name="update_edit",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/autosave/",
        updates.update_autosave_view,
        name="update_autosave",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/publish/",
        updates.update_publish_view,
        name="update_publish",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/correct/",
        updates.update_correct_view,
        name="update_correct",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/discard/",
        updates.update_discard_view,
        name="update_discard",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/acknowledge/",
        updates.update_acknowledge_view,
        name="update_acknowledge",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/comments/",
        discussion.comment_post_view,
        name="update_comment",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/questions/<int:updatecomment_id>/answer/",
        discussion.question_answer_view,
        name="question_answer",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/attachments/",
        attachments.attachment_upload_view,
        name="attachment_upload",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/attachments/<int:updateattachment_id>/",
        attachments.attachment_download_view,
        name="attachment",
    ),
    path(
        "<int:project_id>/updates/<int:statusupdate_id>/attachments/<int:updateattachment_id>/remove/",
        attachments.attachment_remove_view,
        name="attachment_remove",
    ),
    path(
        "<int:project_id>/decisions/<int:decisionrequest_id>/",
        decisions.decision_view,
        name="decision",
    ),
    # The working agreement (issue 14)
    path("<int:project_id>/agreement/", agreements.agreement_view, name="agreement"),
    path("<int:project_id>/agreement/draft/", agreements.agreement_draft_view, name="agreement_draft"),
    path("<int:project_id>/agreement/propose/", agreements.agreement_propose_view, name="agreement_propose"),
    path(
        "<int:project_id>/agreement/proposed/edit/",
        agreements.agreement_proposal_edit_view,
        name="agreement_proposal_edit",
    ),
    # Change control (issue 14)
    path("<int:project_id>/changes/", changes.changes_view, name="changes"),
    path("<int:project_id>/changes/new/", changes.change_create_view, name="change_create"),
    path("<int:project_id>/changes/<int:changerequest_id>/", changes.change_view, name="change"),
    path(
        "<int:project_id>/changes/<int:changerequest_id>/edit/", changes.change_edit_view, name="change_edit"
    ),
]

"""The projects app's rows in the project's history: how each reaches its project, and their words.

Registered from `ProjectsConfig.ready()` (`portal.core.history_scope`, `portal.core.history`).
"""

from __future__ import annotations

PROJECT_PATHS = {
    "projects.Project": "",
    "projects.ProjectMember": "project",
    "projects.Milestone": "project",
    "projects.MilestoneForecastChange": "milestone__project",
    "projects.MilestoneBaseline": "milestone__project",
    "projects.StatusUpdate": "project",
    "projects.UpdateAcknowledgement": "update__project",
    "projects.UpdateAttachment": "update__project",
    "projects.UpdateComment": "update__project",
    "projects.DecisionRequest": "project",
    "projects.DecisionOption": "decision__project",
    "projects.ChangeRequest": "project",
    "projects.ChangeOption": "change__project",
    "projects.MilestoneImpact": "option__change__project",
    "projects.WorkingAgreement": "project",
}

_COMMENT_POSTED = {"comment": "Comment posted", "question": "Question asked", "answer": "Answer posted"}


def comment_headline(data: dict, created: bool) -> str:
    if data.get("is_internal"):
        return "Internal note posted" if created else "Internal note changed"
    if created:
        return _COMMENT_POSTED.get(data.get("kind"), "Comment posted")
    return "Question answered" if data.get("answered_at") else "Comment changed"


def update_attachment_headline(data: dict, created: bool) -> str:
    if created:
        return "File attached to an update"
    return "File removed from an update" if data.get("removed_at") else "Update attachment changed"


_UPDATE_STATUS = {
    "published": "Status update published",
    "superseded": "Status update superseded by a correction",
}


def status_update_headline(data: dict, created: bool) -> str:
    if data.get("status") == "published" and (data.get("revision_number") or 1) > 1:
        return "Corrected status update published"
    return _UPDATE_STATUS.get(data.get("status"), "Status update changed")


KINDS = {
    "projects.StatusUpdate": ("Status updates", status_update_headline),
    "projects.UpdateAcknowledgement": (
        "Update acknowledgements",
        lambda data, created: "Update acknowledged",
    ),
    "projects.UpdateAttachment": ("Update attachments", update_attachment_headline),
    "projects.UpdateComment": ("Update comments and questions", comment_headline),
    "projects.MilestoneForecastChange": (
        "Milestone forecast moves",
        lambda data, created: "Milestone forecast moved",
    ),
    "projects.MilestoneBaseline": ("Milestone baselines", lambda data, created: "Milestone baseline set"),
    "projects.ChangeOption": (
        "Change request options",
        lambda data, created: (
            "Option added to a change request" if created else "Change request option changed"
        ),
    ),
    "projects.DecisionOption": (
        "Decision request options",
        lambda data, created: (
            "Option offered in a decision request" if created else "Decision option changed"
        ),
    ),
    "projects.MilestoneImpact": (
        "Milestone impacts of change options",
        lambda data, created: (
            f"Milestone impact estimated ({data.get('days', 0)} days)"
            if created
            else "Milestone impact changed"
        ),
    ),
}

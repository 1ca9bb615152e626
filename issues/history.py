"""The issues app's rows in the project's history: how each reaches its project, and their words.

Registered from `IssuesConfig.ready()` (`portal.core.history_scope`, `portal.core.history`).
"""

from __future__ import annotations

PROJECT_PATHS = {
    "issues.ServiceIssue": "project",
    "issues.IssueEvent": "project",
    "issues.ResolutionPlan": "issue__project",
    "issues.ServiceIssueAttachment": "issue__project",
    "issues.ResponseTimeAgreement": "project",
    "issues.Recognition": "project",
}

_PLAN_STATUS = {"accepted": "Resolution plan accepted", "sent_back": "Resolution plan sent back"}


def plan_headline(data: dict, created: bool) -> str:
    if created:
        return "Resolution plan proposed"
    return _PLAN_STATUS.get(data.get("status"), "Resolution plan changed")


def attachment_headline(data: dict, created: bool) -> str:
    return "File attached to a service issue" if created else "Service-issue attachment changed"

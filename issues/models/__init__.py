"""The service-issue log: concerns about the service, with clocks and a ladder.

A sponsor raises a `ServiceIssue`; the project's `ResponseTimeAgreement` for its
severity starts two clocks counted in the CDMO site's business time
(`acknowledge_by`, `plan_by`). The CDMO acknowledges and proposes a
`ResolutionPlan`; the sponsor accepts it or sends it back; the CDMO resolves;
the sponsor confirms (closed) or reopens. Every step writes one `IssueEvent` on
an append-only timeline. Sponsors can give `Recognition` for good service.

The UI says "service issue" so nobody confuses it with a project risk.
"""

from .agreements import DEFAULT_RESPONSE_HOURS, ResponseTimeAgreement
from .attachments import ServiceIssueAttachment, attachment_path
from .log import (
    AWAITING_PLAN,
    ESCALATION_PHRASES,
    Category,
    EscalationLevel,
    EventKind,
    IssueEvent,
    IssueStatus,
    ServiceIssue,
    Severity,
)
from .recognition import Recognition
from .responses import PlanStatus, ResolutionPlan

__all__ = [
    "AWAITING_PLAN",
    "DEFAULT_RESPONSE_HOURS",
    "ESCALATION_PHRASES",
    "Category",
    "EscalationLevel",
    "EventKind",
    "IssueEvent",
    "IssueStatus",
    "PlanStatus",
    "Recognition",
    "ResolutionPlan",
    "ResponseTimeAgreement",
    "ServiceIssue",
    "ServiceIssueAttachment",
    "Severity",
    "attachment_path",
]

"""Writes for the service-issue log, by sub-domain. One function per step of the workflow.

Every step:
- checks the person's role (`NotAllowed`) and, under a row lock, that the
  transition table allows it from the issue's *current* status (`ServiceError`),
  so two people clicking at once never both succeed;
- checks that every object it is handed belongs to the issue and project it was given;
- writes exactly one `IssueEvent` on the timeline;
- queues its email after the transaction commits (`notify=False` for imports
  and demo data, which also pass `now` to record when the step happened).
"""

from .agreements import agreement_set
from .attachments import issue_add_attachments
from .common import MAX_LEVEL, calendar_for
from .escalation import Breach, issue_escalate, issue_mark_breaches
from .log import issue_add_note, issue_raise
from .recognition import recognition_give
from .responses import (
    issue_accept_plan,
    issue_acknowledge,
    issue_confirm_closed,
    issue_propose_plan,
    issue_reopen,
    issue_resolve,
    issue_send_back_plan,
)

__all__ = [
    "MAX_LEVEL",
    "Breach",
    "agreement_set",
    "calendar_for",
    "issue_accept_plan",
    "issue_acknowledge",
    "issue_add_attachments",
    "issue_add_note",
    "issue_confirm_closed",
    "issue_escalate",
    "issue_mark_breaches",
    "issue_propose_plan",
    "issue_raise",
    "issue_reopen",
    "issue_resolve",
    "issue_send_back_plan",
    "recognition_give",
]

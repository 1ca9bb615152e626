"""Writes for meetings. One function per change; each checks who may make it,
writes in one transaction with a reason for the audit trail, and queues the
emails it causes after the commit.

Status changes are compare-and-set on the expected status (and on `version` for
edits of free text), so two people acting at once never both succeed.

One module per sub-domain (meetings, agenda, invitations, minutes, action_items), the same
split as the models and views; this package re-exports them so `from meetings import services`
and `services.meeting_schedule(...)` keep working (the refusals they raise included).
"""

from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError

from .action_items import action_item_complete, action_item_reopen
from .agenda import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_update,
    meeting_send_agenda,
)
from .invitations import (
    InviteeSpec,
    attendance_record,
    invitee_add,
    invitee_remove,
    invitee_rsvp,
    invitee_set_required,
)
from .meetings import (
    CALENDAR_FIELDS,
    MEETING_EDITABLE_FIELDS,
    DecisionMakerMissing,
    calendar_token_reset,
    is_governance_without_decision_maker,
    meeting_cancel,
    meeting_schedule,
    meeting_update,
)
from .minutes import (
    ActionItemRow,
    DecisionRow,
    meeting_close_minutes,
    meeting_confirm_minutes,
    meeting_request_correction,
    minutes_save,
)

__all__ = [
    "ConcurrentEditError",
    "NotAllowed",
    "ServiceError",
    "CALENDAR_FIELDS",
    "MEETING_EDITABLE_FIELDS",
    "ActionItemRow",
    "DecisionRow",
    "DecisionMakerMissing",
    "InviteeSpec",
    "action_item_complete",
    "action_item_reopen",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_remove",
    "agenda_item_update",
    "attendance_record",
    "calendar_token_reset",
    "invitee_add",
    "invitee_remove",
    "invitee_rsvp",
    "invitee_set_required",
    "is_governance_without_decision_maker",
    "meeting_cancel",
    "meeting_close_minutes",
    "meeting_confirm_minutes",
    "meeting_request_correction",
    "meeting_schedule",
    "meeting_send_agenda",
    "meeting_update",
    "minutes_save",
]

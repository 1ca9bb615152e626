"""Meeting pages. Thin: the project frame checks visibility, selectors read, services write.

Every object URL is nested under its project and looked up through
`project_page`/`get_project_for_user`, so people outside the project get 404.
Pages that only the meeting's organizing side may use answer 403 to the others.

One module per sub-domain, the same split as the models and services; `meetings/urls.py`
names the views through this package.
"""

from .action_items import action_item_toggle_view, my_action_items_view
from .agenda import (
    agenda_item_edit_view,
    agenda_item_move_view,
    agenda_item_remove_view,
    agenda_send_view,
    agenda_view,
)
from .calendar import calendar_feed_view, calendar_reset_view, calendar_view, meeting_ics_view
from .invitations import attendance_view, invitee_remove_view, invitee_required_view, invitees_view, rsvp_view
from .meetings import (
    meeting_cancel_view,
    meeting_detail_view,
    meeting_edit_view,
    meeting_schedule_view,
    my_meetings_view,
    project_meetings_view,
)
from .minutes import (
    minutes_close_view,
    minutes_confirm_view,
    minutes_correction_view,
    minutes_pdf_view,
    minutes_view,
)

__all__ = [
    "action_item_toggle_view",
    "agenda_item_edit_view",
    "agenda_item_move_view",
    "agenda_item_remove_view",
    "agenda_send_view",
    "agenda_view",
    "attendance_view",
    "calendar_feed_view",
    "calendar_reset_view",
    "calendar_view",
    "invitee_remove_view",
    "invitee_required_view",
    "invitees_view",
    "meeting_cancel_view",
    "meeting_detail_view",
    "meeting_edit_view",
    "meeting_ics_view",
    "meeting_schedule_view",
    "minutes_close_view",
    "minutes_confirm_view",
    "minutes_correction_view",
    "minutes_pdf_view",
    "minutes_view",
    "my_action_items_view",
    "my_meetings_view",
    "project_meetings_view",
    "rsvp_view",
]

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from portal.core.history import register_history_kind
        from portal.core.history_scope import register_project_path
        from portal.core.permissions import register_rules
        from portal.signatures.models import Meaning
        from portal.signatures.registry import register_signed_action
        from projects.audit_export.records import register_signed_records
        from projects.overview import register_panel
        from projects.references import register_reference
        from projects.tabs import register_tab

        from . import history, overview, permissions, selectors, signing

        # Templates ask the same rules as the services: {% can "meetings.prepare" access meeting %}.
        register_rules("meetings", permissions)
        # The history's words for meetings: an edit to a meeting whose minutes are being written
        # is an edit of the minutes.
        register_history_kind(
            "meetings.Meeting",
            "Meetings and minutes",
            lambda data, created: (
                "Meeting scheduled"
                if created
                else ("Minutes edited" if data.get("status") == "minutes_draft" else "Meeting changed")
            ),
        )
        register_history_kind("meetings.ActionItem", "Action items")
        register_history_kind("meetings.Decision", "Meeting decisions", history.decision_headline)
        register_history_kind("meetings.AgendaItem", "Agenda items", history.agenda_item_headline)
        register_history_kind("meetings.Invitee", "Meeting invitees", history.invitee_headline)
        # Every row of a meeting is the project's record (its history and audit export).
        for label, path in history.PROJECT_PATHS.items():
            register_project_path(label, path)

        register_signed_action(
            "meetings.minutes_confirm",
            label="Confirm the minutes",
            meanings=[Meaning.CONFIRMED],
            content=signing.minutes_signed_content,
        )
        register_signed_records("meetings.Meeting", lambda project: project.meetings.all())
        register_tab("meetings", "Meetings", "meetings:project_meetings", order=40)
        register_panel(
            "next_meeting",
            order=40,
            template="meetings/_overview_panel.html",
            context=overview.next_meeting_panel,
            reads=overview.reads,
        )
        # References resolve through the selectors the objects' own pages use.
        register_reference(
            "meetings.meeting", lambda *, access, pk: selectors.get_meeting(access=access, meeting_id=pk)
        )
        register_reference(
            "meetings.actionitem",
            lambda *, access, pk: selectors.action_item_for(access=access, actionitem_id=pk),
        )

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from projects.references import register_reference
        from projects.tabs import register_tab

        from . import selectors

        register_tab("meetings", "Meetings", "meetings:project_meetings", order=40)
        # References resolve through the selectors the objects' own pages use.
        register_reference(
            "meetings.meeting", lambda *, access, pk: selectors.get_meeting(access=access, meeting_id=pk)
        )
        register_reference(
            "meetings.actionitem",
            lambda *, access, pk: selectors.action_item_for(access=access, actionitem_id=pk),
        )

from django.urls import path

from . import views

app_name = "meetings"

P = "projects/<int:project_id>/meetings/"
M = P + "<int:meeting_id>/"

urlpatterns = [
    # Across projects: the person's own meetings, action items and calendar feed.
    path("meetings/", views.my_meetings_view, name="my_meetings"),
    path("meetings/action-items/", views.my_action_items_view, name="my_action_items"),
    path("meetings/calendar/", views.calendar_view, name="calendar"),
    path("meetings/calendar/reset/", views.calendar_reset_view, name="calendar_reset"),
    path("meetings/calendar/<str:token>.ics", views.calendar_feed_view, name="calendar_feed"),
    # One project's meetings (the project tab) and each meeting.
    path(P, views.project_meetings_view, name="project_meetings"),
    path(P + "new/", views.meeting_schedule_view, name="meeting_schedule"),
    path(M, views.meeting_detail_view, name="meeting_detail"),
    path(M + "edit/", views.meeting_edit_view, name="meeting_edit"),
    path(M + "cancel/", views.meeting_cancel_view, name="meeting_cancel"),
    path(M + "calendar.ics", views.meeting_ics_view, name="meeting_ics"),
    path(M + "agenda/", views.agenda_view, name="agenda"),
    path(M + "agenda/send/", views.agenda_send_view, name="agenda_send"),
    path(M + "agenda/<int:agendaitem_id>/", views.agenda_item_edit_view, name="agenda_item_edit"),
    path(M + "agenda/<int:agendaitem_id>/remove/", views.agenda_item_remove_view, name="agenda_item_remove"),
    path(M + "agenda/<int:agendaitem_id>/move/", views.agenda_item_move_view, name="agenda_item_move"),
    path(M + "invitees/", views.invitees_view, name="invitees"),
    path(M + "invitees/<int:invitee_id>/remove/", views.invitee_remove_view, name="invitee_remove"),
    path(M + "invitees/<int:invitee_id>/required/", views.invitee_required_view, name="invitee_required"),
    path(M + "reply/", views.rsvp_view, name="rsvp"),
    path(M + "attendance/", views.attendance_view, name="attendance"),
    path(M + "minutes/", views.minutes_view, name="minutes"),
    path(M + "minutes/close/", views.minutes_close_view, name="minutes_close"),
    path(M + "minutes/confirm/", views.minutes_confirm_view, name="minutes_confirm"),
    path(M + "minutes/correction/", views.minutes_correction_view, name="minutes_correction"),
    path(M + "minutes.pdf", views.minutes_pdf_view, name="minutes_pdf"),
    path(
        "projects/<int:project_id>/action-items/<int:actionitem_id>/done/",
        views.action_item_toggle_view,
        name="action_item_toggle",
    ),
]

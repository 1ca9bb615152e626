from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("read-all/", views.notification_mark_all_read_view, name="mark_all_read"),
    path("preferences/", views.preferences_view, name="preferences"),
    path("bell/", views.bell_view, name="bell"),
    path("<int:notification_id>/open/", views.notification_open_view, name="open"),
    path("<int:notification_id>/read/", views.notification_mark_read_view, name="mark_read"),
]

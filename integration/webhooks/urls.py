from django.urls import path

from . import views

app_name = "webhooks"

ONE = "organization/webhooks/<int:webhooksubscription_id>/"

urlpatterns = [
    path("organization/webhooks/", views.subscription_list_view, name="list"),
    path("organization/webhooks/new/", views.subscription_create_view, name="create"),
    path(ONE, views.subscription_detail_view, name="detail"),
    path(f"{ONE}edit/", views.subscription_edit_view, name="edit"),
    path(f"{ONE}pause/", views.subscription_pause_view, name="pause"),
    path(f"{ONE}resume/", views.subscription_resume_view, name="resume"),
    path(f"{ONE}deactivate/", views.subscription_deactivate_view, name="deactivate"),
    path(f"{ONE}rotate-secret/", views.subscription_rotate_view, name="rotate"),
    path(f"{ONE}secret/", views.subscription_secret_view, name="secret"),
    path(f"{ONE}stop-previous-secret/", views.subscription_end_overlap_view, name="end_overlap"),
    path(f"{ONE}test/", views.subscription_test_view, name="test"),
]

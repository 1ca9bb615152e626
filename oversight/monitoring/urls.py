from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_csv_view, name="dashboard_csv"),
    path("dashboard/pdf/", views.dashboard_pdf_view, name="dashboard_pdf"),
    path("projects/<int:project_id>/flags/", views.project_flags_view, name="project_flags"),
]

from django.urls import path

from . import views

app_name = "scorecards"

urlpatterns = [
    path("projects/<int:project_id>/health/", views.project_health_view, name="project_health"),
    path("organization/scorecard-targets/", views.targets_view, name="targets"),
]

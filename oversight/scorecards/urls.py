from django.urls import path

from . import views, views_compare

app_name = "scorecards"

urlpatterns = [
    path("projects/<int:project_id>/health/", views.project_health_view, name="project_health"),
    path("scorecards/", views_compare.compare_view, name="compare"),
    path("scorecards/project-managers/", views_compare.compare_managers_view, name="compare_managers"),
    path(
        "scorecards/relationships/<int:organization_id>/",
        views_compare.relationship_view,
        name="relationship",
    ),
]

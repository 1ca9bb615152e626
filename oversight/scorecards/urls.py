from django.urls import path

from . import review_views, views, views_compare, views_evidence

app_name = "scorecards"

urlpatterns = [
    path("projects/<int:project_id>/health/", views.project_health_view, name="project_health"),
    path(
        "projects/<int:project_id>/health/<slug:measure>/<slug:quarter>/",
        views_evidence.evidence_view,
        name="evidence",
    ),
    path("scorecards/", views_compare.compare_view, name="compare"),
    path("scorecards/project-managers/", views_compare.compare_managers_view, name="compare_managers"),
    path(
        "scorecards/relationships/<int:organization_id>/",
        views_compare.relationship_view,
        name="relationship",
    ),
    path(
        "scorecards/project-managers/<int:user_id>/",
        views_compare.manager_view,
        name="manager",
    ),
    path("business-reviews/", review_views.reviews_view, name="reviews"),
    path("business-reviews/<int:businessreview_id>/", review_views.review_view, name="review"),
    path("business-reviews/<int:businessreview_id>/pdf/", review_views.review_pdf_view, name="review_pdf"),
    path("organization/scorecard-targets/", views.targets_view, name="targets"),
]

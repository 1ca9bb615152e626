from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list_view, name="list"),
    path("new/", views.project_create_view, name="create"),
    path("<int:project_id>/", views.project_detail_view, name="detail"),
    path("<int:project_id>/edit/", views.project_edit_view, name="edit"),
    path("<int:project_id>/team/", views.project_team_view, name="team"),
    path("<int:project_id>/team/<int:projectmember_id>/", views.team_member_edit_view, name="member_edit"),
    path(
        "<int:project_id>/team/<int:projectmember_id>/remove/",
        views.team_member_remove_view,
        name="member_remove",
    ),
    path("<int:project_id>/history/", views.project_history_view, name="history"),
]

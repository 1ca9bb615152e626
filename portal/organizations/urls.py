from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("organization/", views.members_view, name="members"),
    path("organization/members/<int:user_id>/", views.member_edit_view, name="member_edit"),
    path(
        "organization/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("organization/two-factor/", views.mfa_requirement_view, name="mfa_requirement"),
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]

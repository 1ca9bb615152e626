from django.urls import path

from . import views

app_name = "signatures"

urlpatterns = [
    path("signatures/idp/<str:signing_token>/", views.idp_return_view, name="idp_return"),
]

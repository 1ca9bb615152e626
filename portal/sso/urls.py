from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("organization/single-sign-on/", views.settings_view, name="settings"),
]

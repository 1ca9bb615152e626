from django.urls import path

from . import views
from .api import api

app_name = "api"

urlpatterns = [
    path("api/v1/", api.urls),
    path("organization/api-tokens/", views.tokens_view, name="tokens"),
    path("organization/api-tokens/<int:apitoken_id>/revoke/", views.revoke_view, name="revoke_token"),
]

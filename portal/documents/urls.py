from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list_view, name="list"),
    path("<int:document_id>/", views.document_view, name="detail"),
    path("<int:document_id>/download/", views.document_download_view, name="download"),
    path("<int:document_id>/retry/", views.document_retry_view, name="retry"),
]

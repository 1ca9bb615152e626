"""A tiny site for tests/portal/test_uploads.py: one upload form and one download, both through
portal.core.uploads and the portal's full middleware stack (CSP included)."""

from django import forms
from django.core.files.storage import default_storage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import HttpResponse
from django.urls import path

from portal.core.uploads import download_response, validate_upload_size


class UploadForm(forms.Form):
    file = forms.FileField(validators=[validate_upload_size])


def upload_view(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return HttpResponse(" ".join(form.errors["file"]), status=400, content_type="text/plain")
    name = default_storage.save("uploads-test/stored", form.cleaned_data["file"])
    return HttpResponse(name, status=201, content_type="text/plain")


def download_view(request):
    stored = FieldFile(None, FileField(), request.GET.get("stored", ""))
    return download_response(stored, request.GET["as"], request.GET.get("type", ""))


urlpatterns = [
    path("upload", upload_view),
    path("download", download_view),
]

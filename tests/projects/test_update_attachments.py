"""Attachments of a status update: what is accepted, refused, downloaded and frozen."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.core.exceptions import ServiceError
from portal.core.uploads import ATTACHMENT_MAX_BYTES
from projects import services
from projects.models import (
    UpdateAttachment,
)

from .update_helpers import access, ready_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- Attachments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("report.pdf", PDF, "pdf"), ("gel.png", PNG, "png"), ("plan.docx", _docx(), "docx")],
)
def test_attachments_are_accepted_by_name_and_content(client, project, cdmo_pm, name, content, kind):
    draft = services.update_start(access=access(cdmo_pm, project))
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:attachment_upload", args=[project.pk, draft.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    attachment = UpdateAttachment.objects.get()
    assert (
        attachment.file_type == kind
        and attachment.original_name == name
        and attachment.size_bytes == len(content)
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("payload.exe", b"MZ\x90\x00", "not a file type we accept"),
        ("fake.pdf", b"<html><script>alert(1)</script>", "does not look like a real PDF"),
        ("fake.docx", b"PK\x03\x04not really a zip", "does not look like a real Word document"),
        ("empty.pdf", b"", "“empty.pdf” is empty."),
    ],
)
def test_attachments_are_refused_when_name_or_content_is_wrong(
    client, project, cdmo_pm, name, content, message
):
    draft = services.update_start(access=access(cdmo_pm, project))
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:attachment_upload", args=[project.pk, draft.pk]),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert message in response.content.decode()
    assert not UpdateAttachment.objects.exists()


def test_attachments_over_the_size_limit_are_refused(project, cdmo_pm):
    draft = services.update_start(access=access(cdmo_pm, project))
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (ATTACHMENT_MAX_BYTES + 1 - len(PDF)))
    with pytest.raises(ServiceError, match="larger than 20 MB"):
        services.attachment_add(access=access(cdmo_pm, project), update=draft, upload=big)


def test_attachment_download_is_a_nosniff_attachment_for_people_who_see_the_update(
    client, project, cdmo_pm, sponsor_lead, outsider, sponsor_member_off_team
):
    draft = ready_draft(cdmo_pm, project)
    attachment = services.attachment_add(
        access=access(cdmo_pm, project), update=draft, upload=SimpleUploadedFile("CoA batch 7.pdf", PDF)
    )
    url = attachment.get_absolute_url()
    client.force_login(sponsor_lead)
    assert client.get(url).status_code == 404  # still a draft: the sponsor does not see it
    services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
    response = client.get(url)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "CoA batch 7.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    for stranger in (outsider, sponsor_member_off_team):
        client.force_login(stranger)
        assert client.get(url).status_code == 404


def test_attachments_of_a_published_update_are_frozen(project, cdmo_pm):
    from django.db import ProgrammingError, transaction

    draft = ready_draft(cdmo_pm, project)
    attachment = services.attachment_add(
        access=access(cdmo_pm, project), update=draft, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    update = services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
    with pytest.raises(ServiceError):
        services.attachment_remove(access=access(cdmo_pm, project), attachment=attachment)
    with pytest.raises(ServiceError):
        services.attachment_add(
            access=access(cdmo_pm, project), update=update, upload=SimpleUploadedFile("b.pdf", PDF)
        )
    with pytest.raises(ProgrammingError), transaction.atomic():
        UpdateAttachment.objects.filter(pk=attachment.pk).update(removed_at=timezone.now())
    with pytest.raises(ProgrammingError), transaction.atomic():
        UpdateAttachment.objects.create(
            update=update,
            file="x.pdf",
            original_name="x.pdf",
            size_bytes=1,
            file_type="pdf",
            uploaded_by=cdmo_pm,
        )


def test_an_empty_file_says_it_is_empty_and_no_file_asks_for_one(client, project, cdmo_pm):
    draft = services.update_start(access=access(cdmo_pm, project))
    client.force_login(cdmo_pm)
    url = reverse("projects:attachment_upload", args=[project.pk, draft.pk])
    body = client.post(url, {"file": SimpleUploadedFile("CoA.pdf", b"")}, follow=True).content.decode()
    assert "“CoA.pdf” is empty." in body and "Choose a file to attach." not in body
    body = client.post(url, {}, follow=True).content.decode()
    assert "Choose a file to attach." in body
    assert not UpdateAttachment.objects.exists()

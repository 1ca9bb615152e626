"""portal.core.uploads: the one size limit for uploads and the one way downloads are sent."""

from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.core import uploads
from portal.core.uploads import ATTACHMENT_MAX_BYTES, clean_filename, max_megabytes, size_problem

pytestmark = pytest.mark.urls("tests.portal.uploads_urls")

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_the_limit_is_whole_megabytes_and_applies_up_to_the_last_byte():
    assert max_megabytes() * 1024 * 1024 == ATTACHMENT_MAX_BYTES
    assert size_problem(SimpleUploadedFile("fits.pdf", b"0" * ATTACHMENT_MAX_BYTES)) is None
    problem = size_problem(SimpleUploadedFile("big.pdf", b"0" * (ATTACHMENT_MAX_BYTES + 1)))
    assert problem.startswith("“big.pdf” is larger than") and f"{max_megabytes()} MB" in problem
    assert size_problem(SimpleUploadedFile("empty.pdf", b"")) == "“empty.pdf” is empty."
    assert size_problem(SimpleNamespace(name=None, size=0)) == "The file is empty."


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("CoA batch 7.pdf", "CoA batch 7.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\report (final).docx", "report (final).docx"),
        ('a";b.pdf', "a__b.pdf"),
        ("Prüfbericht.pdf", "Prüfbericht.pdf"),
        ("...", "attachment"),
        ("", "attachment"),
    ],
)
def test_clean_filename_keeps_the_name_and_drops_folders_and_odd_characters(given, cleaned):
    assert clean_filename(given) == cleaned


def test_clean_filename_keeps_the_end_of_a_long_name():
    assert clean_filename("x" * 200 + ".pdf") == "x" * 116 + ".pdf"


def test_an_upload_within_the_limit_is_taken(client):
    response = client.post("/upload", {"file": SimpleUploadedFile("coa.pdf", PDF)})
    assert response.status_code == 201
    with default_storage.open(response.content.decode()) as stored:
        assert stored.read() == PDF


def test_an_upload_over_the_limit_is_refused_with_the_limit_named(client, monkeypatch):
    monkeypatch.setattr(uploads, "ATTACHMENT_MAX_BYTES", len(PDF) - 1)  # a small limit, same rule
    response = client.post("/upload", {"file": SimpleUploadedFile("coa.pdf", PDF)})
    assert response.status_code == 400
    assert response.content.decode() == (
        "“coa.pdf” is larger than 0 MB. Share large files another way and link to them."
    )


def _stored(content: bytes = PDF) -> str:
    return default_storage.save("uploads-test/report", SimpleUploadedFile("report", content))


def test_every_download_is_a_sandboxed_nosniff_attachment(client):
    response = client.get(
        "/download", {"stored": _stored(), "as": "CoA batch 7.pdf", "type": "application/pdf"}
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="CoA batch 7.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    # the download's own policy, not the pages' one from the CSP middleware
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_download_name_cannot_carry_folders_or_header_tricks(client):
    stored = _stored()
    response = client.get("/download", {"stored": stored, "as": '../../x";.html', "type": "text/plain"})
    assert response["Content-Disposition"] == 'attachment; filename="x__.html"'
    response = client.get("/download", {"stored": stored, "as": "Prüfbericht.pdf"})
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Pr%C3%BCfbericht.pdf"
    assert response["Content-Type"] == "application/octet-stream"  # no type known: never guessed


@pytest.mark.parametrize("stored", ["uploads-test/never-saved", ""])
def test_a_missing_file_is_a_404(client, stored):
    response = client.get("/download", {"stored": stored, "as": "report.pdf", "type": "application/pdf"})
    assert response.status_code == 404

"""The one door for files people upload and download, whatever they are attached to.

Every upload obeys the same size limit (ATTACHMENT_MAX_BYTES) and every download is sent
the same way (download_response): always saved, never shown by the browser, under a name
that cannot reach outside the download folder, its type never guessed from its content,
and sandboxed by its own Content-Security-Policy should a browser render it anyway.
What kinds of file an app accepts (extensions and first bytes) stays with the app.
"""

from __future__ import annotations

import logging
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)

# The largest file anyone may attach, to a status update or to a service issue.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

# Headers of every download besides Content-Type and Content-Disposition.
DOWNLOAD_HEADERS = {
    # the declared type is the type: no sniffing an uploaded "PDF" into HTML
    "X-Content-Type-Options": "nosniff",
    # personal documents: not kept by shared caches nor by the browser
    "Cache-Control": "private, no-store",
    # rendered anyway (an old browser, a user's "open"): no scripts, no requests, no origin
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def max_megabytes() -> int:
    """The size limit in whole megabytes, for help texts and messages."""
    return ATTACHMENT_MAX_BYTES // (1024 * 1024)


def clean_filename(name: str) -> str:
    """The file's own name without any folders, safe to store and to offer for download."""
    base = PurePath(name.replace("\\", "/")).name.strip().strip(".")
    safe = "".join(c if c.isalnum() or c in " ._-()" else "_" for c in base)
    return safe[-120:] or "attachment"


def size_problem(upload) -> str | None:
    """Why this upload is refused for its size (empty, or over the limit), or None if it is fine.

    The message names the file as its uploader called it and is safe to show."""
    name = PurePath((upload.name or "").replace("\\", "/")).name
    label = f"“{name}”" if name else "The file"
    if not upload.size:
        return f"{label} is empty."
    if upload.size > ATTACHMENT_MAX_BYTES:
        return f"{label} is larger than {max_megabytes()} MB. Share large files another way and link to them."
    return None


def validate_upload_size(upload) -> None:
    """Form-side check: raises ValidationError with size_problem's message."""
    problem = size_problem(upload)
    if problem:
        raise ValidationError(problem, code="file_size")


def download_response(file, filename: str, content_type: str) -> FileResponse:
    """The stored file as a download named filename (cleaned) with the headers every download gets.

    file is a stored file (a FileField's value); Http404 if storage does not have it."""
    try:
        handle = file.open("rb")
    except (OSError, ValueError) as exc:  # ValueError: the field holds no file at all
        logger.error("The stored file %r is missing", getattr(file, "name", None))
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=clean_filename(filename),
        content_type=content_type or "application/octet-stream",
    )
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response

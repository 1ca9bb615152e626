"""What may be attached to a status update, checked by name and by content.

The extension says what the uploader claims; the first bytes say what the file
is. Both must agree before a file is stored, so a renamed executable or HTML
page never reaches a sponsor's machine as a "PDF".
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile

from portal.core.exceptions import ServiceError
from portal.core.uploads import size_problem

from .models import AttachmentType

EXTENSIONS = {
    ".pdf": AttachmentType.PDF,
    ".png": AttachmentType.PNG,
    ".jpg": AttachmentType.JPEG,
    ".jpeg": AttachmentType.JPEG,
    ".docx": AttachmentType.DOCX,
    ".xlsx": AttachmentType.XLSX,
    ".pptx": AttachmentType.PPTX,
    ".doc": AttachmentType.DOC,
    ".xls": AttachmentType.XLS,
    ".ppt": AttachmentType.PPT,
}

CONTENT_TYPES = {
    AttachmentType.PDF: "application/pdf",
    AttachmentType.PNG: "image/png",
    AttachmentType.JPEG: "image/jpeg",
    AttachmentType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    AttachmentType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    AttachmentType.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    AttachmentType.DOC: "application/msword",
    AttachmentType.XLS: "application/vnd.ms-excel",
    AttachmentType.PPT: "application/vnd.ms-powerpoint",
}

# Office Open XML files are ZIP archives with a main part in a known folder.
OOXML_MAIN_FOLDER = {AttachmentType.DOCX: "word/", AttachmentType.XLSX: "xl/", AttachmentType.PPTX: "ppt/"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word/Excel/PowerPoint 97–2003

ACCEPTED_DESCRIPTION = "PDF, PNG or JPEG images, Word, Excel or PowerPoint documents"
ACCEPT_ATTRIBUTE = ",".join(EXTENSIONS)


def _sniff(upload: UploadedFile, claimed: str) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if claimed == AttachmentType.PDF:
        return head.startswith(b"%PDF-")
    if claimed == AttachmentType.PNG:
        return head == b"\x89PNG\r\n\x1a\n"
    if claimed == AttachmentType.JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if claimed in OOXML_MAIN_FOLDER:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        folder = OOXML_MAIN_FOLDER[claimed]
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
    return head == OLE_SIGNATURE


def check_upload(upload: UploadedFile) -> AttachmentType:
    """The file's type if it may be attached; ServiceError (safe to show) if not."""
    name = upload.name or ""
    if problem := size_problem(upload):
        raise ServiceError(problem)
    claimed = EXTENSIONS.get(PurePath(name.lower()).suffix)
    if claimed is None:
        raise ServiceError(f"{name} is not a file type we accept. Attach {ACCEPTED_DESCRIPTION}.")
    if not _sniff(upload, claimed):
        raise ServiceError(
            f"{name} does not look like a real {claimed.label}: its content does not match its name."
        )
    return claimed

"""Rules for files attached to service issues.

Only document and image types a quality or project team exchanges are taken,
checked by extension *and* by the first bytes, so a renamed executable does
not pass as a PDF. The content type we serve comes from this table, never from
the uploader's browser.
"""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError

from portal.core.uploads import validate_upload_size

MAX_FILES_PER_UPLOAD = 5

_OFFICE_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.msg

# extension -> (content type we serve, accepted leading bytes or None for text)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_OFFICE_ZIP,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_OFFICE_ZIP,)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (_OFFICE_ZIP,)),
    ".doc": ("application/msword", (_OLE,)),
    ".xls": ("application/vnd.ms-excel", (_OLE,)),
    ".msg": ("application/vnd.ms-outlook", (_OLE,)),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".eml": ("message/rfc822", None),
}

ACCEPT_ATTRIBUTE = ",".join(ALLOWED_TYPES)
ALLOWED_DESCRIPTION = "PDF, Word, Excel, PowerPoint, Outlook, PNG, JPEG, text or CSV"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is fine.
        return exc.start >= len(head) - 3
    return True


def check_upload(upload) -> str:
    """Validate one uploaded file; returns the content type to store. Raises ValidationError."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError(f"“{name}” is not a file type we accept ({ALLOWED_DESCRIPTION}).")
    validate_upload_size(upload)
    content_type, signatures = ALLOWED_TYPES[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if signatures is None:
        ok = _looks_like_text(head)
    else:
        ok = any(head.startswith(signature) for signature in signatures)
    if not ok:
        raise ValidationError(f"“{name}” does not look like a {extension[1:].upper()} file.")
    return content_type

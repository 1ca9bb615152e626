"""The three layouts of one `Trail`: JSON (one document), CSV (one file, a row per event,
signature and signing attempt, told apart by `row_type`) and PDF (WeasyPrint, fixed table layout)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portal.core.csv import SafeCSVWriter

from .collect import Trail

CSV_HEADER = (
    "row_type",  # event | signature | signing_attempt
    "id",
    "at_utc",
    "who_name",
    "who_email",
    "who_organization",
    "what",
    "model",
    "record_id",
    "reason",
    "url",
    "changes",  # "Field: old → new", one per line
    "meaning",
    "manifestation",
    "content_sha256",
    "comment",
    "status",  # a signature: whether the record still matches; an attempt: its outcome
    "signature_id",
)


def to_json(trail: Trail) -> bytes:
    return json.dumps(trail.as_json(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def to_csv(trail: Trail) -> bytes:
    """The CSV of a trail read whole (a document asked for before the CSV was streamed)."""
    stream = io.StringIO()
    writer = SafeCSVWriter(stream)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(trail, trail.events))
    # A byte-order mark, so spreadsheets read the names and arrows as UTF-8.
    return ("\ufeff" + stream.getvalue()).encode()


def csv_rows(trail: Trail, events: Iterable[dict]) -> Iterator[list]:
    """The CSV's rows, in order: `events` (consumed as they come), the trail's signatures, its
    signing attempts."""
    for e in events:
        who = e["who"]
        changes = "\n".join(f"{c['field']}: {c['old']} → {c['new']}" for c in e["changes"])
        what = f"{e['what']} · {e['subject']}" if e["subject"] else e["what"]
        yield (
            ["event", e["id"], e["at_utc"], who["name"], who["email"], who["organization"], what]
            + [e["model"], e["record_id"], e["reason"], e["url"], changes, "", "", "", "", "", ""]
        )
    for s in trail.signatures:
        who = s["signer"]
        yield (
            ["signature", s["id"], s["signed_at_utc"], s["printed_name"], s["signer_email"]]
            + [who["organization"], " · ".join(filter(None, [s["action_label"], s["options"]]))]
            + [s["model"], s["record_id"], "", "", ""]
            + [s["meaning"], s["manifestation"], s["content_sha256"], s["comment"], _verdict(s), s["id"]]
        )
    for a in trail.attempts:
        who = a["who"]
        yield (
            ["signing_attempt", a["id"], a["at_utc"], who["name"], who["email"], who["organization"]]
            + [a["action"], a["model"], a["record_id"], "", "", "", a["meaning"], "", "", ""]
            + [a["outcome"], a["signature_id"] or ""]
        )


def _verdict(signature: dict) -> str:
    if signature["record_unchanged"] is None:
        return "Record not found"
    return (
        "Record unchanged since signing" if signature["record_unchanged"] else "Record changed after signing"
    )


def to_pdf(trail: Trail) -> bytes:
    from weasyprint import HTML  # imported here: it takes ~0.4 s and only the PDF builds need it

    html = render_pdf_html(trail)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# From this many events on, the PDF lists them one compact paragraph each instead of a table row:
# WeasyPrint lays out a table row (and inline markup) much slower (2,000 events on the shared
# 2-core machine: 141 s as a table, 48 s as plain paragraphs). Every event and every change is still there; the requester's
# email, organization and the request URL are in the CSV and JSON.
COMPACT_FROM = 500


def render_pdf_html(trail: Trail) -> str:
    range_words = f"{trail.start:%-d %b %Y} to {trail.end:%-d %b %Y}"
    return render_to_string(
        "projects/audit_export_pdf.html",
        {
            "trail": trail,
            "range_words": range_words,
            "compact": len(trail.events) >= COMPACT_FROM,
            "events": [{**e, "when": _readable(e["at_utc"])} for e in trail.events],
            "signatures": [{**s, "verdict": _verdict(s)} for s in trail.signatures],
            "attempts": [{**a, "when": _readable(a["at_utc"])} for a in trail.attempts],
            # Page margins repeat these on every page; CSS strings, escaped as such.
            "css_top": css_string(
                f"{settings.PORTAL_NAME} · Audit trail · {trail.project['code']} · {range_words}"
            ),
            "css_bottom": css_string(
                f"Generated {_readable(trail.generated_utc)} UTC by {trail.generated_by['name']} · Confidential"
            ),
        },
    )


def _readable(iso_utc: str) -> str:
    """ "2026-12-03T13:37:55.645012Z" → "2026-12-03 13:37:55" (the JSON keeps the fraction)."""
    return iso_utc[:19].replace("T", " ")


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: quotes, backslashes, control characters and anything that
    could end the <style> element are written as CSS escapes."""
    escaped = "".join(f"\\{ord(c):x} " if c in '\\"<>&' or ord(c) < 32 else c for c in text)
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every character that could break out is escaped

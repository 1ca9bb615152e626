"""Cursor paging over a stable key: the row's id.

Ids never change and never come back, so a page picks up exactly after the last row the client
saw, however many rows were added or changed meanwhile (an offset would skip or repeat rows).
The cursor is opaque to clients (`v1:<id>` in URL-safe base64) so its form can change later.
"""

from __future__ import annotations

import base64
import binascii

from django.db.models import QuerySet
from ninja.errors import HttpError

MAX_LIMIT = 100


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id after which the page starts; a cursor we did not make is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, value = raw.partition(":")
        last_id = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise HttpError(400, "Invalid cursor: pass next_cursor from the previous page as it is.") from error
    if version != "v1" or last_id < 0:
        raise HttpError(400, "Invalid cursor: pass next_cursor from the previous page as it is.")
    return last_id


def page(queryset: QuerySet, *, cursor: str | None, limit: int) -> dict:
    """One page of `queryset` in id order, and the cursor of the next one (None on the last).
    One query: a row more than the page tells whether another page follows."""
    limit = max(1, min(limit, MAX_LIMIT))
    if cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(cursor))
    rows = list(queryset.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more else None}

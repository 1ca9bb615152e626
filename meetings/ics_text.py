"""RFC 5545 content lines written as text, for the calendar feed (thousands of events).

Building an `icalendar` object per event costs more than the rest of the feed together, so the
feed writes its lines directly with these helpers: TEXT escaping (backslash, semicolon, comma,
line breaks), UTC date-times and dates, quoted parameter values, and folding at 75 octets
without splitting a UTF-8 character. Invitations (one event each) keep the `icalendar` objects.
"""

from __future__ import annotations

import datetime

FOLD_AT = 75  # octets per line, CRLF excluded (RFC 5545 §3.1)
CRLF = "\r\n"
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})


def text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, every line break as \\n."""
    return value.replace("\r\n", "\n").replace("\r", "\n").translate(_TEXT_ESCAPES)


def param(value: str) -> str:
    """A quoted parameter value (e.g. CN): DQUOTE and control characters cannot appear in one."""
    cleaned = "".join(c for c in value if c.isprintable()).replace('"', "'")
    return f'"{cleaned}"'


def utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def date(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def fold(line: str) -> str:
    """One content line, folded so no physical line exceeds 75 octets, ending in CRLF."""
    if len(line) <= FOLD_AT and line.isascii():
        return line + CRLF
    data = line.encode()
    if len(data) <= FOLD_AT:
        return line + CRLF
    chunks, start, limit = [], 0, FOLD_AT
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # never inside a UTF-8 character
            end -= 1
        chunks.append(data[start:end].decode())
        start, limit = end, FOLD_AT - 1  # a continuation line starts with one space
    return (CRLF + " ").join(chunks) + CRLF

"""The one CSV writer of the portal: spreadsheet formulas never run from our exports.

A cell that starts with = + - @, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (CSV injection, OWASP). Such text cells get a
leading single quote, which spreadsheets show as plain text. Numbers the portal
itself computes (int, float, Decimal) stay numbers: only text can carry a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    if isinstance(value, (bool, int, float, Decimal)) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class SafeCSVWriter:
    """csv.writer with every cell neutralised; write to any file-like object (an HttpResponse too)."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([neutralise_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


class _Line:
    """A write-only file that hands back what is written: csv.writer then yields lines."""

    def write(self, value: str) -> str:
        return value


def streaming_csv_response(
    filename: str, header: Iterable, rows: Iterable[Iterable], *, byte_order_mark: bool = False
) -> StreamingHttpResponse:
    """A CSV download written line by line as `rows` is consumed: memory stays flat however
    many rows there are. Consume anything that can fail (the first query) before calling.
    `byte_order_mark`: starts with one, so spreadsheets read the names and arrows as UTF-8."""
    writer = csv.writer(_Line())
    # The rows are made after the view has returned, when the request's time zone is no longer
    # active: they are made in the zone that was active when the download was asked for.
    zone = timezone.get_current_timezone()

    def lines() -> Iterator[str]:
        with timezone.override(zone):
            yield ("\ufeff" if byte_order_mark else "") + writer.writerow(
                [neutralise_cell(cell) for cell in header]
            )
            for row in rows:
                yield writer.writerow([neutralise_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

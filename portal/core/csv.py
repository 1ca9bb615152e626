"""The one CSV writer of the portal: spreadsheet formulas never run from our exports.

A cell that starts with = + - @, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (CSV injection, OWASP). Such text cells get a
leading single quote, which spreadsheets show as plain text. Numbers the portal
itself computes (int, float, Decimal) stay numbers: only text can carry a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal

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

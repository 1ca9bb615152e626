"""HTML fragments printed in Python, for the per-row loops of a page that every request shows.

Through the template engine each `{{ value }}` of a row is a lookup, a localization and an
escape, each `{% if %}` an expression tree, each filter a registry call: some 20-40 µs a row on
a panel of the project overview. A page's structure stays in its template; the rows of a list
it prints on every request (a panel's items, the points of contact) are printed here, the
template showing the result as it is (`{{ panel.items }}`).

The one rule: every value that is not markup made here goes through `esc()`, which escapes
exactly as the template engine's autoescape does (`html.escape`: & < > " '), and leaves text
already marked safe as it is. `html(...)` joins the parts and marks the result safe. Tests
compare the output with text holding `<script>` (tests/portal/test_fragments.py and the pages'
own tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe


def esc(value: object) -> str:
    """`value` as HTML text: markup already marked safe as it is, anything else escaped (as
    `{{ value }}` prints it)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def html(parts: Iterable[str]) -> SafeString:
    """The parts (markup made in Python, every value in them through `esc`) as one safe string."""
    return mark_safe("".join(parts))  # noqa: S308 - callers escape every value with esc()


def plural(count: int, suffix: str = "s") -> str:
    """Django's `pluralize`: `suffix` unless `count` is 1."""
    return "" if count == 1 else suffix

"""What every form of the portal checks before its own rules: hostile input stops here.

Every form the project defines derives from `PortalForm` or `PortalModelForm`
(tests/test_hostile_input_walk.py fails on one that does not), so a new form gets
these checks without anyone remembering them:

- single-line text refuses control characters (a title with "\\r\\n" would break
  every email header it reaches); multi-line text keeps line breaks and tabs but
  refuses the rest (NUL cannot be stored in PostgreSQL);
- dates and date-times must fall in a sane window: far dates overflow date arithmetic
  in pages, calendar feeds and charts.

Errors are ordinary field errors, so the form comes back with the typed input.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from portal.core.date_window import EARLIEST_DATE, LATEST_DATE, date_in_window

MULTI_LINE_ALLOWED = frozenset("\n\r\t")
# Control characters, and the Unicode line and paragraph separators, which end a line
# for email headers and iCalendar too.
LINE_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in LINE_BREAKING_CATEGORIES


def validate_single_line(value) -> None:
    if isinstance(value, str) and any(_is_control(c) for c in value):
        raise ValidationError(
            "Use a single line of plain text: line breaks, tabs and other control characters are not allowed.",
            code="control_characters",
        )


def validate_multi_line(value) -> None:
    # Line and paragraph separators are line breaks here; only control characters are refused.
    if isinstance(value, str) and any(
        unicodedata.category(c) == "Cc" and c not in MULTI_LINE_ALLOWED for c in value
    ):
        raise ValidationError(
            "Remove the control characters (invisible characters such as NUL) from this text.",
            code="control_characters",
        )


def validate_sane_date(value) -> None:
    if value is None:
        return
    if not date_in_window(value):
        raise ValidationError(
            f"Enter a date between {EARLIEST_DATE:%d %b %Y} and {LATEST_DATE:%d %b %Y}.", code="date_window"
        )


def _validators_for(field: forms.Field) -> list:
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        return [validate_sane_date]
    if isinstance(field, forms.CharField):
        return [validate_multi_line if isinstance(field.widget, forms.Textarea) else validate_single_line]
    return []


class HostileInputMixin:
    """Adds the checks above to every field of the form, including fields a form adds
    in its own __init__ (they are attached just before cleaning)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and getattr(field.widget, "input_type", "") == "date":
                field.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
                field.widget.attrs.setdefault("max", LATEST_DATE.isoformat())

    def full_clean(self):
        for field in self.fields.values():
            for validator in _validators_for(field):
                if validator not in field.validators:
                    field.validators.append(validator)
        super().full_clean()


class PortalForm(HostileInputMixin, forms.Form):
    pass


class PortalModelForm(HostileInputMixin, forms.ModelForm):
    pass

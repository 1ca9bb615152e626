"""The form renderer of the portal: Django's, with drop-downs and text inputs written in Python.

Django renders a `<select>` through a template per option, and a template for each option's
attributes: a filter bar with four drop-downs spent about 1.5 ms on them in every list page,
and a text input through three templates. Here the same HTML, byte for byte
(tests/portal/test_form_renderer.py compares them), comes from a few string joins. A widget that
names its own templates is rendered by Django as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Select
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = Select.template_name
OPTION_TEMPLATE = Select.option_template_name
# Django's templates for these only include django/forms/widgets/input.html.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "input",
        "text",
        "search",
        "hidden",
        "number",
        "email",
        "url",
        "tel",
        "password",
        "date",
        "time",
    )
)


def _attributes(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html writes: ` name="value"`, ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(str(value))}"')
    return "".join(parts)


def _option(option: dict) -> str:
    value = conditional_escape(str(option["value"]))
    label = conditional_escape(localize(option["label"]))
    return f'<option value="{value}"{_attributes(option["attrs"])}>{label}</option>'


def select_html(widget: dict) -> str | None:
    """django/forms/widgets/select.html for `widget` (a widget's context), or None when an
    option asks for a template of its own."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(f"\n  {_option(option)}\n")  # the option template ends with a line break
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html for `widget` (a widget's context)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    name, kind = conditional_escape(widget["name"]), conditional_escape(widget["type"])
    return f'<input type="{kind}" name="{name}"{shown}{_attributes(widget["attrs"])}>'


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            html = select_html(context["widget"])
            if html is not None:
                return mark_safe(html)
        elif template_name in INPUT_TEMPLATES:
            return mark_safe(input_html(context["widget"]))
        return super().render(template_name, context, request=request)

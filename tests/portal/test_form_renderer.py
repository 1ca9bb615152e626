"""The portal's form renderer writes drop-downs and text inputs in Python: the same HTML as
Django's templates."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from portal.core.form_renderer import PortalFormRenderer
from portal.organizations.models import Organization


class Choices(forms.Form):
    plain = forms.ChoiceField(
        required=False, choices=[("", "Any"), ("a", "Tom & Jerry"), ("b", '"quoted" <b>')]
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("none", "None of these")],
        widget=forms.Select(attrs={"class": "wide", "data-x": "<&>", "disabled": False, "autofocus": True}),
    )
    several = forms.MultipleChoiceField(required=False, choices=[(1, 1), (2, mark_safe("<i>two</i>"))])
    number = forms.TypedChoiceField(coerce=int, choices=[(0, "midnight"), (13, 13)])
    text = forms.CharField(max_length=20)
    search = forms.CharField(
        required=False, widget=forms.SearchInput(attrs={"placeholder": 'Say "hi" <now>'})
    )
    count = forms.IntegerField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date", "autofocus": True}))


FILLED = {
    "plain": "a",
    "grouped": "pear",
    "several": ["1", "2"],
    "number": "13",
    "text": 'Tom & "Jerry" <b>',
    "search": "x",
    "count": "12",
    "hidden": "",
    "day": "2026-12-03",
}
NAMES = ["plain", "grouped", "several", "number", "text", "search", "count", "hidden", "day"]


@pytest.mark.parametrize(
    "data", [None, FILLED, {"text": "way too long for twenty characters", "count": "abc"}]
)
@pytest.mark.parametrize("name", NAMES)
def test_widget_html_is_djangos(settings, data, name):
    settings.FORM_RENDERER = "portal.core.form_renderer.PortalFormRenderer"
    form = Choices(data)
    assert isinstance(form.renderer, PortalFormRenderer)
    ours = form[name].as_widget()
    theirs = Choices(data, renderer=DjangoTemplates())[name].as_widget()
    assert ours == theirs
    assert "<select" in ours or "<input" in ours


@pytest.mark.django_db
def test_model_choices_with_escaping_match(settings):
    settings.FORM_RENDERER = "portal.core.form_renderer.PortalFormRenderer"
    Organization.objects.create(name="Rock & <Roll>", slug="rock", kind="cdmo")

    class Pick(forms.Form):
        org = forms.ModelChoiceField(queryset=Organization.objects.order_by("pk"), empty_label="Any")

    ours, theirs = str(Pick()["org"]), str(Pick(renderer=DjangoTemplates())["org"])
    assert ours == theirs
    assert "Rock &amp; &lt;Roll&gt;" in ours


def test_an_option_template_of_its_own_is_djangos(settings):
    settings.FORM_RENDERER = "portal.core.form_renderer.PortalFormRenderer"

    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "A")], widget=Marked)

    html = str(Form()["pick"])
    assert html == str(Form(renderer=DjangoTemplates())["pick"])
    assert "<input" in html  # Django's template for that option was used

"""The dashboard's filter form prints its selects in Python (`forms.PlainSelect`): the very HTML
Django's select templates print, whatever is chosen, and the counterparties in one query."""

import functools

import pytest
from django import forms

from oversight.monitoring.forms import dashboard_filter_form
from portal.accounts.models import OrgRole
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import ProjectFactory

SELECTS = ("counterparty", "status", "overall", "flag_kind")


@pytest.fixture
def executive(db):
    acme = SponsorFactory(name="Acme Bio")
    for name in ('Alpha & "Sons" <CDMO>', "Beta CDMO"):
        ProjectFactory(sponsor=acme, cdmo=CDMOFactory(name=name))
    ProjectFactory(cdmo=CDMOFactory(name="Gamma CDMO"))  # another sponsor's: not a choice
    return UserFactory(organization=acme, org_role=OrgRole.EXECUTIVE)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"status": "", "overall": "none", "flag_kind": "stale_update"},
        {"status": "on_hold", "overall": "red", "counterparty": "first"},
        {"status": "<junk>", "overall": "purple", "flag_kind": '"x', "counterparty": "999999"},
    ],
)
def test_each_select_prints_what_the_template_prints(executive, data):
    first = dashboard_filter_form(user=executive, data={}).fields["counterparty"].queryset.first()
    if data.get("counterparty") == "first":
        data = {**data, "counterparty": str(first.pk)}
    form = dashboard_filter_form(user=executive, data=data)
    form.is_valid()
    for name in SELECTS:
        printed = str(form[name])
        widget = form.fields[name].widget
        widget.render = functools.partial(forms.Select.render, widget)  # Django's templates
        assert printed == str(form[name]), name
    html = str(form["counterparty"])
    assert "Alpha &amp; &quot;Sons&quot; &lt;CDMO&gt;" in html and "Gamma" not in html


def test_the_counterparties_are_one_plain_query(executive, django_assert_num_queries):
    form = dashboard_filter_form(user=executive, data={})
    with django_assert_num_queries(1) as captured:
        html = str(form["counterparty"])
    assert "CURSOR" not in captured.captured_queries[0]["sql"].upper()
    assert html.count("<option") == 3  # "Any CDMO" and the two of the executive's programs

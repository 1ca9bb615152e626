"""Portal staff see a decision's and a change's options in the admin, read-only: options are
append-only (database triggers), so no add, change or delete controls for them."""

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from projects.models import DecisionOption, DecisionRequest
from tests.factories.organizations import UserFactory
from tests.factories.projects import StatusUpdateFactory, change_with_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(
        email="staff@portal.test", organization=None, is_staff=True, is_superuser=True, full_name="Staff"
    )
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)
    return client


def _no_option_controls(page: str, prefix: str) -> None:
    assert f'name="{prefix}-0-label"' not in page  # shown as text, no field to edit
    # No room for another (the admin's script offers "Add another" only below the maximum).
    assert f'name="{prefix}-MAX_NUM_FORMS" value="0"' in page
    assert f"{prefix}-0-DELETE" not in page
    assert 'name="_save"' not in page


def test_a_decisions_options_are_listed_read_only(staff_client, project, cdmo_pm):
    update = StatusUpdateFactory(project=project, published=True, created_by=cdmo_pm)
    decision = DecisionRequest.objects.create(
        project=project, update=update, title="Approve the resin lot", needed_by=dt.date(2026, 12, 20)
    )
    DecisionOption.objects.create(
        decision=decision, position=1, label="Use lot 2231", description="In stock."
    )
    DecisionOption.objects.create(
        decision=decision, position=2, label="Wait for lot 2240", description="Late."
    )

    response = staff_client.get(reverse("admin:projects_decisionrequest_change", args=[decision.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Use lot 2231" in page and "Wait for lot 2240" in page
    assert page.index("Use lot 2231") < page.index("Wait for lot 2240")
    _no_option_controls(page, "options")


def test_a_changes_options_are_listed_read_only(staff_client, project, cdmo_pm):
    change = change_with_options(project)
    response = staff_client.get(reverse("admin:projects_changerequest_change", args=[change.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Suite B" in page and "Wait for suite A" in page and "€40k for the transfer runs." in page
    _no_option_controls(page, "options")
    listing = staff_client.get(reverse("admin:projects_changerequest_changelist"))
    assert listing.status_code == 200 and change.title in listing.content.decode()

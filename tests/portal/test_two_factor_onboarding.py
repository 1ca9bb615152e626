"""Two-factor setup when the organization requires it: right after accepting the invitation, or
at the first sign-in after the requirement, without asking again for the password just typed;
and where accepting an invitation lands."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from portal.accounts.models import OrgRole
from portal.accounts.two_factor import SETUP_SESSION_KEY, SETUP_WINDOW_SECONDS
from tests.factories.organizations import DEFAULT_PASSWORD, InvitationFactory, UserFactory

NEW_PASSWORD = "a-long-pass-phrase-42"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def accept(client, invitation):
    return client.post(
        reverse("organizations:invitation_accept", args=[invitation.token]),
        {"full_name": "Jo Iner", "time_zone": "UTC", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (OrgRole.EXECUTIVE, "monitoring:dashboard"),
        (OrgRole.MEMBER, "projects:list"),
        (OrgRole.ADMIN, "projects:list"),
    ],
)
def test_accepting_an_invitation_lands_where_signing_in_does(client, sponsor, role, landing):
    invitation = InvitationFactory(organization=sponsor, email="joiner@acme.test", org_role=role)
    response = client.get(accept(client, invitation)["Location"], follow=True)
    assert response.status_code == 200 and response.request["PATH_INFO"] == reverse(landing)


@pytest.mark.django_db
def test_a_joiner_of_an_organization_requiring_two_factor_sets_it_up_without_confirming_the_password(
    client, sponsor
):
    sponsor.require_mfa = True
    sponsor.save()
    invitation = InvitationFactory(organization=sponsor, email="joiner@acme.test", org_role=OrgRole.EXECUTIVE)
    response = client.get(accept(client, invitation)["Location"])
    assert (
        response.status_code == 302 and response["Location"] == f"{reverse('mfa_activate_totp')}?required=1"
    )

    page = client.get(response["Location"])
    assert page.status_code == 200  # not allauth's "Confirm access"
    text = page.content.decode()
    assert "Your organization, Acme Bio, requires two-factor authentication for everyone." in text
    assert '<button class="btn btn-primary" type="submit">Activate</button>' in text
    assert "<svg" in text and "<?xml" not in text  # the QR code inline: nothing for the CSP to block

    secret = page.context["form"].secret
    response = client.post(page.request["PATH_INFO"], {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")
    codes = client.get(response["Location"])
    assert codes.status_code == 200
    text = codes.content.decode()
    assert "Save your recovery codes" in text and len(codes.context["unused_codes"]) == 10
    # The step bar says where they are; allauth's own notes would only repeat it.
    assert "Authenticator app activated" not in text and "recovery codes has been generated" not in text
    assert f'href="{reverse("monitoring:dashboard")}">I have saved them, continue' in text
    assert Authenticator.objects.filter(user__email="joiner@acme.test", type=Authenticator.Type.TOTP).exists()

    # On to the product: the window in which the password is not asked again is over.
    landed = client.get(reverse("monitoring:dashboard"))
    assert landed.status_code == 200 and "two-factor authentication is on" in landed.content.decode()
    assert SETUP_SESSION_KEY not in client.session
    assert (
        "two-factor authentication is on" not in client.get(reverse("monitoring:dashboard")).content.decode()
    )
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db
def test_a_wrong_code_comes_back_with_the_reason_and_the_same_key(client, sponsor):
    sponsor.require_mfa = True
    sponsor.save()
    accept(client, InvitationFactory(organization=sponsor, email="joiner@acme.test"))
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].secret == secret
    text = response.content.decode()
    assert 'aria-invalid="true"' in text and f'value="{wrong}"' in text
    assert response.context["form"].errors["code"]
    assert not Authenticator.objects.filter(user__email="joiner@acme.test").exists()


@pytest.mark.django_db
def test_signing_in_with_a_password_opens_the_setup_without_confirming_it_again(client, sponsor_exec):
    sponsor_exec.organization.require_mfa = True
    sponsor_exec.organization.save()
    response = sign_in(client, sponsor_exec)
    response = client.get(response["Location"])
    assert response["Location"] == f"{reverse('mfa_activate_totp')}?required=1"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "requires two-factor authentication" in page.content.decode()


@pytest.mark.django_db
def test_the_setup_window_closes_after_half_an_hour(client, sponsor_lead):
    sponsor_lead.organization.require_mfa = True
    sponsor_lead.organization.save()
    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in(client, sponsor_lead)
        assert client.get(reverse("mfa_activate_totp")).status_code == 200
        traveller.shift(SETUP_WINDOW_SECONDS + 1)
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db
def test_people_who_need_no_second_factor_get_no_setup_window(client, sponsor_lead):
    sign_in(client, sponsor_lead)
    assert SETUP_SESSION_KEY not in client.session
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db
def test_staff_are_told_why_they_need_a_second_factor(client):
    staff = UserFactory(email="ops@portal.test", organization=None, is_staff=True)
    sign_in(client, staff)
    text = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "Portal staff accounts can see every organization" in text


@pytest.mark.django_db
def test_sent_to_set_up_without_a_fresh_password_confirms_it_then_is_walked_through(client, sponsor_lead):
    """Signed in before the organization switched the requirement on: allauth asks for the
    password (it was not typed just now), and the steps still end where signing in lands."""
    client.force_login(sponsor_lead)
    sponsor_lead.organization.require_mfa = True
    sponsor_lead.organization.save()
    setup_url = client.get(reverse("projects:list"))["Location"]
    response = client.get(setup_url)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Set up two-factor authentication" in page.content.decode()
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(page.context["form"].secret)})
    text = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert "Save your recovery codes" in text and "I have saved them, continue" in text


@pytest.mark.django_db
def test_recovery_codes_seen_later_from_the_settings_are_not_a_setup_step(client, sponsor_lead):
    sponsor_lead.organization.require_mfa = True
    sponsor_lead.organization.save()
    TOTP.activate(sponsor_lead, generate_totp_secret())
    RecoveryCodes.activate(sponsor_lead)
    client.force_login(sponsor_lead)
    response = client.get(reverse("mfa_view_recovery_codes"))
    response = client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and len(page.context["unused_codes"]) == 10
    assert "I have saved them, continue" not in text and "mfa-steps" not in text
    assert "Back to two-factor settings" in text and "Generate new codes" in text

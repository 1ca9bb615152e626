import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from tests.factories.organizations import UserFactory


@pytest.mark.django_db
def test_login_with_email_and_password(client, sponsor_lead, password):
    response = client.post(reverse("account_login"), {"login": "LEAD@acme.test", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("projects:list")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_keeps_the_email_and_says_why(client, sponsor_lead):
    response = client.post(reverse("account_login"), {"login": "lead@acme.test", "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="lead@acme.test"' in body
    assert "not correct" in body


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited(client, sponsor_lead, password, settings):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "lead@acme.test", "password": "wrong-password"})
    # Even the right password is refused while the account is locked out.
    response = client.post(reverse("account_login"), {"login": "lead@acme.test", "password": password})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.content.decode().lower()


@pytest.mark.django_db
def test_password_reset_email_is_rendered_from_templates(client, sponsor_lead):
    client.post(reverse("account_reset_password"), {"email": "lead@acme.test"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@acme.test"]
    assert "/accounts/password/reset/key/" in message.body
    assert message.subject == "[Meridian] Reset your password"
    assert "Choose a new password" in message.alternatives[0][0]


@pytest.mark.django_db
def test_profile_sets_time_zone_and_keeps_input_on_error(client, sponsor_lead):
    client.force_login(sponsor_lead)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "", "job_title": "Lead", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 200
    assert 'value="Lead"' in response.content.decode()
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Emily C.", "job_title": "Lead", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    sponsor_lead.refresh_from_db()
    assert sponsor_lead.time_zone == "Asia/Tokyo"


@pytest.mark.django_db
def test_organization_can_require_two_factor(client, sponsor_lead, project):
    project.sponsor.require_mfa = True
    project.sponsor.save()
    client.force_login(sponsor_lead)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # The setup page stays reachable (allauth first asks for the password again).
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db
def test_two_factor_requirement_is_satisfied_by_an_authenticator(client, sponsor_lead, project):
    project.sponsor.require_mfa = True
    project.sponsor.save()
    Authenticator.objects.create(user=sponsor_lead, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(sponsor_lead)
    assert client.get(reverse("projects:list")).status_code == 200


@pytest.mark.django_db
def test_other_organizations_are_not_affected_by_a_two_factor_requirement(client, cdmo_pm, project):
    project.sponsor.require_mfa = True
    project.sponsor.save()
    client.force_login(cdmo_pm)
    assert client.get(reverse("projects:list")).status_code == 200


@pytest.mark.django_db
def test_email_is_case_insensitive_and_unique(db):
    from django.db import IntegrityError

    UserFactory(email="same@x.test")
    with pytest.raises(IntegrityError):
        UserFactory._meta.model.objects.create(email="SAME@x.test", full_name="Dup")

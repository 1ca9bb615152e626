"""Enforced single sign-on: a right password is refused for the organization's people, except the
named break-glass admin; the refusal is a message on the form and an entry for the admins."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.models import OrgRole
from portal.sso.models import SignInEvent, SignInEventKind
from tests.factories.organizations import UserFactory

from .conftest import DOMAIN, configure


def password_sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.fixture
def enforced(orbital_admin, idp):
    return configure(orbital_admin, idp.issuer, enforce=True, break_glass_user=orbital_admin)


@pytest.mark.django_db
def test_a_member_cannot_sign_in_with_a_right_password(client, orbital, enforced, password):
    member = UserFactory(organization=orbital, email=f"mia@{DOMAIN}")
    response = password_sign_in(client, member.email, password)
    assert response.status_code == 200
    assert "signs in through Orbital Okta" in response.content.decode()
    assert member.email in response.content.decode()  # what was typed comes back
    assert "_auth_user_id" not in client.session
    event = SignInEvent.objects.get(kind=SignInEventKind.PASSWORD_REFUSED)
    assert (event.organization, event.email) == (orbital, member.email)


@pytest.mark.django_db
def test_a_wrong_password_stays_a_plain_mismatch(client, orbital, enforced):
    member = UserFactory(organization=orbital, email=f"mia@{DOMAIN}")
    response = password_sign_in(client, member.email, "not-the-password")
    assert "signs in through" not in response.content.decode()
    assert not SignInEvent.objects.filter(kind=SignInEventKind.PASSWORD_REFUSED).exists()


@pytest.mark.django_db
def test_the_break_glass_admin_signs_in_with_their_password(client, orbital_admin, enforced, password):
    response = password_sign_in(client, orbital_admin.email, password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(orbital_admin.pk)


@pytest.mark.django_db
def test_another_admin_is_refused_too(client, orbital, enforced, password):
    second = UserFactory(organization=orbital, email=f"second@{DOMAIN}", org_role=OrgRole.ADMIN)
    response = password_sign_in(client, second.email, password)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_without_enforcement_passwords_still_work(client, orbital, configured, password):
    member = UserFactory(organization=orbital, email=f"mia@{DOMAIN}")
    response = password_sign_in(client, member.email, password)
    assert response.status_code == 302


@pytest.mark.django_db
def test_other_organizations_are_untouched(client, enforced, sponsor_lead, password):
    response = password_sign_in(client, sponsor_lead.email, password)
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_provisioned_person_sets_a_signing_password_that_never_signs_them_in(client, orbital, enforced):
    """docs/sso.md, electronic signatures: the signing password is set through "Forgot your
    password?", which opens no session; under enforcement it never signs anyone in."""
    person = UserFactory(organization=orbital, email=f"sig@{DOMAIN}", password=None)
    person.set_unusable_password()
    person.save()
    client.post(reverse("account_reset_password"), {"email": person.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    new = "a-signing-pass-phrase-77"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert person.check_password(new)  # what portal/signatures checks when they sign
    response = password_sign_in(client, person.email, new)
    assert response.status_code == 200 and "_auth_user_id" not in client.session

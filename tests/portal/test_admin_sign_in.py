"""Staff sign in through the same rate-limited allauth login as everyone, with a second factor.

Staff see every tenant, so the admin's own login form (no failed-login limit, no MFA)
is not a way in: /admin/login/ sends them to the portal's sign-in, keeping ?next=.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories.organizations import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(
        email="staff@portal.test", organization=None, is_staff=True, is_superuser=True, full_name="Staff"
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_admin_login_sends_staff_to_the_portal_sign_in_keeping_next(client):
    response = client.get("/admin/login/?next=/admin/projects/project/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2Fprojects%2Fproject%2F"
    # The admin's own redirect for a signed-out visitor ends at the same sign-in.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    # ?next= never leaves the site.
    assert client.get("/admin/login/?next=https://evil.example/")["Location"].endswith("next=%2Fadmin%2F")


@pytest.mark.django_db
def test_repeated_wrong_passwords_for_staff_are_blocked_through_both_urls(client, staff):
    for _ in range(25):
        client.post("/admin/login/", {"username": staff.email, "password": "wrong-guess"})
    client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert not _signed_in(client), "the admin's own login form still accepts passwords"

    login = reverse("account_login")
    for _ in range(25):
        client.post(login, {"login": staff.email, "password": "wrong-guess"})
    response = client.post(login, {"login": staff.email, "password": DEFAULT_PASSWORD})
    assert not _signed_in(client)
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_staff_sign_in_with_the_right_password_goes_to_next(client, staff):
    response = client.post(
        f"{reverse('account_login')}?next=/admin/", {"login": staff.email, "password": DEFAULT_PASSWORD}
    )
    assert _signed_in(client) and response["Location"] == "/admin/"


@pytest.mark.django_db
def test_staff_without_two_factor_cannot_reach_the_admin_until_they_set_it_up(client, staff):
    client.force_login(staff)
    for url in ("/admin/", reverse("admin:projects_project_changelist")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("mfa_activate_totp")
        ), url
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_portal_user_is_refused_at_the_admin_login(client, cdmo_admin):
    client.force_login(cdmo_admin)
    assert client.get("/admin/login/?next=/admin/").status_code == 403

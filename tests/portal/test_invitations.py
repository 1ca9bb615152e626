import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import OrgRole, User
from portal.organizations.models import Invitation
from tests.factories.organizations import InvitationFactory, UserFactory


@pytest.fixture
def sponsor_admin(sponsor):
    return UserFactory(
        organization=sponsor, org_role=OrgRole.ADMIN, full_name="Susan Clarke", email="admin@acme.test"
    )


@pytest.mark.django_db
def test_admin_invites_by_email_and_the_email_carries_the_link(
    client, sponsor_admin, django_capture_on_commit_callbacks
):
    client.force_login(sponsor_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organizations:members"),
            {"email": "New.Person@Acme.test", "full_name": "New Person", "org_role": "member"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@acme.test"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@acme.test"]
    assert "Susan Clarke invited you to Acme Bio" in message.subject
    assert f"/invite/{invitation.token}/" in message.body
    html = message.alternatives[0][0]
    assert f"/invite/{invitation.token}/" in html


@pytest.mark.django_db
def test_members_cannot_invite(client, sponsor_lead):
    client.force_login(sponsor_lead)
    response = client.post(reverse("organizations:members"), {"email": "x@acme.test", "org_role": "member"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_invalid_invitation_keeps_what_was_typed(client, sponsor_admin):
    client.force_login(sponsor_admin)
    response = client.post(
        reverse("organizations:members"),
        {"email": "not-an-email", "full_name": "Typed Name", "org_role": "member"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert 'value="Typed Name"' in body


@pytest.mark.django_db
def test_second_pending_invitation_for_same_address_is_refused(client, sponsor_admin):
    client.force_login(sponsor_admin)
    data = {"email": "twice@acme.test", "org_role": "member"}
    client.post(reverse("organizations:members"), data)
    response = client.post(reverse("organizations:members"), data)
    assert "already has a pending invitation" in response.content.decode()
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_accepting_sets_password_joins_the_organization_and_signs_in(client, sponsor):
    invitation = InvitationFactory(organization=sponsor, email="joiner@acme.test", org_role=OrgRole.EXECUTIVE)
    url = reverse("organizations:invitation_accept", args=[invitation.token])
    assert "Join Acme Bio" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "full_name": "Jo Iner",
            "time_zone": "Europe/London",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="joiner@acme.test")
    assert user.organization == sponsor and user.org_role == OrgRole.EXECUTIVE
    assert user.time_zone == "Europe/London"
    assert user.check_password("a-long-pass-phrase-42")
    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # The link works once.
    client.logout()
    assert "This invitation is accepted" in client.get(url).content.decode()


@pytest.mark.django_db
def test_weak_password_comes_back_with_the_reason(client, sponsor):
    invitation = InvitationFactory(organization=sponsor)
    url = reverse("organizations:invitation_accept", args=[invitation.token])
    response = client.post(
        url, {"full_name": "Jo", "time_zone": "UTC", "password1": "12345", "password2": "12345"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert 'value="Jo"' in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.django_db
def test_expired_and_revoked_invitations_cannot_be_used(client, sponsor, sponsor_admin):
    expired = InvitationFactory(organization=sponsor, expires_at=timezone.now() - datetime.timedelta(days=1))
    response = client.get(reverse("organizations:invitation_accept", args=[expired.token]))
    assert "This invitation is expired" in response.content.decode()
    pending = InvitationFactory(organization=sponsor)
    client.force_login(sponsor_admin)
    client.post(reverse("organizations:invitation_revoke", args=[pending.pk]))
    client.logout()
    url = reverse("organizations:invitation_accept", args=[pending.token])
    client.post(
        url,
        {
            "full_name": "X",
            "time_zone": "UTC",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert not User.objects.filter(email=pending.email).exists()


@pytest.mark.django_db
def test_unknown_invitation_token_is_404(client):
    assert client.get(reverse("organizations:invitation_accept", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_admin_deactivates_a_member_who_can_then_not_sign_in(client, sponsor_admin, sponsor_lead, password):
    client.force_login(sponsor_admin)
    response = client.post(
        reverse("organizations:member_edit", args=[sponsor_lead.pk]), {"org_role": "member"}
    )
    assert response.status_code == 302
    sponsor_lead.refresh_from_db()
    assert not sponsor_lead.is_active
    client.logout()
    client.post(reverse("account_login"), {"login": sponsor_lead.email, "password": password})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_cannot_demote_themselves(client, sponsor_admin):
    client.force_login(sponsor_admin)
    response = client.post(
        reverse("organizations:member_edit", args=[sponsor_admin.pk]),
        {"org_role": "member", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "cannot change your own role" in response.content.decode()
    sponsor_admin.refresh_from_db()
    assert sponsor_admin.org_role == OrgRole.ADMIN


@pytest.mark.django_db
def test_admin_switches_on_the_two_factor_requirement(client, sponsor_admin, sponsor):
    client.force_login(sponsor_admin)
    client.post(reverse("organizations:mfa_requirement"), {"require_mfa": "on"})
    sponsor.refresh_from_db()
    assert sponsor.require_mfa


def _accept(client, invitation, **fields):
    url = reverse("organizations:invitation_accept", args=[invitation.token])
    data = {
        "full_name": "Jo Iner",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
    }
    return client.post(url, {**data, **fields})


@pytest.mark.django_db
def test_a_new_member_gets_the_organizations_time_zone_unless_they_choose_another(client, cdmo):
    assert cdmo.time_zone == "Europe/Berlin"
    invitation = InvitationFactory(organization=cdmo, email="joiner@northbridge.test")
    url = reverse("organizations:invitation_accept", args=[invitation.token])
    form = client.get(url).context["form"]
    assert form["time_zone"].value() == "Europe/Berlin"
    assert '<option value="Europe/Berlin" selected>' in client.get(url).content.decode()

    # The preselected zone, sent as the browser sends it.
    assert _accept(client, invitation, time_zone="Europe/Berlin").status_code == 302
    assert User.objects.get(email="joiner@northbridge.test").time_zone == "Europe/Berlin"

    client.logout()
    chooser = InvitationFactory(organization=cdmo, email="chooser@northbridge.test")
    assert _accept(client, chooser, time_zone="Asia/Tokyo").status_code == 302
    assert User.objects.get(email="chooser@northbridge.test").time_zone == "Asia/Tokyo"


@pytest.mark.django_db
def test_a_form_without_a_time_zone_takes_the_organizations(client, cdmo):
    invitation = InvitationFactory(organization=cdmo, email="joiner@northbridge.test")
    assert _accept(client, invitation).status_code == 302
    assert User.objects.get(email="joiner@northbridge.test").time_zone == "Europe/Berlin"


@pytest.mark.django_db
def test_an_unknown_time_zone_is_a_form_error(client, cdmo):
    invitation = InvitationFactory(organization=cdmo, email="joiner@northbridge.test")
    response = _accept(client, invitation, time_zone="Mars/Olympus_Mons")
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert not User.objects.filter(email="joiner@northbridge.test").exists()

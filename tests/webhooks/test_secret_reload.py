"""A webhook's secret (a new endpoint's, a rotated one) is shown by POST-redirect-GET: the POST
makes or rotates it and redirects to the secret page, which shows it once; a reload of that page
says it was shown and never adds or rotates again. The secret waits only in the admin's own
server-side session, keyed to the subscription's id."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from integration.webhooks import signing
from integration.webhooks.models import WebhookSubscription
from portal.accounts.models import OrgRole
from tests.factories.organizations import UserFactory
from tests.factories.webhooks import SECRET, WebhookSubscriptionFactory
from tests.http import text

pytestmark = pytest.mark.django_db

WHSEC = re.compile(r"whsec_[A-Za-z0-9_-]{43}")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sessions() -> str:
    return " ".join(str(session.get_decoded()) for session in Session.objects.all())


def _rotations(subscription) -> int:
    return subscription.history.filter(
        pgh_context__metadata__reason__startswith="Webhook secret rotated"
    ).count()


def test_adding_an_endpoint_then_reloading_shows_the_secret_once_and_adds_one(cdmo_admin, receiver):
    client = _signed_in(cdmo_admin)
    response = client.post(reverse("webhooks:create"), {"url": receiver.url, "events": ["flag.raised"]})
    subscription = WebhookSubscription.objects.get()
    secret_page = reverse("webhooks:secret", kwargs={"webhooksubscription_id": subscription.pk})
    assert response.status_code == 302 and response["Location"] == secret_page
    secret = signing.decrypt(subscription.secret_encrypted)
    assert secret not in text(response) and secret in _sessions()

    first = client.get(secret_page)
    assert "no-store" in first["Cache-Control"]
    assert WHSEC.findall(text(first)) == [secret] and "Copy it now: it will not be shown again" in text(first)
    assert secret not in _sessions()

    again = client.get(secret_page)
    assert again.status_code == 200 and not WHSEC.search(text(again))
    assert "Signing secret already shown" in text(again)
    assert WebhookSubscription.objects.count() == 1
    for url in (subscription.get_absolute_url(), reverse("webhooks:list")):
        assert secret not in text(client.get(url))


def test_rotating_then_reloading_rotates_once(project):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor)
    one = {"webhooksubscription_id": subscription.pk}
    client = _signed_in(subscription.created_by)
    response = client.post(reverse("webhooks:rotate", kwargs=one))
    assert response.status_code == 302 and response["Location"] == reverse("webhooks:secret", kwargs=one)
    subscription.refresh_from_db()
    rotated = (subscription.version, subscription.secret_encrypted, subscription.previous_secret_until)
    new = signing.decrypt(subscription.secret_encrypted)
    assert new != SECRET and signing.decrypt(subscription.previous_secret_encrypted) == SECRET

    first = text(client.get(response["Location"]))
    assert WHSEC.findall(first) == [new] and "New signing secret" in first
    for _ in range(2):  # reloads
        page = text(client.get(response["Location"]))
        assert not WHSEC.search(page) and new not in page
    subscription.refresh_from_db()
    assert (
        subscription.version,
        subscription.secret_encrypted,
        subscription.previous_secret_until,
    ) == rotated
    assert _rotations(subscription) == 1
    # The previous secret is still the factory's: a second rotation would have replaced it.
    assert signing.decrypt(subscription.previous_secret_encrypted) == SECRET


def test_another_admins_session_never_sees_the_secret(project, outsider):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor)
    one = {"webhooksubscription_id": subscription.pk}
    rotating = _signed_in(subscription.created_by)
    secret_page = rotating.post(reverse("webhooks:rotate", kwargs=one))["Location"]
    colleague = UserFactory(organization=project.sponsor, org_role=OrgRole.ADMIN)
    page = _signed_in(colleague).get(secret_page)
    assert page.status_code == 200 and not WHSEC.search(text(page))
    assert _signed_in(outsider).get(secret_page).status_code == 404  # another organization's
    subscription.refresh_from_db()
    assert WHSEC.findall(text(rotating.get(secret_page))) == [signing.decrypt(subscription.secret_encrypted)]

"""Stopping the previous secret's signature early (it leaked): an admin action shown only while a
rotation's overlap lasts. After it the real loopback receiver gets only the new secret's `v1=`;
the change is listed on the subscription's page; the action is POST-redirect-GET."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from integration.webhooks import signing
from integration.webhooks.models import WebhookSubscription
from tests.factories.webhooks import SECRET, WebhookSubscriptionFactory
from tests.http import text

pytestmark = pytest.mark.django_db

ROTATED_AT = dt.datetime(2027, 5, 10, 9, 0, tzinfo=dt.UTC)
TWO_SIGNATURES = re.compile(r"^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$")
ONE_SIGNATURE = re.compile(r"^t=\d+,v1=[0-9a-f]{64}$")
BUTTON = "Stop signing with the previous secret now"


def _ping(client, subscription, capture):
    with capture(execute=True):
        response = client.post(reverse("webhooks:test", kwargs={"webhooksubscription_id": subscription.pk}))
    assert response.status_code == 302


def test_after_stopping_only_the_new_signature_is_sent(
    login, project, receiver, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    one = {"webhooksubscription_id": subscription.pk}
    with time_machine.travel(ROTATED_AT, tick=True):
        client = login(subscription.created_by)
        assert BUTTON not in text(client.get(subscription.get_absolute_url()))  # no overlap yet
        client.post(reverse("webhooks:rotate", kwargs=one), follow=True)
        new = signing.decrypt(WebhookSubscription.objects.get(pk=subscription.pk).secret_encrypted)
        assert BUTTON in text(client.get(subscription.get_absolute_url()))
        _ping(client, subscription, django_capture_on_commit_callbacks)
        assert TWO_SIGNATURES.match(receiver.received[-1].headers[signing.HEADER])

    with time_machine.travel(ROTATED_AT + dt.timedelta(hours=1), tick=True):
        client = login(subscription.created_by)
        response = client.post(reverse("webhooks:end_overlap", kwargs=one))
        assert response.status_code == 302 and response["Location"] == subscription.get_absolute_url()
        page = text(client.get(response["Location"]))
        assert "Stopped: deliveries are now signed with the new secret only." in page
        assert BUTTON not in page and "also signed with the previous secret" not in page
        assert "<strong>Signing with the previous secret stopped</strong>" in page
        assert f"The previous secret (ending …{SECRET[-4:]}) no longer signs" in page
        stopped = WebhookSubscription.objects.get(pk=subscription.pk)
        assert stopped.previous_secret_encrypted == ""
        assert stopped.previous_secret_until - ROTATED_AT < dt.timedelta(hours=1, seconds=5)
        assert signing.decrypt(stopped.secret_encrypted) == new  # the current secret is untouched

        _ping(client, subscription, django_capture_on_commit_callbacks)
        request = receiver.received[-1]
        assert ONE_SIGNATURE.match(request.headers[signing.HEADER]), request.headers[signing.HEADER]
        assert request.verifies(new) and not request.verifies(SECRET)

        # A second click (a resent form, another tab) changes nothing and says why.
        again = client.post(reverse("webhooks:end_overlap", kwargs=one), follow=True)
        assert "there is no previous secret to stop" in text(again)
        assert WebhookSubscription.objects.get(pk=subscription.pk).version == stopped.version

    # Still inside what was the 24-hour overlap: only the new secret signs.
    with time_machine.travel(ROTATED_AT + dt.timedelta(hours=23), tick=True):
        _ping(login(subscription.created_by), subscription, django_capture_on_commit_callbacks)
        assert ONE_SIGNATURE.match(receiver.received[-1].headers[signing.HEADER])
    assert len(receiver.received) == 3


def test_the_action_is_offered_only_during_an_overlap(login, project):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor)
    one = {"webhooksubscription_id": subscription.pk}
    with time_machine.travel(ROTATED_AT, tick=True):
        login(subscription.created_by).post(reverse("webhooks:rotate", kwargs=one))
    with time_machine.travel(ROTATED_AT + dt.timedelta(hours=24, minutes=1), tick=True):
        client = login(subscription.created_by)
        assert BUTTON not in text(client.get(subscription.get_absolute_url()))
        refused = client.post(reverse("webhooks:end_overlap", kwargs=one), follow=True)
        assert "there is no previous secret to stop" in text(refused)
    subscription.refresh_from_db()
    assert subscription.version == 2 and subscription.previous_secret_encrypted  # the rotation's only


def test_only_an_admin_of_its_organization_stops_it(login, project, sponsor_lead, outsider):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor)
    one = {"webhooksubscription_id": subscription.pk}
    login(subscription.created_by).post(reverse("webhooks:rotate", kwargs=one))
    for user in (sponsor_lead, outsider):
        assert login(user).post(reverse("webhooks:end_overlap", kwargs=one)).status_code == 404
    subscription.refresh_from_db()
    assert subscription.previous_secret_encrypted and subscription.version == 2

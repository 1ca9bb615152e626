"""Rotating a subscription's secret with an overlap: for WEBHOOK_SECRET_OVERLAP_HOURS the
deliveries carry a signature made with the new secret and one made with the previous secret
(`t=…,v1=<new>,v1=<previous>`), then only the new one. Checked against the real loopback
receiver, with the portal's verify() and with the receiver code docs/webhooks.md gives."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from integration.webhooks import signing
from integration.webhooks.models import WebhookSubscription
from tests.factories.webhooks import SECRET, WebhookSubscriptionFactory
from tests.http import text

pytestmark = pytest.mark.django_db

ROTATED_AT = dt.datetime(2027, 5, 10, 9, 0, tzinfo=dt.UTC)
TWO_SIGNATURES = re.compile(r"^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$")
ONE_SIGNATURE = re.compile(r"^t=\d+,v1=[0-9a-f]{64}$")


def documented_verify():
    """The `verify` function docs/webhooks.md tells receivers to use, run as they would."""
    doc = (Path(django_settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    section = doc.split("## Verifying a delivery", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 (our own docs)
    return namespace["verify"]


def _send_test_event(login, subscription, capture):
    client = login(subscription.created_by)  # signed in at the travelled-to time
    with capture(execute=True):
        response = client.post(reverse("webhooks:test", kwargs={"webhooksubscription_id": subscription.pk}))
    assert response.status_code == 302


def test_both_secrets_verify_during_the_overlap_and_only_the_new_one_after(
    login, project, receiver, django_capture_on_commit_callbacks
):
    verify_as_documented = documented_verify()
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    one = {"webhooksubscription_id": subscription.pk}
    with time_machine.travel(ROTATED_AT, tick=True):
        client = login(subscription.created_by)
        response = client.post(reverse("webhooks:rotate", kwargs=one), follow=True)
        assert response.redirect_chain == [(reverse("webhooks:secret", kwargs=one), 302)]
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        new = re.search(r"whsec_[A-Za-z0-9_-]{43}", text(response)).group(0)
        assert new != SECRET
        assert "two <code>v1=</code> entries" in text(response) and "11 May 2027" in text(response)
        subscription.refresh_from_db()
        until = subscription.previous_secret_until - ROTATED_AT  # the clock ticks: a second at most
        assert dt.timedelta(hours=24) <= until < dt.timedelta(hours=24, seconds=5)
        assert "also signed with the previous secret" in text(client.get(subscription.get_absolute_url()))

    for moment in [ROTATED_AT + dt.timedelta(minutes=1), ROTATED_AT + dt.timedelta(hours=23, minutes=59)]:
        with time_machine.travel(moment, tick=True):
            _send_test_event(login, subscription, django_capture_on_commit_callbacks)
            request = receiver.received[-1]
            header = request.headers[signing.HEADER]
            assert TWO_SIGNATURES.match(header), header
            # A receiver still on the old secret, and one already switched, both accept.
            assert request.verifies(SECRET) and request.verifies(new)
            assert verify_as_documented(SECRET, request.body, header)
            assert verify_as_documented(new, request.body, header)
            assert not request.verifies("whsec_some-other-secret")

    with time_machine.travel(ROTATED_AT + dt.timedelta(hours=24, minutes=1), tick=True):
        _send_test_event(login, subscription, django_capture_on_commit_callbacks)
        request = receiver.received[-1]
        header = request.headers[signing.HEADER]
        assert ONE_SIGNATURE.match(header), header
        assert request.verifies(new) and verify_as_documented(new, request.body, header)
        assert not request.verifies(SECRET) and not verify_as_documented(SECRET, request.body, header)
        page = text(login(subscription.created_by).get(subscription.get_absolute_url()))
        assert (
            "also signed with the previous secret" not in page
            and "<strong>Secret rotated</strong>" in page
            and f"The secret now ends …{new[-4:]}" in page
        )
    assert len(receiver.received) == 3


def test_a_second_rotation_in_the_overlap_keeps_only_the_secret_it_replaces(
    login, project, receiver, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    one = {"webhooksubscription_id": subscription.pk}
    secrets = []
    for hours in (0, 2):
        with time_machine.travel(ROTATED_AT + dt.timedelta(hours=hours), tick=True):
            response = login(subscription.created_by).post(
                reverse("webhooks:rotate", kwargs=one), follow=True
            )
            secrets.append(re.search(r"whsec_[A-Za-z0-9_-]{43}", text(response)).group(0))
    first, second = secrets
    with time_machine.travel(ROTATED_AT + dt.timedelta(hours=3), tick=True):
        _send_test_event(login, subscription, django_capture_on_commit_callbacks)
        (request,) = receiver.received
        assert TWO_SIGNATURES.match(request.headers[signing.HEADER])
        assert request.verifies(second) and request.verifies(first) and not request.verifies(SECRET)
    subscription = WebhookSubscription.objects.get(pk=subscription.pk)
    # The overlap runs from the latest rotation.
    until = subscription.previous_secret_until - ROTATED_AT
    assert dt.timedelta(hours=26) <= until < dt.timedelta(hours=26, seconds=5)


def test_the_overlap_follows_the_setting(
    login, project, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 1
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    with time_machine.travel(ROTATED_AT, tick=True):
        login(subscription.created_by).post(
            reverse("webhooks:rotate", kwargs={"webhooksubscription_id": subscription.pk})
        )
    with time_machine.travel(ROTATED_AT + dt.timedelta(minutes=61), tick=True):
        _send_test_event(login, subscription, django_capture_on_commit_callbacks)
    (request,) = receiver.received
    assert ONE_SIGNATURE.match(request.headers[signing.HEADER])
    assert not request.verifies(SECRET)

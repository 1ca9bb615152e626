"""The organization admin's webhook pages: list, create (the secret shown once), the delivery
log, pause and resume, rotate the secret, send a test event, deactivate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integration.webhooks import signing
from integration.webhooks.models import (
    DeliveryStatus,
    SubscriptionStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from portal.core.events import EVENTS
from tests.factories.webhooks import WebhookSubscriptionFactory
from tests.http import text

pytestmark = pytest.mark.django_db


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(login, cdmo_admin, receiver):
    client = login(cdmo_admin)
    response = client.post(
        reverse("webhooks:create"), {"url": receiver.url, "events": ["flag.raised", "issue.escalated"]}
    )
    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "webhooks:secret", kwargs={"webhooksubscription_id": subscription.pk}
    )
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    secret = signing.decrypt(subscription.secret_encrypted)
    assert secret in text(response)
    assert secret not in subscription.secret_encrypted
    assert (subscription.organization_id, subscription.events) == (
        cdmo_admin.organization_id,
        ["flag.raised", "issue.escalated"],
    )
    detail = client.get(subscription.get_absolute_url())
    assert detail.status_code == 200
    assert secret not in text(detail)
    assert secret[-4:] in text(detail)


def test_a_refused_endpoint_comes_back_with_the_error_and_what_was_typed(login, cdmo_admin, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    client = login(cdmo_admin)
    for url, error in [
        ("http://hooks.example.com/in", "must use https://"),
        ("https://10.0.0.8/in", "public address"),
        ("https://localhost/in", "reachable on the internet"),
    ]:
        response = client.post(reverse("webhooks:create"), {"url": url, "events": ["flag.raised"]})
        assert response.status_code == 200
        body = text(response)
        assert error in body
        assert url in body
    response = client.post(reverse("webhooks:create"), {"url": "https://hooks.example.com/in"})
    assert "This field is required" in text(response)
    assert "https://hooks.example.com/in" in text(response)
    assert not WebhookSubscription.objects.exists()


def test_pause_resume_rotate_test_and_deactivate(
    login, project, receiver, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    client = login(subscription.created_by)
    one = {"webhooksubscription_id": subscription.pk}
    client.post(reverse("webhooks:pause", kwargs=one))
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAUSED
    # Paused: a test event is refused, with the reason.
    response = client.post(reverse("webhooks:test", kwargs=one), follow=True)
    assert "Resume the subscription" in text(response)
    client.post(reverse("webhooks:resume", kwargs=one))
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE

    old = signing.decrypt(subscription.secret_encrypted)
    response = client.post(reverse("webhooks:rotate", kwargs=one), follow=True)
    subscription.refresh_from_db()
    new = signing.decrypt(subscription.secret_encrypted)
    assert new != old and new in text(response)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:test", kwargs=one))
    (request,) = receiver.received
    # Within the rotation's overlap both verify (tests/webhooks/test_rotation.py: and after it).
    assert request.verifies(new) and request.verifies(old)
    log = text(client.get(reverse("webhooks:detail", kwargs=one)))
    assert "ping" in log and "200" in log

    client.post(reverse("webhooks:deactivate", kwargs=one))
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.DEACTIVATED
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()


def test_a_member_who_is_not_an_admin_gets_404_as_on_the_token_and_target_pages(login, project, sponsor_lead):
    """Every webhook page answers a member who is not an admin as the API token and scorecard
    target pages do: 404 (the same `organization_admin_required`), never 403."""
    subscription = WebhookSubscriptionFactory(organization=project.sponsor)
    client = login(sponsor_lead)
    one = {"webhooksubscription_id": subscription.pk}
    assert client.get(reverse("api:tokens")).status_code == 404
    assert client.get(reverse("scorecards:targets")).status_code == 404
    for name in ["list", "create"]:
        assert client.get(reverse(f"webhooks:{name}")).status_code == 404, name
    assert client.get(subscription.get_absolute_url()).status_code == 404
    assert client.get(reverse("webhooks:edit", kwargs=one)).status_code == 404
    assert client.get(reverse("webhooks:secret", kwargs=one)).status_code == 404
    for name in ["edit", "pause", "resume", "deactivate", "rotate", "end_overlap", "test"]:
        assert client.post(reverse(f"webhooks:{name}", kwargs=one)).status_code == 404, name
    subscription.refresh_from_db()
    assert (subscription.status, subscription.version) == (SubscriptionStatus.ACTIVE, 1)
    # The organization's admin gets the same pages.
    admin = login(subscription.created_by)
    assert admin.get(reverse("webhooks:list")).status_code == 200
    assert admin.get(subscription.get_absolute_url()).status_code == 200


def test_the_delivery_log_pages_in_a_constant_number_of_queries(login, project, django_assert_num_queries):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor)
    client = login(subscription.created_by)
    url = subscription.get_absolute_url()

    def add(n):
        for index in range(n):
            WebhookDelivery.objects.create(
                subscription=subscription,
                event="ping",
                event_id=f"00000000-0000-0000-0000-{len(EVENTS) * 1000 + WebhookDelivery.objects.count():012d}",
                occurred_at=subscription.created_at,
                created_at=subscription.created_at,
                status=DeliveryStatus.DELIVERED,
                response_code=200 + index % 2,
            )

    one = {"webhooksubscription_id": subscription.pk}
    client.post(reverse("webhooks:pause", kwargs=one))
    client.post(reverse("webhooks:resume", kwargs=one))
    add(3)
    client.get(url)
    # 7, and two for the changes (their events, their authors' names).
    with django_assert_num_queries(9) as few:
        client.get(url)
    first = len(few.captured_queries)
    add(60)
    for _ in range(15):
        client.post(reverse("webhooks:pause", kwargs=one))
        client.post(reverse("webhooks:resume", kwargs=one))
    with django_assert_num_queries(first):
        response = client.get(url)
    assert "of 63" in text(response)
    assert text(response).count("<strong>Resumed</strong>") == 10  # the latest 20 changes


def test_the_list_of_endpoints_is_a_constant_number_of_queries(login, project, django_assert_num_queries):
    first = WebhookSubscriptionFactory(organization=project.sponsor)
    client = login(first.created_by)
    client.get(reverse("webhooks:list"))
    with django_assert_num_queries(5) as few:
        client.get(reverse("webhooks:list"))
    for n in range(5):
        WebhookSubscriptionFactory(organization=project.sponsor, url=f"https://hooks.example.com/{n}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("webhooks:list"))
    assert text(response).count("hooks.example.com/") == 6

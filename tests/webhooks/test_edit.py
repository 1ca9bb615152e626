"""Editing a subscription (endpoint, events, description), tracked and shown on its page; pause
and resume by hand; events of a paused subscription are never replayed on resume."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integration.webhooks import sending
from integration.webhooks.models import SubscriptionStatus, WebhookDelivery, WebhookSubscription
from tests.factories.webhooks import WebhookSubscriptionFactory
from tests.http import text
from tests.projects.update_helpers import published_update

pytestmark = pytest.mark.django_db


def _edit(client, subscription, **typed):
    data = {
        "url": subscription.url,
        "description": subscription.description,
        "events": subscription.events,
        "version": subscription.version,
        **typed,
    }
    return client.post(reverse("webhooks:edit", kwargs={"webhooksubscription_id": subscription.pk}), data)


def test_an_admin_edits_endpoint_events_and_description_and_the_page_shows_the_change(
    login, project, cdmo_pm, receiver, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscriptionFactory(
        organization=project.sponsor, events=["flag.raised"], description="Old name"
    )
    admin = subscription.created_by
    client = login(admin)
    form = text(client.get(reverse("webhooks:edit", kwargs={"webhooksubscription_id": subscription.pk})))
    assert subscription.url in form and "Old name" in form and 'name="version" value="1"' in form

    response = _edit(
        client,
        subscription,
        url=receiver.url,
        events=["update.published", "flag.raised"],
        description="Warehouse",
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.url, subscription.events, subscription.description, subscription.version) == (
        receiver.url,
        ["flag.raised", "update.published"],
        "Warehouse",
        2,
    )
    # Tracked: one pghistory event for the edit, with who made it.
    edit = subscription.history.order_by("pgh_id").last()
    assert (edit.pgh_label, edit.url, edit.description) == ("update", receiver.url, "Warehouse")
    assert edit.pgh_context.metadata["user"] == admin.pk
    page = text(client.get(subscription.get_absolute_url()))
    assert "<strong>Edited</strong>" in page and str(admin) in page
    assert f"Endpoint: https://hooks.example.com/meridian → {receiver.url}" in page
    assert "Description: “Old name” → “Warehouse”" in page and "Events added: " in page

    # The next delivery goes to the new endpoint, for the newly chosen event.
    with django_capture_on_commit_callbacks(execute=True):
        published_update(cdmo_pm, project)
    assert receiver.events() == ["update.published"]


def test_refused_input_comes_back_with_errors_and_everything_typed(login, project, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, events=["flag.raised"])
    client = login(subscription.created_by)
    for typed, error in [
        ({"url": "http://hooks.example.com/in"}, "must use https://"),
        ({"url": "https://192.168.1.5/in"}, "public address"),
        ({"url": "https://intranet.local/in"}, "reachable on the internet"),
        ({"url": "not a url"}, "Enter a valid URL"),
        ({"events": []}, "This field is required"),
        ({"events": ["no.such.event"]}, "Select a valid choice"),
    ]:
        typed = {"description": "Typed description", **typed}
        response = _edit(client, subscription, **typed)
        assert response.status_code == 200, typed
        body = text(response)
        assert error in body, typed
        assert 'value="Typed description"' in body
        if "url" in typed:
            assert typed["url"] in body
    subscription.refresh_from_db()
    assert (subscription.url, subscription.description, subscription.version) == (
        "https://hooks.example.com/meridian",
        "",
        1,
    )
    assert subscription.history.count() == 1  # its creation only


def test_an_edit_made_meanwhile_is_not_overwritten(login, project):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor)
    client = login(subscription.created_by)
    stale = WebhookSubscription.objects.get(pk=subscription.pk)
    assert _edit(client, subscription, description="First").status_code == 302
    response = _edit(client, stale, description="Second, from an old form")
    assert response.status_code == 200
    assert "changed meanwhile" in text(response) and "Second, from an old form" in text(response)
    subscription.refresh_from_db()
    assert subscription.description == "First"


def test_nothing_changed_writes_nothing_and_a_deactivated_one_is_not_edited(login, project):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor)
    client = login(subscription.created_by)
    response = _edit(client, subscription)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.version == 1 and subscription.history.count() == 1
    subscription.status = SubscriptionStatus.DEACTIVATED
    subscription.save()
    response = _edit(client, subscription, url="https://hooks.example.com/other")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.url == "https://hooks.example.com/meridian"


def test_resuming_after_failures_resets_the_count_and_paused_events_are_not_replayed(
    login, project, cdmo_pm, receiver, settings, broker_down, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 2
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    receiver.answers = [500, 500]
    for title in ["First", "Second"]:
        published_update(cdmo_pm, project, title=title)
    for delivery in WebhookDelivery.objects.order_by("pk"):
        sending.attempt(delivery.pk)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.consecutive_failures) == (SubscriptionStatus.PAUSED, 2)

    client = login(subscription.created_by)
    page = text(client.get(subscription.get_absolute_url()))
    assert "Paused after 2 failed attempts" in page
    assert "not sent, not even after you resume it" in page

    # While paused: an event happens; no delivery is written for it, nothing is kept back.
    published_update(cdmo_pm, project, title="While paused")
    assert WebhookDelivery.objects.count() == 2

    client.post(reverse("webhooks:resume", kwargs={"webhooksubscription_id": subscription.pk}))
    subscription.refresh_from_db()
    assert (subscription.status, subscription.consecutive_failures) == (SubscriptionStatus.ACTIVE, 0)
    broker_down()  # eager again: what is queued from now on is sent at commit
    with django_capture_on_commit_callbacks(execute=True):
        published_update(cdmo_pm, project, title="After resume")
    titles = [r.json["subject"]["title"] for r in receiver.received]
    assert titles == ["First", "Second", "After resume"]  # "While paused" never arrives
    assert WebhookDelivery.objects.count() == 3
    assert "<strong>Resumed</strong>" in text(client.get(subscription.get_absolute_url()))

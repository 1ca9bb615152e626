"""Webhook subscriptions (integration.webhooks)."""

import factory
from django.utils import timezone

from integration.webhooks import signing
from integration.webhooks.models import WebhookSubscription
from portal.accounts.models import OrgRole
from portal.core.events import EVENTS
from tests.factories.organizations import UserFactory

SECRET = "whsec_test-secret-of-the-factory"


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    """An active subscription to every event, signed with SECRET (unless `secret` is given)."""

    class Meta:
        model = WebhookSubscription

    class Params:
        secret = SECRET

    organization = factory.SubFactory("tests.factories.organizations.SponsorFactory")
    url = "https://hooks.example.com/meridian"
    events = factory.LazyFunction(lambda: sorted(EVENTS))
    secret_encrypted = factory.LazyAttribute(lambda s: signing.encrypt(s.secret))
    secret_hint = factory.LazyAttribute(lambda s: s.secret[-4:])
    created_by = factory.LazyAttribute(
        lambda s: UserFactory(organization=s.organization, org_role=OrgRole.ADMIN)
    )
    created_at = factory.LazyFunction(timezone.now)


def populate_project(project) -> None:
    """A subscription of the project's sponsor (the outsider walk fills the webhook URLs with it)."""
    WebhookSubscriptionFactory(organization=project.sponsor, url="https://hooks.example.com/victim")

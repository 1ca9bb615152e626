"""Factories for organizations and people (tests and demo data)."""

import factory
from allauth.account.models import EmailAddress
from django.utils.text import slugify

from demo.common import DEMO_PASSWORD as DEFAULT_PASSWORD  # the demo owns it; tests sign in with it
from portal.accounts.models import OrgRole, User
from portal.organizations.models import Invitation, Organization, OrganizationKind


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name)[:80])
    kind = OrganizationKind.SPONSOR
    country = "US"
    time_zone = "America/New_York"


class SponsorFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Sponsor Bio {n}")
    kind = OrganizationKind.SPONSOR


class CDMOFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"CDMO Labs {n}")
    kind = OrganizationKind.CDMO
    country = "DE"
    time_zone = "Europe/Berlin"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    organization = factory.SubFactory(SponsorFactory)
    org_role = OrgRole.MEMBER
    time_zone = factory.LazyAttribute(lambda u: u.organization.time_zone if u.organization else "UTC")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        # allauth requires a verified address to sign in (mandatory verification).
        if create:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(SponsorFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    org_role = OrgRole.MEMBER
    invited_by = factory.SubFactory(
        UserFactory, organization=factory.SelfAttribute("..organization"), org_role=OrgRole.ADMIN
    )

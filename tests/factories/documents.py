"""Factories for documents built in the background (portal/documents)."""

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from portal.documents.models import Document, DocumentStatus
from tests.factories.organizations import UserFactory


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document as a worker leaves it: ready, with a small PDF stored."""

    class Meta:
        model = Document

    requested_by = factory.SubFactory(UserFactory)
    organization = factory.LazyAttribute(lambda d: d.requested_by.organization)
    kind = "monitoring.dashboard_pdf"
    title = "escalation dashboard PDF"
    parameters = factory.LazyFunction(dict)
    status = DocumentStatus.READY
    done = 3
    total = 3
    filename = "escalation-dashboard.pdf"
    content_type = "application/pdf"
    created_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    file = factory.LazyAttribute(lambda d: ContentFile(b"%PDF-1.7\n% victim's dashboard\n", name=d.filename))


def populate_project(project):
    """A dashboard PDF one of the sponsor's people asked for (the outsider walk's document URLs)."""
    member = (
        project.members.filter(user__organization=project.sponsor)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    requester = member.user if member else UserFactory(organization=project.sponsor)
    return DocumentFactory(requested_by=requester)

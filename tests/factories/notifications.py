"""Factories for notifications (tests and demo data)."""

import factory
from django.utils import timezone

from portal.notifications.models import EmailMode, EmailStatus, Notification, NotificationPreference
from projects.notifications import project_subject
from tests.factories.organizations import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """A stored notification, without going through notify() (no email is queued)."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "update.published"
    dedupe_key = factory.Sequence(lambda n: f"test.notification:object-{n}:2026-03-02")
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened on a project you are on."
    url = "/projects/"
    created_at = factory.LazyFunction(timezone.now)
    email_status = EmailStatus.PENDING
    email_to = factory.LazyAttribute(lambda n: n.recipient.email)
    email_subject = factory.LazyAttribute(lambda n: n.title)
    email_text = factory.LazyAttribute(lambda n: f"{n.title}\n\n{n.body}\n")
    email_html = factory.LazyAttribute(lambda n: f"<p>{n.title}</p>")

    class Params:
        # NotificationFactory(project=p): a notification about the project p.
        project = None

    subject_type = factory.LazyAttribute(lambda n: "projects.project" if n.project else "")
    subject_id = factory.LazyAttribute(lambda n: n.project.pk if n.project else None)
    subject_code = factory.LazyAttribute(lambda n: n.project.code if n.project else "")
    subject_name = factory.LazyAttribute(lambda n: n.project.name if n.project else "")


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    email_mode = EmailMode.DAILY_DIGEST
    digest_hour = 7


def populate_project(project):
    """One notification about `project`, to a person on its team (through the real notify()),
    who has also chosen how to be emailed."""
    from portal.notifications.services import notify

    member = project.members.filter(removed_at__isnull=True).select_related("user").order_by("pk").first()
    recipient = member.user if member else UserFactory(organization=project.sponsor)
    NotificationPreferenceFactory(user=recipient)
    return notify(
        recipients=[recipient],
        kind="update.published",
        dedupe_key=f"update.published:project-{project.pk}:populate",
        title=f"{project.code}: new status update",
        body=f"A status update for {project.name} was published.",
        url=project.get_absolute_url(),
        subject=project_subject(project),
    )

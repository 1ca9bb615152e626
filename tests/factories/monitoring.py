"""Factories for red flags (tests and benchmarks)."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from oversight.monitoring.models import Flag, FlagKind, Severity
from tests.factories.projects import ProjectFactory


class FlagFactory(factory.django.DjangoModelFactory):
    """An open flag. By default its subject is the project itself (as for a missing decision-maker)."""

    class Meta:
        model = Flag
        exclude = ["subject"]

    project = factory.SubFactory(ProjectFactory)
    subject = factory.SelfAttribute("project")
    subject_type = factory.LazyAttribute(lambda f: ContentType.objects.get_for_model(f.subject))
    subject_id = factory.LazyAttribute(lambda f: f.subject.pk)
    kind = FlagKind.NO_DECISION_MAKER
    severity = Severity.CRITICAL
    explanation = factory.LazyAttribute(
        lambda f: f"{f.project.code} has no sponsor decision-maker on the team."
    )
    raised_at = factory.LazyFunction(timezone.now)


def populate_project(project) -> None:
    """An open and a cleared flag for `project` (used by the outsider walk and the admin test)."""
    FlagFactory(project=project, explanation="Victim flag: no decision-maker on the team")
    raised = timezone.now() - datetime.timedelta(days=14)
    FlagFactory(
        project=project,
        kind=FlagKind.STALE_UPDATE,
        severity=Severity.WARNING,
        explanation="Victim flag: no status update for 12 days",
        raised_at=raised,
        cleared_at=raised + datetime.timedelta(days=3),
    )

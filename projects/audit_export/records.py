"""Which records of a project carry signatures: a registry the apps fill.

A signature points at its record by content type and id; the projects app does not know the
meetings or issues of a project (they are above it). Each app that signs a record of a project
registers, from its `AppConfig.ready()`, how to find that project's records:

    register_signed_records("meetings.Meeting", lambda project: Meeting.objects.filter(project=project))

The query is used as a subquery (`values("pk")`), never loaded.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

_records: dict[str, Callable[[models.Model], models.QuerySet]] = {}


def register_signed_records(model_label: str, records: Callable[[models.Model], models.QuerySet]) -> None:
    _records[model_label] = records


def signed_records_of(project) -> Q:
    """A filter for Signature or SigningAttempt rows on any registered record of `project`."""
    wanted = Q(pk__in=[])
    for label, records in _records.items():
        model = apps.get_model(label)
        wanted |= Q(
            record_type=ContentType.objects.get_for_model(model),
            record_id__in=records(project).values("pk"),
        )
    return wanted

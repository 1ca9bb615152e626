"""Notifications point at their subject by type and id instead of a foreign key to projects.

The new fields are filled from the old foreign key (type "projects.project", the project's id,
code and name) before the key is dropped; going back fills the key from the subject again.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

PROJECT = "projects.project"


def subject_from_project(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Project = apps.get_model("projects", "Project")
    project = Project.objects.filter(pk=OuterRef("project_id"))
    Notification.objects.filter(project__isnull=False).update(
        subject_type=PROJECT,
        subject_id=models.F("project_id"),
        subject_code=Subquery(project.values("code")[:1]),
        subject_name=Subquery(project.values("name")[:1]),
    )


def project_from_subject(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(subject_type=PROJECT).update(project_id=models.F("subject_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_refuse_truncate"),
        ("projects", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="subject_type",
            field=models.CharField(blank=True, help_text='e.g. "projects.project".', max_length=64),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_code",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(subject_from_project, project_from_subject),
        migrations.RemoveField(
            model_name="notification",
            name="project",
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["subject_type", "subject_id"], name="notification_subject_idx"),
        ),
    ]

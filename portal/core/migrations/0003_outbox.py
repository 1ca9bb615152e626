"""PendingTask becomes the transactional outbox (OutboxTask); beat slots are claimed (BeatClaim)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def existing_rows_into_outbox(apps, schema_editor):
    OutboxTask = apps.get_model("core", "OutboxTask")
    now = django.utils.timezone.now()
    # Never queued (the broker was down): the relay sends them first. Queued: reached Redis.
    OutboxTask.objects.filter(queued_at__isnull=True).update(status="pending", lease_until=now)
    OutboxTask.objects.filter(queued_at__isnull=False).update(status="done", sends=1, finished_at=now)


def retire_old_relay_schedule(apps, schema_editor):
    # The task it named is gone; paused (not deleted) so staff still see it in the admin.
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="core.send_pending_tasks").update(enabled=False)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_pending_task"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="pendingtask", name="pendingtask_waiting_idx"),
        migrations.RenameModel(old_name="PendingTask", new_name="OutboxTask"),
        migrations.AlterModelOptions(
            name="outboxtask",
            options={
                "ordering": ["created_at", "pk"],
                "verbose_name": "background task",
                "verbose_name_plural": "background work",
            },
        ),
        migrations.AlterField(
            model_name="outboxtask",
            name="error",
            field=models.TextField(blank=True, help_text="The last error: why it failed or was retried."),
        ),
        migrations.AlterField(
            model_name="outboxtask",
            name="queued_at",
            field=models.DateTimeField(blank=True, help_text="Last time it reached the broker.", null=True),
        ),
        migrations.AddField(
            model_name="outboxtask",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting for a worker"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="outboxtask",
            name="triggered_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who was signed in when the work was asked for; told if it fails.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="outboxtask",
            name="lease_until",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="Not done by then: the relay sends it to the broker again.",
            ),
        ),
        migrations.AddField(
            model_name="outboxtask",
            name="sends",
            field=models.PositiveIntegerField(default=0, help_text="Times it was handed to the broker."),
        ),
        migrations.AddField(
            model_name="outboxtask",
            name="runs",
            field=models.PositiveIntegerField(default=0, help_text="Times a worker started it."),
        ),
        migrations.AddField(
            model_name="outboxtask", name="started_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="outboxtask", name="finished_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.RunPython(existing_rows_into_outbox, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="outboxtask",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "running"])),
                fields=["lease_until"],
                name="outbox_unfinished_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="outboxtask",
            index=models.Index(fields=["status", "created_at"], name="outbox_status_idx"),
        ),
        migrations.CreateModel(
            name="BeatClaim",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True)),
                ("slot", models.DateTimeField()),
                ("claimed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_by", models.CharField(blank=True, max_length=200)),
            ],
        ),
        migrations.RunPython(retire_old_relay_schedule, migrations.RunPython.noop),
    ]

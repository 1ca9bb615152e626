"""The audit trail cannot be rewritten: not by TRUNCATE, not through the context rows.

The tables are discovered from PostgreSQL's catalog (every table with a trigger that refuses
DELETE), not listed, so a new append-only or no-delete model is checked without editing this file.
"""

import pghistory
import pytest
from django.db import DatabaseError, connection, transaction
from pghistory.models import Context, Events

from projects.models import Project

# Tables with a row-level BEFORE DELETE trigger that raises (pgtrigger's Protect), i.e. whose rows
# are kept: pghistory's event tables, domain records never hard-deleted, the context rows.
KEPT_TABLES_SQL = """
SELECT DISTINCT c.relname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE n.nspname = 'public'
  AND NOT t.tgisinternal
  AND (t.tgtype & 8) <> 0          -- fires on DELETE
  AND (t.tgtype & 1) <> 0          -- for each row
  AND p.prosrc ILIKE '%RAISE EXCEPTION%Cannot%delete%'
ORDER BY 1
"""


def kept_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(KEPT_TABLES_SQL)
        return [name for (name,) in cursor.fetchall()]


def truncate_error(table: str) -> str | None:
    """The error TRUNCATE of `table` raises (None if it succeeded; rolled back either way)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # CASCADE: a foreign key must not be what stops it, only the table's own guard.
            cursor.execute(f'TRUNCATE ONLY "{table}" CASCADE')
            raise _RolledBack
    except _RolledBack:
        return None
    except DatabaseError as exc:
        return str(exc)


class _RolledBack(Exception):
    pass


@pytest.mark.django_db
def test_no_table_whose_rows_are_kept_can_be_truncated():
    tables = kept_tables()
    # The discovery finds the classes we know of (events, domain records, contexts, notifications).
    assert {"projects_projectevent", "projects_project", "pghistory_context"} <= set(tables)
    assert any(name.startswith("notifications_") for name in tables)
    assert len(tables) > 40

    truncatable = {table: truncate_error(table) for table in tables}
    accepted = [table for table, error in truncatable.items() if error is None]
    assert accepted == []
    for table, error in truncatable.items():
        assert "Cannot truncate" in error, (table, error)


@pytest.mark.django_db
def test_audit_context_rows_cannot_be_changed_or_deleted(project):
    with pghistory.context(user=None, url="/projects/1/edit/", reason="Renamed"):
        project.name = "Renamed"
        project.save()
    context = Events.objects.tracks(project).filter(pgh_label="update").get().pgh_context_id
    assert Context.objects.filter(pk=context).exists()

    for statement in (
        'UPDATE pghistory_context SET metadata = \'{"reason": "forged"}\' WHERE id = %s',
        "DELETE FROM pghistory_context WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [context])
    assert Context.objects.get(pk=context).metadata["reason"] == "Renamed"


@pytest.mark.django_db
def test_signing_in_halfway_through_a_request_does_not_rewrite_earlier_events(project, cdmo_pm):
    """pghistory adds the user to the open context when request.user is set (a sign-in)."""

    with pghistory.context(user=None, url="/accounts/login/"):
        project.name = "Before signing in"
        project.save()
        pghistory.context(user=cdmo_pm.pk)  # what pghistory's middleware does on `request.user = …`
        project.name = "After signing in"
        project.save()

    before, after = Events.objects.tracks(project).filter(pgh_label="update").order_by("pgh_id")
    assert before.pgh_context["user"] is None
    assert after.pgh_context["user"] == cdmo_pm.pk
    assert before.pgh_context["url"] == after.pgh_context["url"] == "/accounts/login/"
    assert before.pgh_context_id != after.pgh_context_id


@pytest.mark.django_db
def test_a_repeated_write_in_one_context_reuses_its_context_row(project, cdmo_pm):
    with pghistory.context(user=cdmo_pm.pk, url="/projects/1/edit/"):
        for name in ("First", "Second", "Third"):
            project.name = name
            project.save()
    contexts = set(
        Events.objects.tracks(project).filter(pgh_label="update").values_list("pgh_context_id", flat=True)
    )
    assert len(contexts) == 1
    assert Project.objects.get(pk=project.pk).name == "Third"

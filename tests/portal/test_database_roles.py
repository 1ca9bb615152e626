"""The web app and workers connect as a role that can read and write rows and nothing more.

The roles and grants are made by the product's own code (`manage.py db_roles`, and `migrate`'s
post_migrate step) on the test database; the suite itself keeps running as the superuser that
created it.
"""

import os

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from pghistory.models import Context, Events
from psycopg import errors

from portal.core.apps import after_migrate
from portal.core.database import ensure_roles
from projects.models import Project
from tests.projects.update_helpers import project_edit_form

APP_ROLE = settings.DATABASE_APP_ROLE


@pytest.fixture(scope="module")
def roles(django_db_setup, django_db_blocker):
    """Both roles exist and the app role has its grants on the test database (autocommit, before
    any test transaction holds a lock the ownership change would wait for)."""
    with django_db_blocker.unblock(), transaction.atomic(), connection.cursor() as cursor:
        ensure_roles(
            cursor=cursor,
            database=connection.settings_dict["NAME"],
            owner=settings.DATABASE_OWNER_ROLE,
            app=APP_ROLE,
            owner_password=os.environ.get("DATABASE_OWNER_PASSWORD") or None,
            app_password=os.environ.get("DATABASE_APP_PASSWORD") or None,
        )
    with django_db_blocker.unblock():
        after_migrate(using=connection.alias)  # what every `migrate` ends with: grants, guards
    yield


@pytest.fixture
def as_app(roles):
    """A real connection to the test database as the app role (autocommit)."""
    db = connection.settings_dict
    conn = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        dbname=db["NAME"],
        user=APP_ROLE,
        password=os.environ.get("DATABASE_APP_PASSWORD") or None,
        autocommit=True,
    )
    yield conn
    conn.close()


def refused(conn, statement: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(statement)
    except errors.InsufficientPrivilege:
        return True
    return False


def audit_tables() -> list[str]:
    events = [
        m._meta.db_table for m in apps.get_models() if hasattr(m, "pgh_tracked_model") and m._meta.managed
    ]
    return sorted({*events, Context._meta.db_table})


def test_app_role_is_no_superuser_and_owns_nothing(as_app):
    owned = as_app.execute(
        """
        SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
               (SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole),
               (SELECT count(*) FROM pg_proc WHERE proowner = current_user::regrole),
               (SELECT count(*) FROM pg_database WHERE datdba = current_user::regrole)
        """
    ).fetchone()
    assert owned == (False, 0, 0, 0)
    assert refused(as_app, "CREATE TABLE forged (id int)")


def test_app_role_cannot_switch_triggers_off(as_app):
    assert refused(as_app, "SET session_replication_role = replica")
    assert as_app.execute("SHOW session_replication_role").fetchone() == ("origin",)


def test_app_role_cannot_update_delete_or_truncate_the_audit_trail(as_app):
    tables = audit_tables()
    assert "projects_projectevent" in tables and "pghistory_context" in tables and len(tables) > 25
    for table in tables:
        (column,) = as_app.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position LIMIT 1",
            [table],
        ).fetchone()
        # Refused before a row is looked at: WHERE false changes nothing even when allowed.
        assert refused(as_app, f'UPDATE "{table}" SET "{column}" = "{column}" WHERE false'), table
        assert refused(as_app, f'DELETE FROM "{table}" WHERE false'), table
        assert refused(as_app, f'TRUNCATE "{table}"'), table


def test_app_role_cannot_delete_or_truncate_records_kept_for_ever(as_app):
    for table in ("projects_project", "projects_projectmember", "notifications_notification"):
        assert refused(as_app, f'DELETE FROM "{table}" WHERE false'), table
        assert refused(as_app, f'TRUNCATE "{table}"'), table


def test_app_role_reads_and_writes_ordinary_rows(as_app):
    with as_app.transaction():  # rolled back at the end
        as_app.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES ('k', 'd', now())"
        )
        as_app.execute("UPDATE django_session SET session_data = 'e' WHERE session_key = 'k'")
        as_app.execute("DELETE FROM django_session WHERE session_key = 'k'")
        assert as_app.execute("SELECT count(*) FROM django_session WHERE session_key = 'k'").fetchone() == (
            0,
        )
        assert as_app.execute("SELECT count(*) FROM projects_project").fetchone() is not None
        raise psycopg.Rollback


@pytest.mark.django_db
def test_the_portal_works_as_the_app_role(roles, client, project, cdmo_pm):
    client.force_login(cdmo_pm)
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')  # until the test's transaction ends
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (APP_ROLE,)
    form = project_edit_form(
        project, name="Renamed as the app role", description="", phase="phase_3", status="active"
    )
    assert client.post(reverse("projects:edit", args=[project.pk]), form).status_code == 302
    event = Events.objects.tracks(project).filter(pgh_label="update").get()
    assert event.pgh_context["user"] == cdmo_pm.pk and event.pgh_context["reason"] == "Project details edited"
    assert (
        "Renamed as the app role"
        in client.get(reverse("projects:history", args=[project.pk])).content.decode()
    )


@pytest.mark.django_db
def test_app_role_cannot_switch_off_the_triggers_that_write_the_audit_trail(roles, project):
    def update_events() -> int:
        return Events.objects.tracks(project).filter(pgh_label="update").count()

    # pgtrigger's switch: a session names the triggers it wants skipped (any role may set it).
    switch_off = "{" + ",".join(trigger.get_pgid(Project) for trigger in Project._meta.triggers) + "}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [switch_off])
        cursor.execute(
            "UPDATE projects_project SET name = 'Renamed by the owner' WHERE id = %s", [project.pk]
        )
        assert update_events() == 0  # the switch works for the superuser running the suite

        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        cursor.execute("UPDATE projects_project SET name = 'Renamed quietly' WHERE id = %s", [project.pk])
    assert update_events() == 1

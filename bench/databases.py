"""The benchmark's databases: one per size, seeded once and kept; throw-away copies for cold runs."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from demo.history import add_history
from projects.models import Project

# A copy needs the original to have no session: wait this many seconds for ours to end.
COPY_ATTEMPTS = 60


def _admin_url() -> str:
    url = urlsplit(database_url(settings.DATABASES["default"]["NAME"]))
    return url._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)


def database_url(name: str) -> str:
    """The URL of database `name` on the bench server (for gunicorn's environment)."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _admin(sql: str, params=None) -> list:
    """One statement on the server's maintenance database (CREATE/DROP DATABASE need autocommit)."""
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def ensure_database(name: str) -> None:
    if not _admin("SELECT 1 FROM pg_database WHERE datname = %s", [name]):
        _admin(f'CREATE DATABASE "{name}"')


def release_connections() -> None:
    """Close this process's connections and its pool, so that the database can be copied."""
    for alias in connections:
        conn = connections[alias]
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()


def use_database(name: str) -> None:
    release_connections()
    settings.DATABASES["default"]["NAME"] = connections["default"].settings_dict["NAME"] = name


def prepare(base_name: str, size: int) -> str:
    """Switch to the database for `size` projects: created, migrated and seeded the first time."""
    name = f"{base_name}_{size}"
    ensure_database(name)
    use_database(name)
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("seed_demo", "--projects", str(size), "--quiet")
    added = add_history()
    # What autovacuum does in production after bulk writes (the seeding, and the sweeps and PDFs of
    # earlier runs): fresh planner statistics, and the visibility map index-only scans need.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    if added:
        print(
            f"  seeded history for {added} projects in {time.perf_counter() - start:.0f} s", file=sys.stderr
        )
    print(f"  {name}: {Project.objects.count()} projects", file=sys.stderr)
    return name


@contextlib.contextmanager
def copy_of(name: str) -> Iterator[str]:
    """A throw-away copy of database `name` (CREATE DATABASE ... TEMPLATE), used while inside
    the block and dropped after it: what a measure changes there is never seen again."""
    copy = f"{name}_copy"
    release_connections()
    _admin(f'DROP DATABASE IF EXISTS "{copy}"')
    for attempt in range(COPY_ATTEMPTS):
        try:
            _admin(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
            break
        except psycopg.errors.ObjectInUse:  # a connection of ours still closing (a killed child's)
            if attempt == COPY_ATTEMPTS - 1:
                raise
            time.sleep(1)
    use_database(copy)
    try:
        yield copy
    finally:
        use_database(name)
        _admin(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')

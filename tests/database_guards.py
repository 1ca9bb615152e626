"""Test-suite plumbing for the database's own guards (portal.core.triggers).

Transactional tests (live server, real workers) end with Django's flush, a TRUNCATE of every
table, which the database refuses on tables whose rows are kept. The suite connects as a
superuser (it creates the test database), and a superuser may switch ordinary triggers off for
one transaction: the flush does exactly that, nothing else does.
"""

import pytest
from django.db.backends.postgresql.operations import DatabaseOperations

FLUSH_BYPASSES_TRIGGERS = "SET LOCAL session_replication_role = replica"


@pytest.fixture(scope="session", autouse=True)
def flush_between_transactional_tests_bypasses_truncate_guards():
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, [FLUSH_BYPASSES_TRIGGERS, *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield

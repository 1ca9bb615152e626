"""What the portal asks of PostgreSQL beyond its tables: the audit context function, the roles.

`install_attach_context` and `grant_app_role` run after every `migrate` (CoreConfig connects them
to post_migrate), so they follow new tables and survive a pghistory upgrade that reinstalls its
own function. `ensure_roles` runs once per database as a superuser (`manage.py db_roles`).
"""

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper
from pgtrigger import features as pgtrigger_features
from psycopg import sql

from .triggers import refused_operations

# pghistory's _pgh_attach_context() upserts the context row: when the metadata of a context
# changes (a user signs in halfway through a request) it UPDATEs the row, rewriting the "who" of
# events already recorded under it. This version never updates: changed metadata continues under
# an id derived from the context and the new metadata, so earlier events keep saying what was
# true when they were written, and pghistory_context can refuse every UPDATE (portal.core.models).
ATTACH_CONTEXT_SQL = """
CREATE OR REPLACE FUNCTION _pgh_attach_context()
RETURNS pghistory_context.id%TYPE AS $$
    DECLARE
        _pgh_context_id UUID;
        _pgh_context_metadata JSONB;
        _stored_metadata JSONB;
    BEGIN
        BEGIN
            SELECT INTO _pgh_context_id CURRENT_SETTING('pghistory.context_id');
            SELECT INTO _pgh_context_metadata CURRENT_SETTING('pghistory.context_metadata');
            EXCEPTION WHEN OTHERS THEN
        END;
        IF _pgh_context_id IS NULL OR _pgh_context_metadata IS NULL THEN
            RETURN NULL;
        END IF;
        SELECT metadata INTO _stored_metadata FROM pghistory_context WHERE id = _pgh_context_id;
        IF FOUND AND _stored_metadata IS DISTINCT FROM _pgh_context_metadata THEN
            _pgh_context_id := md5(_pgh_context_id::text || _pgh_context_metadata::text)::uuid;
        END IF;
        INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
            VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
            ON CONFLICT (id) DO NOTHING;
        RETURN _pgh_context_id;
    END;
$$ LANGUAGE plpgsql;
"""


def install_attach_context(*, connection: BaseDatabaseWrapper) -> None:
    """Replaces pghistory's context upsert with the append-only version above."""
    with connection.cursor() as cursor:
        cursor.execute(ATTACH_CONTEXT_SQL)


# pgtrigger lets a session switch named triggers off by setting `pgtrigger.ignore`, a setting any
# role may set: the app role could skip an audit event or a protection it has the privilege to
# reach (an UPDATE of a published update). pgtrigger recreates this function with every trigger
# it installs; after each migrate it is replaced by one that never lets the app role ignore one.
SHOULD_IGNORE_SQL = """
CREATE OR REPLACE FUNCTION {function}(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
    BEGIN
        IF current_user = {app_role} THEN
            RETURN FALSE;
        END IF;
        BEGIN
            SELECT INTO _pgtrigger_ignore CURRENT_SETTING('pgtrigger.ignore');
            EXCEPTION WHEN OTHERS THEN
        END;
        RETURN COALESCE(trigger_name = ANY(_pgtrigger_ignore), FALSE);
    END;
$$ LANGUAGE plpgsql;
"""


def install_trigger_switch_guard(*, cursor, app_role: str) -> None:
    """The app role's sessions cannot switch pgtrigger triggers off (see SHOULD_IGNORE_SQL)."""
    function = f"{sql.Identifier(pgtrigger_features.schema()).as_string()}._pgtrigger_should_ignore"
    cursor.execute(SHOULD_IGNORE_SQL.format(function=function, app_role=sql.Literal(app_role).as_string()))


# --- Roles ----------------------------------------------------------------------------------------
#
# Two roles, neither a superuser. The owner owns the database and every table, function and
# trigger: migrations run as it. The app role (web, workers, beat) owns nothing and may only read
# and write rows, and only the writes the rows allow: no UPDATE or DELETE where a trigger refuses
# it on every row (the audit trail, records kept for ever), never TRUNCATE; as a non-superuser it
# cannot SET session_replication_role (which switches triggers off) either. Privileges back the
# triggers: a role that can set pgtrigger's ignore switch still lacks the privilege.

ROW_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Tables without a model: Django's migration record is read (runserver's check), never written.
READ_ONLY_TABLES = {"django_migrations": {"SELECT"}}


def _q(name: str) -> str:
    return sql.Identifier(name).as_string()


def _role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def app_privileges_by_table() -> dict[str, set[str]]:
    """Row privileges of the app role per table of a model: all of them minus what the model's
    triggers refuse on every row (a table shared by a model and its proxy gets the strictest)."""
    privileges: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        allowed = set(ROW_PRIVILEGES) - refused_operations(model)
        privileges[table] = privileges.get(table, allowed) & allowed
    return privileges


def grant_app_role(*, cursor, role: str) -> bool:
    """Gives the app role exactly its privileges on every table of the current schema.

    Idempotent; run after every migrate, so grants follow new tables and models whose rules
    changed. Returns False (and changes nothing) when the role does not exist.
    """
    if not _role_exists(cursor, role):
        return False
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [name for (name,) in cursor.fetchall()]
    by_model = app_privileges_by_table()
    grants: dict[tuple[str, ...], list[str]] = {}
    for table in tables:
        allowed = READ_ONLY_TABLES.get(table) or by_model.get(table) or set(ROW_PRIVILEGES)
        grants.setdefault(tuple(p for p in ROW_PRIVILEGES if p in allowed), []).append(_q(table))

    cursor.execute("SELECT current_schema()")
    (schema,) = cursor.fetchone()
    statements = [
        f"GRANT USAGE ON SCHEMA {_q(schema)} TO {_q(role)}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {_q(schema)} FROM {_q(role)}",
        *(f"GRANT {', '.join(privs)} ON {', '.join(names)} TO {_q(role)}" for privs, names in grants.items()),
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {_q(schema)} FROM {_q(role)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_q(schema)} TO {_q(role)}",
    ]
    for statement in statements:
        cursor.execute(statement)
    return True


def ensure_roles(
    *,
    cursor,
    database: str,
    owner: str,
    app: str,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> None:
    """Creates (or corrects) both roles and hands the database and its objects to the owner.

    Needs a superuser connected to `database`. Idempotent. A database migrated before the roles
    existed is adopted: what another role created in its schema now belongs to the owner.
    Call it in a transaction: two runs at once (test processes, a script) wait for each other.
    """
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('portal.core.database.ensure_roles'))")
    for role, password, inherit in ((owner, owner_password, "INHERIT"), (app, app_password, "NOINHERIT")):
        if not _role_exists(cursor, role):
            cursor.execute(f"CREATE ROLE {_q(role)}")
        cursor.execute(
            f"ALTER ROLE {_q(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS {inherit}"
        )
        if password:
            cursor.execute(f"ALTER ROLE {_q(role)} PASSWORD {sql.Literal(password).as_string()}")

    cursor.execute(f"ALTER DATABASE {_q(database)} OWNER TO {_q(owner)}")
    cursor.execute(f"GRANT CONNECT ON DATABASE {_q(database)} TO {_q(app)}")
    cursor.execute("SELECT current_schema()")
    (schema,) = cursor.fetchone()
    cursor.execute(f"REVOKE CREATE ON SCHEMA {_q(schema)} FROM PUBLIC")

    # Tables, views and sequences of no table first (a table's own sequences follow the table),
    # then functions (pghistory's and pgtrigger's, created by whoever migrated first).
    cursor.execute(
        """
        SELECT c.relkind, c.relname FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> %s::regrole
          AND NOT EXISTS (
              SELECT 1 FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
          )
        ORDER BY c.relkind = 'S', c.relname
        """,
        [owner],
    )
    kinds = {
        "r": "TABLE",
        "p": "TABLE",
        "f": "FOREIGN TABLE",
        "v": "VIEW",
        "m": "MATERIALIZED VIEW",
        "S": "SEQUENCE",
    }
    for kind, name in cursor.fetchall():
        cursor.execute(f"ALTER {kinds[kind]} {_q(name)} OWNER TO {_q(owner)}")
    cursor.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace AND p.proowner <> %s::regrole
        """,
        [owner],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(f"ALTER ROUTINE {signature} OWNER TO {_q(owner)}")

"""What the portal asks of PostgreSQL beyond its tables: the audit context function.

Run after every `migrate` (CoreConfig connects `after_migrate` to post_migrate), so it follows
new tables and survives a pghistory upgrade that reinstalls its own function.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

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

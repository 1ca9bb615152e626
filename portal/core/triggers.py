"""Database triggers every app's models share.

A row-level trigger never sees TRUNCATE: PostgreSQL empties the table without touching a row, so
a table whose rows a trigger refuses to delete (pghistory's append-only event tables, domain
records that are never hard-deleted, notifications...) could still be emptied in one statement.
`refuse_truncate_where_delete_is_refused()` adds a statement-level guard to every such model, so
a new tracked or no-delete model is covered by `makemigrations` without anyone remembering.
"""

import pgtrigger
from django.apps import apps
from django.db import models

REFUSE_TRUNCATE = "refuse_truncate"


def any_changed(*fields: str) -> pgtrigger.Q:
    """Trigger condition: any of `fields` differs between the old and new row (a record whose
    content is frozen: `pgtrigger.Protect(operation=pgtrigger.Update, condition=any_changed(...))`)."""
    condition = pgtrigger.Q(**{f"old__{fields[0]}__df": pgtrigger.F(f"new__{fields[0]}")})
    for name in fields[1:]:
        condition |= pgtrigger.Q(**{f"old__{name}__df": pgtrigger.F(f"new__{name}")})
    return condition


class RefuseTruncate(pgtrigger.Trigger):
    """TRUNCATE is refused (statement level: TRUNCATE has no row-level triggers)."""

    name = REFUSE_TRUNCATE
    when = pgtrigger.Before
    operation = pgtrigger.Truncate
    level = pgtrigger.Statement
    func = "RAISE EXCEPTION 'pgtrigger: Cannot truncate % (its rows are kept)', TG_TABLE_NAME;"


def refuses_delete(model: type[models.Model]) -> bool:
    """True when a Protect trigger on the model refuses DELETE (with or without a condition)."""
    for trigger in getattr(model._meta, "triggers", []):
        if isinstance(trigger, pgtrigger.Protect) and "DELETE" in str(trigger.operation).split(" OR "):
            return True
    return False


def refused_operations(model: type[models.Model]) -> set[str]:
    """Operations a Protect trigger refuses on every row of the model (no condition)."""
    refused = set()
    for trigger in getattr(model._meta, "triggers", []):
        if isinstance(trigger, pgtrigger.Protect) and trigger.condition is None:
            refused.update(str(trigger.operation).split(" OR "))
    return refused


def refuse_truncate_where_delete_is_refused() -> list[type[models.Model]]:
    """Registers RefuseTruncate on every concrete model whose rows cannot be deleted.

    Called from CoreConfig.ready(), after every app (and pghistory's event models) is loaded;
    pgtrigger's registry puts the trigger into Meta.triggers, so migrations carry it.
    """
    guarded = []
    for model in apps.get_models():
        if not model._meta.managed or not refuses_delete(model):
            continue
        if not any(trigger.name == REFUSE_TRUNCATE for trigger in model._meta.triggers):
            RefuseTruncate().register(model)
        guarded.append(model)
    return guarded

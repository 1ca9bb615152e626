"""Helpers for the database triggers the models declare."""

import pgtrigger


def _any_changed(*fields: str) -> pgtrigger.Q:
    """Trigger condition: any of `fields` differs between the old and new row."""
    condition = pgtrigger.Q(**{f"old__{fields[0]}__df": pgtrigger.F(f"new__{fields[0]}")})
    for name in fields[1:]:
        condition |= pgtrigger.Q(**{f"old__{name}__df": pgtrigger.F(f"new__{name}")})
    return condition

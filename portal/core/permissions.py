"""The one way to ask "may this person do that?", from Python and from templates.

Each domain app writes its rules once, in its own `permissions.py`, as plain functions
`can_<verb>(access, obj=None) -> bool`: `access` is what the app's visibility selector handed back
for someone who can already see the object (outsiders never get this far: they get 404), `obj`
the thing acted on where the rule depends on it. Services enforce the rules, views use them to
refuse (403) and to decide what to show, and templates ask the same functions through the
`{% can %}` tag, so the prose on a page and the check in the service can never disagree.

An app makes its rules known to templates from `AppConfig.ready()`:

    register_rules("meetings", permissions)

and a template asks `{% can "meetings.prepare" access meeting as may_prepare %}`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

Rule = Callable[..., bool]

_rules: dict[str, Rule] = {}


def register_rules(app_label: str, module: ModuleType) -> None:
    """Make every `can_<verb>` function of `module` askable as "<app_label>.<verb>"."""
    for name, function in vars(module).items():
        if name.startswith("can_") and callable(function) and function.__module__ == module.__name__:
            _rules[f"{app_label}.{name.removeprefix('can_')}"] = function


def ask(rule: str, access: Any, obj: Any = None) -> bool:
    """The answer of rule "<app_label>.<verb>"; a name nobody registered is a programming error."""
    try:
        function = _rules[rule]
    except KeyError:
        raise LookupError(f"No permission rule {rule!r}: known rules are {sorted(_rules)}") from None
    if access is None:
        return False
    return bool(function(access) if obj is None else function(access, obj))

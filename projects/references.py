"""Object references: how a "label:pk" (or a bare id) that arrives in a query string or a
form field becomes an object, for one viewer.

Each app registers, per model, the selector its own pages use to load one object for a
`ProjectAccess` (from its AppConfig.ready()), so a reference is visible exactly when the
object's page is: one door, never a second copy of the rule. Anything else is Http404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from .selectors import ProjectAccess

# label ("app_label.modelname") -> selector(access=, pk=) returning the object or raising Http404
VisibleObjectGetter = Callable[..., models.Model]
_GETTERS: dict[str, VisibleObjectGetter] = {}


def register_reference(label: str, getter: VisibleObjectGetter) -> None:
    """Make `label:pk` references resolvable through `getter(access=, pk=)`, the object's own selector."""
    _GETTERS[label.lower()] = getter


def registered_labels() -> list[str]:
    return sorted(_GETTERS)


def visible_object(*, access: ProjectAccess, label: str, pk) -> models.Model:
    """The object a reference names, if the viewer may open its page on this project; Http404 otherwise."""
    getter = _GETTERS.get((label or "").lower())
    if getter is None or not str(pk).isdigit() or len(str(pk)) > 18:
        raise Http404("No such object.")
    return getter(access=access, pk=int(pk))


def parse_reference(raw: str) -> tuple[str, str]:
    """Split "app_label.model:pk" (case and spaces ignored) into its label and pk text."""
    label, _, pk = (raw or "").strip().lower().partition(":")
    return label, pk

"""Panels other apps add to a person's profile page.

The profile belongs to the foundation, which imports no domain app; an app that has something
to show there (issues: the recognition a CDMO person earned) registers a panel from its
`AppConfig.ready()`:

    register_profile_panel("issues/_profile_recognition.html", recognition_panel)

`recognition_panel(user)` returns the panel's context, or None when the panel is not for this
person. The profile page includes each shown panel's template with its context as `panel`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PanelContext = Callable[[Any], "dict | None"]


@dataclass(frozen=True)
class ProfilePanel:
    template_name: str
    context: dict


_panels: dict[str, PanelContext] = {}


def register_profile_panel(template_name: str, context_function: PanelContext) -> None:
    """Show `template_name` on the profile of everyone for whom `context_function(user)` is not None.
    Registering the same template again replaces the earlier function."""
    _panels[template_name] = context_function


def profile_panels(user) -> list[ProfilePanel]:
    """The panels shown on `user`'s profile, in the order they were registered."""
    shown = []
    for template_name, context_function in _panels.items():
        context = context_function(user)
        if context is not None:
            shown.append(ProfilePanel(template_name, context))
    return shown

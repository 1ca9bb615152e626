"""Actions an app above offers on another app's object: a registry each app fills.

A page shows what it can do with its own object; an app that sits higher may add an action to it
(the sponsor's "Recognize" on an update, an answer or a meeting) without the page's app importing
it. The higher app registers, from its `AppConfig.ready()`, one function per model label:

    register_action("meetings.meeting", recognize_action)

The function is called with the object and the viewer's access (whatever the page's visibility
selector handed back) and returns an `Action`, or None when this viewer may not take it. Offers
must not query the database: they run once per object on a page. A template lists them with

    {% object_actions meeting access as actions %}{% include "includes/object_actions.html" %}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Action:
    label: str  # what the button says, e.g. "Recognize"
    url: str
    context: str = ""  # said to screen readers after the label, e.g. "this answer"
    icon: str = ""  # a decorative symbol before the label, e.g. "★" (hidden from screen readers)


Offer = Callable[[Any, Any], "Action | None"]

_offers: dict[str, list[Offer]] = {}


def register_action(label: str, offer: Offer) -> None:
    """Offer an action on every object of the model "<app_label>.<model_name>"."""
    offers = _offers.setdefault(label, [])
    if offer not in offers:
        offers.append(offer)


def actions_for(obj: Any, access: Any) -> list[Action]:
    """The actions this viewer may take on `obj`, in the order they were registered."""
    if obj is None or access is None:
        return []
    actions = (offer(obj, access) for offer in _offers.get(obj._meta.label_lower, ()))
    return [action for action in actions if action is not None]

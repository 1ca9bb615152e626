"""A subscription's changes as its page lists them: read from its pghistory events (every edit,
pause, resume, rotation, early stop of the previous secret and deactivation is one), with who made it and what changed. Two queries
(the events, their authors) whatever the number of changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from portal.accounts.models import User
from portal.core.events import EVENTS

from .models import SubscriptionStatus, WebhookSubscription

SHOWN = 20  # the latest changes; the whole trail is in the audit tables


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    who: str
    what: str
    details: list[str] = field(default_factory=list)


def _events_text(names) -> str:
    return ", ".join(EVENTS.get(name, name) for name in names or []) or "none"


def _details(before: dict, after: dict) -> list[str]:
    lines = []
    if before["url"] != after["url"]:
        lines.append(f"Endpoint: {before['url']} → {after['url']}")
    if before["description"] != after["description"]:
        lines.append(f"Description: “{before['description']}” → “{after['description']}”")
    if sorted(before["events"] or []) != sorted(after["events"] or []):
        added = sorted(set(after["events"] or []) - set(before["events"] or []))
        removed = sorted(set(before["events"] or []) - set(after["events"] or []))
        if added:
            lines.append(f"Events added: {_events_text(added)}")
        if removed:
            lines.append(f"Events removed: {_events_text(removed)}")
    if before["status"] != after["status"]:
        labels = dict(SubscriptionStatus.choices)
        lines.append(f"Status: {labels.get(before['status'])} → {labels.get(after['status'])}")
    if before["secret_rotated_at"] != after["secret_rotated_at"]:
        lines.append(f"The secret now ends …{after['secret_hint']}")
    elif before["previous_secret_until"] != after["previous_secret_until"]:
        lines.append(f"The previous secret (ending …{after['previous_secret_hint']}) no longer signs")
    return lines


def _short(reason: str) -> str:
    """ "Webhook subscription paused: <url>" (the audit reason) as the page says it: "Paused"."""
    text = reason.partition(": ")[0]
    for prefix in ("Webhook subscription ", "Webhook "):
        text = text.removeprefix(prefix)
    return text[:1].upper() + text[1:] if text else "Changed"


def subscription_changes(subscription: WebhookSubscription, *, limit: int = SHOWN) -> list[Change]:
    """Newest first: its creation and every tracked change after it."""
    columns = [
        "url",
        "description",
        "events",
        "status",
        "secret_rotated_at",
        "secret_hint",
        "previous_secret_until",
        "previous_secret_hint",
    ]
    events = list(
        subscription.history.order_by("-pgh_id").values(
            "pgh_id", "pgh_label", "pgh_created_at", "pgh_context__metadata", *columns
        )[: limit + 1]
    )
    user_ids = {
        int(e["pgh_context__metadata"]["user"])
        for e in events
        if e["pgh_context__metadata"] and str(e["pgh_context__metadata"].get("user", "")).isdigit()
    }
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=user_ids)}
    changes = []
    for index, event in enumerate(events[:limit]):
        context = event["pgh_context__metadata"] or {}
        user = context.get("user")
        who = names.get(int(user), "A former user") if str(user or "").isdigit() else "The portal"
        before = events[index + 1] if index + 1 < len(events) else None
        if event["pgh_label"] == "insert" or before is None:
            what, details = (
                "Created",
                [f"Endpoint: {event['url']}", f"Events: {_events_text(event['events'])}"],
            )
        else:
            what = _short(context.get("reason") or "")
            details = _details(before, event)
        changes.append(Change(at=event["pgh_created_at"], who=who, what=what, details=details))
    return changes

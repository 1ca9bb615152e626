"""The actions that are signed: a registry the apps above fill.

The signatures app knows how to verify a signer, record a signature and check it later, not what
a minutes document or a resolution plan is. An app that signs an action registers it from its
`AppConfig.ready()`, with what a signature of it covers:

    register_signed_action(
        "meetings.minutes_confirm",
        label="Confirm the minutes",
        meanings=[Meaning.CONFIRMED],
        content=minutes_signed_content,
    )

`content(record)` returns what the signer is shown and signs, as plain JSON-able data (text,
numbers, ISO dates, lists, dicts). It must not include what signing itself changes (a status, the
confirmation time): the record page recomputes it and compares its hash with the signature's, so
anything else that changes the record afterwards shows as "record changed after signing".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class SignedAction:
    key: str
    label: str
    meanings: tuple[str, ...]
    content: Callable[[models.Model], dict[str, Any]]

    def canonical(self, record: models.Model) -> str:
        return canonical_json(self.content(record))

    def digest(self, record: models.Model) -> str:
        return sha256(self.canonical(record))


_actions: dict[str, SignedAction] = {}


def register_signed_action(
    key: str, *, label: str, meanings: Sequence[str], content: Callable[[models.Model], dict[str, Any]]
) -> SignedAction:
    """Sign `key` ("<app>.<action>") with one of `meanings`, covering `content(record)`."""
    if not meanings:
        raise ValueError(f"{key}: a signed action needs at least one meaning.")
    action = SignedAction(key, label, tuple(meanings), content)
    _actions[key] = action
    return action


def signed_action(key: str) -> SignedAction:
    try:
        return _actions[key]
    except KeyError:
        raise LookupError(f"No signed action {key!r} is registered.") from None


def registered_actions() -> list[SignedAction]:
    return sorted(_actions.values(), key=lambda action: action.key)


def canonical_json(content: dict[str, Any]) -> str:
    """One spelling of `content`: keys sorted, no spaces, UTF-8 kept, dates as ISO text."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()

"""How a service refuses what a rule does not allow."""

from __future__ import annotations

from portal.core.exceptions import NotAllowed


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)

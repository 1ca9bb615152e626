"""Reading settings from the environment (portal/settings.py)."""

import os


def env_bool(name: str, default: bool) -> bool:
    """True for 1/true/yes/on (any case), False for anything else, `default` when unset."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated variable as a list, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]

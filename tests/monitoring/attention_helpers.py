"""Reading the stored attention figures the way `attention.live_figures` returns the live ones."""

from oversight.monitoring.attention import FIGURES
from oversight.monitoring.models import ProjectAttention


def stored_figures() -> dict[int, dict]:
    """{project id: {figure: value}} as stored in ProjectAttention."""
    return {row.pop("project_id"): row for row in ProjectAttention.objects.values("project_id", *FIGURES)}


def stored_codes() -> dict[int, str]:
    """{project id: the project code copied onto its row} (the dashboard's order reads it)."""
    return dict(ProjectAttention.objects.values_list("project_id", "code"))

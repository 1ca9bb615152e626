from portal.core.tasks import task

from . import figures


@task(name="scorecards.refresh_project")
def refresh_project(project_id: int) -> int:
    """After a change to the project's records committed: its stored figures, recomputed. Safe
    to run again (an upsert of what the records say)."""
    return figures.refresh_projects([project_id])


@task(name="scorecards.refresh_all")
def refresh_all() -> dict:
    """Nightly: every project's figures (some move with time alone: a request still open past
    its needed-by date grows later each day), then the roll-ups."""
    written = figures.refresh_projects()
    return {"figures": written, **figures.roll_up()}


@task(name="scorecards.roll_up")
def roll_up() -> dict:
    """Hourly: the relationship and project-manager roll-ups, from the stored project figures."""
    return figures.roll_up()

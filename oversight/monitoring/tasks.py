from django.utils import timezone

from oversight.scorecards import figures as scorecard_figures
from portal.core.tasks import task

from . import notices, services


@task(name="monitoring.sweep")
def run_sweep() -> dict:
    """Every quarter of an hour: the projects whose flags could have changed with time since their
    last evaluation. Safe to run several at once."""
    result = services.sweep_due()
    return {
        "raised": len(result.raised),
        "cleared": result.cleared,
        "notices": result.notices,
        "evaluated": result.evaluated,
    }


@task(name="monitoring.reconcile")
def reconcile() -> dict:
    """Nightly: every rule over every project, every stored figure and moment recomputed (the
    safety net for whatever a change may not have re-evaluated)."""
    result = services.sweep()
    return {"raised": len(result.raised), "cleared": result.cleared, "notices": result.notices}


@task(name="monitoring.recheck_project")
def recheck_project(project_id: int) -> dict:
    """After a change to the project's data committed: its flags, re-evaluated by every rule
    (the sweep's queries narrowed to it), and its scorecard figures recomputed from the same
    records (the rules and the measures read the same changes). Safe to run again."""
    result = services.recheck_projects(project_ids=[project_id])
    figures = scorecard_figures.refresh_projects([project_id])
    return {
        "raised": len(result.raised),
        "cleared": result.cleared,
        "refreshed": result.refreshed,
        "figures": figures,
    }


@task(name="monitoring.send_flag_notices")
def send_flag_notices() -> int:
    """Every minute, apart from the sweep: flags a sweep raised and then died before announcing
    are announced by the next run of this step, not by the next sweep a quarter hour later."""
    return notices.send_flag_notices(now=timezone.now())


@task(name="monitoring.send_reminders")
def send_reminders() -> int:
    """Hourly: reminders before things become flags (each sent once per thing and period)."""
    return notices.send_reminders()

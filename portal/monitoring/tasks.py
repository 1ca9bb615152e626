from celery import shared_task

from . import services


@shared_task(name="monitoring.sweep")
def run_sweep() -> dict:
    """Beat runs this on a schedule; it is safe to run several at once."""
    result = services.sweep()
    return {"raised": len(result.raised), "cleared": result.cleared, "refreshed": result.refreshed}

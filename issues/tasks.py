"""Background work for service issues. Thin: load by id, call the code that does it."""

from portal.core.tasks import task

from . import notifications
from .models import IssueEvent, Recognition


@task(name="issues.tasks.send_issue_event_emails")
def send_issue_event_emails(event_id: int) -> int:
    """Tell the people concerned about a step in a service issue."""
    event = (
        IssueEvent.objects.select_related("issue__project__cdmo", "issue__project__sponsor", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    return notifications.send_event_emails(event=event)


@task(name="issues.tasks.send_recognition_emails")
def send_recognition_emails(recognition_id: int) -> int:
    """Tell people about a recognition they were given."""
    recognition = (
        Recognition.objects.select_related("project", "given_by", "recipient")
        .filter(pk=recognition_id)
        .first()
    )
    if recognition is None:
        return 0
    return notifications.send_recognition_emails(recognition=recognition)

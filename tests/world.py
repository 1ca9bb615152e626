"""A project with one of everything, for tests that must cover every model.

Each domain app's `factories.py` may define `populate_project(project)` that
creates its objects (milestones, meetings, service issues...) for a staffed
project. The outsider walk uses this to fill every object URL with a real object.
"""

import importlib

from portal.organizations.factories import InvitationFactory
from projects.factories import staff_project

APP_FACTORY_MODULES = (
    "projects.factories",
    "meetings.factories",
    "issues.factories",
    "portal.notifications.factories",
    "portal.monitoring.factories",
)


def populate_everything(project):
    staff_project(project)
    InvitationFactory(organization=project.sponsor)
    for module_name in APP_FACTORY_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        populate = getattr(module, "populate_project", None)
        if populate is not None:
            populate(project)
    return project

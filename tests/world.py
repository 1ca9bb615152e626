"""A project with one of everything, for tests that must cover every model.

Each domain app's `factories.py` defines `populate_project(project)` that
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
        importlib.import_module(module_name).populate_project(project)
    return project

"""A project with one of everything, for tests that must cover every model.

Each domain app's factories module (tests/factories/) defines `populate_project(project)` that
creates its objects (milestones, meetings, service issues...) for a staffed
project. The outsider walk uses this to fill every object URL with a real object.
"""

from tests.factories import (
    documents,
    integration,
    issues,
    meetings,
    monitoring,
    notifications,
    projects,
    scorecards,
    sso,
    webhooks,
)
from tests.factories.organizations import InvitationFactory
from tests.factories.projects import staff_project

APP_FACTORY_MODULES = (
    projects,
    meetings,
    issues,
    notifications,
    monitoring,
    documents,
    scorecards,
    integration,
    webhooks,
    sso,
)


def populate_everything(project):
    staff_project(project)
    InvitationFactory(organization=project.sponsor)
    for module in APP_FACTORY_MODULES:
        module.populate_project(project)
    return project

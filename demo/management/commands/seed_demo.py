"""Build a believable demo world. Safe to run again: nothing is duplicated.

Each app's part of the world is a module of this app with a `seed(world)` function, called in
order after the organizations, people and projects exist.
"""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from demo import issues as demo_issues
from demo import meetings as demo_meetings
from demo import monitoring as demo_monitoring
from demo import notifications as demo_notifications
from demo import projects as demo_projects
from demo import scorecards as demo_scorecards
from demo.world import DEMO_PASSWORD, World, seed_people_and_projects
from oversight.monitoring.attention import refreshed_once
from portal.core.audit import audited

DOMAIN_SEEDERS = (
    demo_projects,
    demo_meetings,
    demo_issues,
    demo_notifications,
    demo_monitoring,  # flags describe everything above
    demo_scorecards,  # last: figures of everything above
)


class Command(BaseCommand):
    help = "Create demo organizations, people and projects (idempotent). Prints the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects",
            type=int,
            default=0,
            help="Add generated projects up to this many in total (for benchmarks).",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, projects: int = 0, quiet: bool = False, **options):
        random.seed(2026)
        # The dashboard's figures are stored once per project at the end, not after every save.
        with transaction.atomic(), audited("Demo data", actor="demo:seed_demo"), refreshed_once():
            world: World = seed_people_and_projects(extra_projects_to=projects)
            for module in DOMAIN_SEEDERS:
                module.seed(world)
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {world.project_count} projects."))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        width = max((len(label) for label, _ in world.logins), default=0)
        for label, email in world.logins:
            self.stdout.write(f"  {label:<{width}}  {email}")

"""Build a believable demo world. Safe to run again: nothing is duplicated.

Each domain app contributes its part through `demo.py` (a `seed(world)` function),
called in order after the organizations, people and projects exist.
"""

import importlib
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.core.audit import audited
from portal.core.demo import DEMO_PASSWORD, World, seed_people_and_projects

DOMAIN_SEEDERS = (
    "projects.demo",
    "meetings.demo",
    "issues.demo",
    "portal.notifications.demo",
    "portal.monitoring.demo",  # last: flags describe everything above
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
        with transaction.atomic(), audited("Demo data", actor="demo:seed_demo"):
            world: World = seed_people_and_projects(extra_projects_to=projects)
            for module_name in DOMAIN_SEEDERS:
                importlib.import_module(module_name).seed(world)
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {world.project_count} projects."))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        width = max((len(label) for label, _ in world.logins), default=0)
        for label, email in world.logins:
            self.stdout.write(f"  {label:<{width}}  {email}")

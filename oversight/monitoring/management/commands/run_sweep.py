from django.core.management.base import BaseCommand

from oversight.monitoring.services import sweep


class Command(BaseCommand):
    help = "Evaluate every red-flag rule over every project now (the nightly reconciliation)."

    def handle(self, *args, **options):
        result = sweep()
        self.stdout.write(
            f"{len(result.raised)} raised, {result.cleared} cleared, {result.refreshed} refreshed"
            + (
                f"; skipped (another sweep holds them): {', '.join(result.skipped_rules)}"
                if result.skipped_rules
                else ""
            )
        )

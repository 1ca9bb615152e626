from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "oversight.scorecards"
    label = "scorecards"
    verbose_name = "Relationship scorecards"

    def ready(self):
        from projects.tabs import register_tab

        # The project's Health tab: its measures this quarter and the four before (docs/scorecards.md).
        register_tab("health", "Health", "scorecards:project_health", order=75)

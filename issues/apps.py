from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "Service issues"

    def ready(self):
        from projects.references import register_reference
        from projects.tabs import register_tab

        from . import selectors

        register_tab("issues", "Service issues", "issues:project_issues", order=50)
        # References resolve through the selectors the objects' own pages use.
        register_reference(
            "issues.serviceissue",
            lambda *, access, pk: selectors.issue_in_project(project=access.project, serviceissue_id=pk),
        )

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        from portal.core.permissions import register_rules

        from . import permissions, selectors
        from .references import register_reference

        register_rules("projects", permissions)
        # References resolve through the selectors the objects' own pages use.
        register_reference(
            "projects.statusupdate", lambda *, access, pk: selectors.get_update(access=access, update_id=pk)
        )
        register_reference(
            "projects.updatecomment",
            lambda *, access, pk: selectors.get_comment(access=access, comment_id=pk),
        )
        register_reference(
            "projects.milestone",
            lambda *, access, pk: selectors.get_milestone(project=access.project, milestone_id=pk),
        )
        register_reference(
            "projects.decisionrequest",
            lambda *, access, pk: selectors.get_decision(project=access.project, decision_id=pk),
        )

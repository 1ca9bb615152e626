from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "Service issues"

    def ready(self):
        from portal.accounts.profile import register_profile_panel
        from portal.core.actions import register_action
        from portal.core.history import register_history_kind
        from portal.core.history_scope import register_project_path
        from portal.core.permissions import register_rules
        from portal.signatures.models import Meaning
        from portal.signatures.registry import register_signed_action
        from projects.audit_export.records import register_signed_records
        from projects.overview import register_panel
        from projects.references import register_reference
        from projects.signals import agreement_in_force
        from projects.tabs import register_tab

        from . import history, models, overview, permissions, recognition, selectors, signing
        from .services.agreements import apply_working_agreement

        # A working agreement in force writes the response-time rows the SLA clocks read.
        agreement_in_force.connect(apply_working_agreement, dispatch_uid="issues.apply_working_agreement")

        # The sponsor's answers that carry weight are signed (docs/signatures.md).
        register_signed_action(
            "issues.plan_accept",
            label="Accept the plan",
            meanings=[Meaning.APPROVED],
            content=signing.plan_signed_content,
        )
        register_signed_action(
            "issues.plan_send_back",
            label="Send the plan back",
            meanings=[Meaning.REJECTED],
            content=signing.plan_signed_content,
        )
        register_signed_action(
            "issues.confirm_closed",
            label="Confirm and close",
            meanings=[Meaning.CONFIRMED],
            content=signing.resolution_signed_content,
        )
        # The audit export finds a project's signed plans and closures (docs/audit-export.md).
        register_signed_records(
            "issues.ResolutionPlan",
            lambda project: models.ResolutionPlan.objects.filter(issue__project=project),
        )
        register_signed_records(
            "issues.IssueEvent",
            lambda project: models.IssueEvent.objects.filter(project=project, is_internal=False),
        )
        # Every row of an issue is the project's record (its history and audit export).
        for label, path in history.PROJECT_PATHS.items():
            register_project_path(label, path)
        register_history_kind("issues.ResolutionPlan", "Resolution plans", history.plan_headline)
        register_history_kind(
            "issues.ServiceIssueAttachment", "Service-issue attachments", history.attachment_headline
        )
        register_tab("issues", "Service issues", "issues:project_issues", order=50)
        register_panel(
            "service_issues",
            order=60,
            template="issues/_overview_panel.html",
            context=overview.open_issues_panel,
            reads=overview.reads,
        )
        # References resolve through the selectors the objects' own pages use.
        register_reference(
            "issues.serviceissue",
            lambda *, access, pk: selectors.issue_in_project(project=access.project, serviceissue_id=pk),
        )
        # Who may do what, askable from templates as {% can "issues.<verb>" access obj %}.
        register_rules("issues", permissions)
        # A CDMO person's profile shows the recognition they or their team earned.
        register_profile_panel("issues/_profile_recognition.html", selectors.profile_recognition_panel)
        # The sponsor's "Recognize" on the pages of updates, answers and meetings.
        for label in recognition.RECOGNITION_TARGETS:
            register_action(label, recognition.recognize_action)

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        from portal.core.history import register_history_kind
        from portal.core.history_scope import register_project_path
        from portal.core.permissions import register_rules
        from portal.signatures.models import Meaning
        from portal.signatures.registry import register_signed_action

        from . import history, overview, permissions, selectors, signing
        from .audit_export.build import register_audit_export_kinds
        from .audit_export.records import register_signed_records
        from .overview import register_panel
        from .references import register_reference
        from .selectors import changes as change_selectors
        from .tabs import register_tab

        register_rules("projects", permissions)
        # The project's history (and audit export) holds every row of the project, however far
        # from it; the History tab's words for them.
        for label, path in history.PROJECT_PATHS.items():
            register_project_path(label, path)
        for label, (kind_label, headline) in history.KINDS.items():
            register_history_kind(label, kind_label, headline)
        # The records that carry weight are signed (docs/signatures.md).
        register_signed_action(
            "projects.update_publish",
            label="Publish the update",
            meanings=[Meaning.AUTHORED],
            content=signing.update_signed_content,
        )
        register_signed_action(
            "projects.decision_resolve",
            label="Record the decision",
            meanings=[Meaning.APPROVED, Meaning.REJECTED],
            content=signing.decision_signed_content,
        )
        register_signed_action(
            "projects.change_approve",
            label="Approve the change",
            meanings=[Meaning.APPROVED],
            content=signing.change_signed_content,
        )
        register_signed_action(
            "projects.agreement_sign",
            label="Sign the working agreement",
            meanings=[Meaning.AGREED],
            content=signing.agreement_signed_content,
        )
        register_signed_action(
            "projects.change_reject",
            label="Reject the change",
            meanings=[Meaning.REJECTED],
            content=signing.change_signed_content,
        )
        # The audit trail's export (docs/audit-export.md): its documents and the signed records here.
        register_audit_export_kinds()
        register_signed_records("projects.StatusUpdate", lambda project: project.status_updates.all())
        register_signed_records("projects.DecisionRequest", lambda project: project.decision_requests.all())
        register_signed_records("projects.ChangeRequest", lambda project: project.change_requests.all())
        register_signed_records("projects.WorkingAgreement", lambda project: project.working_agreements.all())
        register_history_kind("projects.WorkingAgreement", "Working agreement", signing.agreement_headline)
        register_tab("overview", "Overview", "projects:detail", order=10)
        register_tab("milestones", "Milestones", "projects:milestones", order=20)
        register_tab("updates", "Updates", "projects:updates", order=30)
        register_tab("changes", "Changes", "projects:changes", order=35)
        register_tab("agreement", "Agreement", "projects:agreement", order=65)
        register_tab("team", "Team", "projects:team", order=60, count=lambda page: len(page["team"]))
        register_tab("history", "History", "projects:history", order=70)
        # The overview's own panels; meetings, issues and monitoring add theirs.
        register_panel(
            "latest_update",
            order=10,
            template="projects/_overview_update.html",
            context=overview.latest_update_panel,
            reads=overview.project_reads,
        )
        register_panel(
            "milestones",
            order=30,
            template="projects/_overview_milestones.html",
            context=overview.next_milestones_panel,
            reads=overview.project_reads,
        )
        register_panel(
            "decisions",
            order=50,
            template="projects/_overview_decisions.html",
            context=overview.open_decisions_panel,
            reads=overview.project_reads,
        )
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
            "projects.changerequest",
            lambda *, access, pk: change_selectors.get_change(project=access.project, change_id=pk),
        )
        register_reference(
            "projects.decisionrequest",
            lambda *, access, pk: selectors.get_decision(project=access.project, decision_id=pk),
        )

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "oversight.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring and red flags"

    def ready(self):
        from portal.core.history import register_history_kind, register_reason_labels
        from portal.core.history_scope import register_project_path
        from portal.documents.registry import register_document_kind
        from projects.overview import register_panel
        from projects.tabs import register_tab

        from . import overview, pdf
        from .listeners import connect
        from .models import FlagKind

        kinds = dict(FlagKind.choices)
        # The project's history holds its flags (docs/audit-export.md).
        register_project_path("monitoring.Flag", "project")
        # The history names flags in words: "Flag raised: Action item overdue".
        register_history_kind(
            "monitoring.Flag",
            "Red flags",
            lambda data, created: (
                f"Flag {'raised' if created else 'cleared'}: {kinds.get(data.get('kind'), 'red flag')}"
            ),
        )
        register_reason_labels(
            {f"Monitoring rule: {code}": f"Monitoring: {label}" for code, label in kinds.items()}
        )

        # A change to what the rules read re-evaluates that project's flags after commit.
        connect(self)

        # The project header's "N open flags" badge, linking to the project's flags.
        register_tab(
            "flags",
            "open flag",
            "monitoring:project_flags",
            order=80,
            count=overview.open_flag_count,
            badge=True,
        )
        # The dashboard as a PDF, built by a worker (portal/documents).
        register_document_kind(
            pdf.KIND,
            pdf.build_dashboard_pdf,
            title=pdf.TITLE,
            origin=lambda parameters: pdf.dashboard_url("dashboard", parameters),
            origin_label="Back to the dashboard",
        )
        register_panel(
            "flags",
            order=20,
            template="monitoring/_overview_panel.html",
            context=overview.open_flags_panel,
            reads=overview.reads,
        )

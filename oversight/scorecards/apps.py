from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "oversight.scorecards"
    label = "scorecards"
    verbose_name = "Relationship scorecards"

    def ready(self):
        from django.urls import reverse

        from portal.documents.registry import register_document_kind
        from portal.signatures.models import Meaning
        from portal.signatures.registry import register_signed_action
        from projects.agreed_targets import register_agreed_measure
        from projects.tabs import register_tab

        from . import review_pdf, reviews
        from .measures import MEASURES, SHARE
        from .measures.base import BOTH, CDMO, SPONSOR

        # The project's Health tab: its measures this quarter and the four before (docs/scorecards.md).
        register_tab("health", "Health", "scorecards:project_health", order=75)
        # A working agreement may agree targets for the share measures (docs/scorecards.md, "Targets").
        about = {CDMO: "the CDMO", SPONSOR: "the sponsor", BOTH: "both sides"}
        for measure in MEASURES:
            if measure.kind == SHARE:
                register_agreed_measure(measure.key, measure.name, about=about[measure.side])
        # The quarterly business review: its PDF is built by a worker, both sides' executives sign it off.
        register_document_kind(
            reviews.PDF_KIND,
            review_pdf.build_review_pdf,
            title="Business review (PDF)",
            origin=lambda parameters: reverse("scorecards:review", args=[parameters["review"]]),
            origin_label="Back to the review",
        )
        register_signed_action(
            reviews.SIGN,
            label="Sign off the business review",
            meanings=[Meaning.REVIEWED],
            content=reviews.review_signed_content,
        )

"""The business review pack as a PDF, built by a worker (`portal.documents`): the snapshot the
review keeps, and the sign-off block with the signatures it has when the rendering is built."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.text import slugify

from portal.core import clock
from portal.core.task_base import PermanentTaskError
from portal.documents.registry import Built

from .models import BusinessReview
from .review_scorecard import shown_scorecard
from .reviews import get_review_for_user, sign_off_state


def render_review_pdf(context: dict) -> bytes:
    from weasyprint import HTML  # imported here: it takes ~0.4 s and only the PDF builds need it

    html = render_to_string("scorecards/review_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def review_filename(review: BusinessReview) -> str:
    parts = [
        review.content["sponsor"],
        review.content["cdmo"],
        review.period.label,
        f"edition {review.edition}",
    ]
    return f"business-review-{slugify(' '.join(parts))}.pdf"


def build_review_pdf(document, progress) -> Built:
    user = document.requested_by
    try:
        review = get_review_for_user(user=user, review_id=int(document.parameters["review"]))
    except (Http404, KeyError, TypeError, ValueError) as error:  # gone from view, or bad parameters
        raise PermanentTaskError("You no longer see this business review.") from error
    progress(0, 2, "Laying out the review")
    context = {
        "review": review,
        "pack": review.content,
        "scorecard": shown_scorecard(review.content),
        "sign_off": sign_off_state(review),
        "generated_at": clock.now(),
        "user": user,
    }
    content = render_review_pdf(context)
    progress(2, 2, "Done")
    return Built(content=content, filename=review_filename(review))

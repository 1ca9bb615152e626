"""Pages of the quarterly business reviews: the list with "Prepare a review", one review with
its sign-off, and its latest PDF. Organization-wide roles of the two parties only; 404 for
anyone else (`reviews.reviews_for`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import ServiceError
from portal.core.forms import PortalForm
from portal.core.uploads import download_response
from portal.core.views_helpers import paginate
from portal.signatures.forms import SigningForm

from . import reviews
from .figures import window
from .quarters import Quarter
from .review_scorecard import shown_scorecard


class PrepareReviewForm(PortalForm):
    counterpart = forms.ModelChoiceField(queryset=None, label="With", empty_label="Choose an organization")
    quarter = forms.ChoiceField(label="Quarter")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = reviews.counterparts(user=user)
        quarters = window()
        # The last complete quarter first: the one a review is usually about.
        ordered = quarters[1:2] + quarters[:1] + quarters[2:]
        self.fields["quarter"].choices = [(q.start.isoformat(), f"{q.label} ({q.span})") for q in ordered]

    def quarter_chosen(self) -> Quarter:
        return Quarter.of(self.cleaned_data["quarter_date"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("quarter"):
            cleaned["quarter_date"] = next(
                q.start for q in window() if q.start.isoformat() == cleaned["quarter"]
            )
        return cleaned


@organization_member_required
def reviews_view(request):
    if not reviews.reads_reviews(request.user):
        raise Http404("Business reviews are for executives and admins.")
    form = PrepareReviewForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            review = reviews.prepare_review(
                user=request.user, counterpart=form.cleaned_data["counterpart"], quarter=form.quarter_chosen()
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Review prepared. Its PDF is being built; this page shows it when it is ready."
            )
            return redirect(review)
    page = paginate(request, reviews.reviews_for(user=request.user), per_page=20)
    return render(request, "scorecards/reviews.html", {"form": form, "page": page})


@organization_member_required
def review_view(request, businessreview_id: int):
    review = reviews.get_review_for_user(user=request.user, review_id=businessreview_id)
    state = reviews.sign_off_state(review)
    can_sign = reviews.may_sign(request.user, review, state)
    form = None
    if can_sign:
        form = SigningForm(
            request.POST if request.method == "POST" else None,
            action=reviews.SIGN,
            record=review,
            request=request,
            prefix="sign",
        )
        if request.method == "POST" and form.is_valid():
            signature = form.sign(
                perform=lambda: reviews.sign_off(user=request.user, review=review), errors_on=form
            )
            if signature is not None:
                messages.success(request, "Signed off. The PDF with your signature is being built.")
                return redirect(review)
    elif request.method == "POST":
        raise Http404("Nothing to sign here.")
    context = {
        "review": review,
        "pack": review.content,
        "scorecard": shown_scorecard(review.content),
        "sign_off": state,
        "form": form,
        "pdf": reviews.latest_pdf(review),
        "ready_pdf": reviews.latest_ready_pdf(review),
        "pdf_url": reverse("scorecards:review_pdf", args=[review.pk]),
    }
    return render(request, "scorecards/review.html", context)


@organization_member_required
def review_pdf_view(request, businessreview_id: int):
    """The latest ready rendering, whichever party's executive asked for it."""
    review = reviews.get_review_for_user(user=request.user, review_id=businessreview_id)
    document = reviews.latest_ready_pdf(review)
    if document is None:
        raise Http404("Not ready yet.")
    return download_response(document.file, document.filename, document.content_type)

"""Quarterly business reviews: who may prepare, read and sign one, and the writes.

A review is for one sponsor–CDMO relationship and one quarter. Each side's executives and admins
(the organization-wide roles, who see every program of their organization) prepare and read it;
only executives sign it off, one signature a side (`scorecards.review_sign`, meaning Reviewed).
Anyone else gets 404. Preparing takes the snapshot (`review_content`) and asks a worker for its
PDF in the same transaction; each signature asks for a new rendering, so the latest PDF carries
the sign-off block as it stands. A review is replaced by a new edition only while nobody has
signed it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404

from portal.accounts.models import OrgRole, User
from portal.core import clock
from portal.core.exceptions import ServiceError
from portal.documents.models import Document, DocumentStatus
from portal.documents.services import request_document
from portal.organizations.models import Organization
from portal.signatures.services import signatures_of
from projects.models import Project, ProposalStatus

from .compare import may_compare
from .models import BusinessReview
from .quarters import Quarter
from .review_content import review_content

PDF_KIND = "scorecards.business_review_pdf"
SIGN = "scorecards.review_sign"


def reads_reviews(user) -> bool:
    """The people who see every program of their organization: the comparisons' rule."""
    return may_compare(user)


def reviews_for(*, user) -> QuerySet[BusinessReview]:
    """The reviews of the relationships the person's organization is party to (none for a
    person without an organization-wide role)."""
    if not reads_reviews(user):
        return BusinessReview.objects.none()
    mine = user.organization_id
    return BusinessReview.objects.filter(Q(sponsor_id=mine) | Q(cdmo_id=mine)).select_related(
        "sponsor", "cdmo"
    )


def get_review_for_user(*, user, review_id: int) -> BusinessReview:
    review = reviews_for(user=user).filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review.")
    return review


def counterparts(*, user) -> QuerySet[Organization]:
    """The organizations the person's organization has programs with: whom a review can be with."""
    if not reads_reviews(user):
        return Organization.objects.none()
    mine = user.organization_id
    with_us = Project.objects.filter(
        Q(sponsor_id=mine) | Q(cdmo_id=mine), proposal_status=ProposalStatus.ACCEPTED
    )
    return (
        Organization.objects.filter(
            Q(pk__in=with_us.values("cdmo_id")) | Q(pk__in=with_us.values("sponsor_id"))
        )
        .exclude(pk=mine)
        .order_by("name")
    )


def side_of(user, review: BusinessReview) -> str | None:
    if user.organization_id == review.sponsor_id:
        return "sponsor"
    if user.organization_id == review.cdmo_id:
        return "cdmo"
    return None


def prepare_review(*, user, counterpart: Organization, quarter: Quarter) -> BusinessReview:
    """A new edition of the relationship's review for `quarter`, its PDF asked for on commit.
    Refused when an edition is already signed by someone (it stands; there is nothing to redo)."""
    if not reads_reviews(user) or not counterparts(user=user).filter(pk=counterpart.pk).exists():
        raise Http404("No such relationship.")
    mine = user.organization
    sponsor, cdmo = (mine, counterpart) if mine.is_sponsor else (counterpart, mine)
    with transaction.atomic():
        # One preparation at a time for the relationship (locks the two organizations' rows, in id order).
        list(Organization.objects.select_for_update().filter(pk__in=[sponsor.pk, cdmo.pk]).order_by("pk"))
        editions = BusinessReview.objects.filter(sponsor=sponsor, cdmo=cdmo, quarter=quarter.start)
        current = editions.filter(replaced_at__isnull=True).first()
        if current is not None and signatures_of(current):
            raise ServiceError(
                f"The {quarter.label} review (edition {current.edition}) is being signed off; it stands as prepared."
            )
        now = clock.now()
        editions.filter(replaced_at__isnull=True).update(replaced_at=now)
        review = BusinessReview.objects.create(
            sponsor=sponsor,
            cdmo=cdmo,
            quarter=quarter.start,
            edition=(editions.aggregate(last=Max("edition"))["last"] or 0) + 1,
            prepared_by=user,
            prepared_at=now,
            content=review_content(sponsor=sponsor, cdmo=cdmo, quarter=quarter),
        )
        request_pdf(user=user, review=review)
    return review


def request_pdf(*, user, review: BusinessReview) -> Document:
    """A rendering of the review with the signatures it has now (a new one after each signature)."""
    return request_document(
        user=user, kind=PDF_KIND, parameters={"review": review.pk, "signatures": len(signatures_of(review))}
    )


def latest_pdf(review: BusinessReview) -> Document | None:
    """The newest rendering of the review, ready or on its way (whoever asked for it)."""
    return (
        Document.objects.filter(kind=PDF_KIND, parameters__review=review.pk)
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_ready_pdf(review: BusinessReview) -> Document | None:
    return (
        Document.objects.filter(kind=PDF_KIND, parameters__review=review.pk, status=DocumentStatus.READY)
        .order_by("-created_at", "-pk")
        .first()
    )


def sign_off_state(review: BusinessReview) -> dict[str, list]:
    """{side: its signatures}: the sponsor's and the CDMO's executives' sign-off."""
    state: dict[str, list] = {"sponsor": [], "cdmo": []}
    shown_signatures = signatures_of(review)
    # The signers' organizations in one query, not one per signature.
    organizations = dict(
        User.objects.filter(pk__in=[shown.signature.signer_id for shown in shown_signatures]).values_list(
            "pk", "organization_id"
        )
    )
    for shown in shown_signatures:
        organization = organizations.get(shown.signature.signer_id)
        side = (
            "sponsor"
            if organization == review.sponsor_id
            else "cdmo"
            if organization == review.cdmo_id
            else None
        )
        if side:
            state[side].append(shown)
    return state


def may_sign(user, review: BusinessReview, state: dict[str, list] | None = None) -> bool:
    """An executive of a side that has not signed yet, on the edition in force."""
    side = side_of(user, review)
    if side is None or user.org_role != OrgRole.EXECUTIVE or review.replaced_at is not None:
        return False
    state = state if state is not None else sign_off_state(review)
    return not state[side]


def sign_off(*, user, review: BusinessReview) -> Document:
    """The signed change, inside the signing transaction: refused unless the person may sign;
    then the rendering with this signature is asked for, in the same transaction (its worker
    runs after the commit, when the signature is there to render)."""
    locked = BusinessReview.objects.select_for_update().get(pk=review.pk)
    state = sign_off_state(locked)
    if not may_sign(user, locked, state):
        raise ServiceError("This review is already signed for your side, or a newer edition replaced it.")
    signed = sum(len(signatures) for signatures in state.values())
    return request_document(
        user=user, kind=PDF_KIND, parameters={"review": review.pk, "signatures": signed + 1}
    )


def review_signed_content(review: BusinessReview) -> dict:
    """What a signature covers: the relationship, the quarter, the edition and the pack."""
    return {
        "review": review.pk,
        "sponsor": review.sponsor_id,
        "cdmo": review.cdmo_id,
        "quarter": review.quarter.isoformat(),
        "edition": review.edition,
        "content": review.content,
    }

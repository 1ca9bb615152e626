"""The quarterly business review: prepared by either side's executives from the stored figures,
kept as prepared, built as a PDF by a worker, signed off by one executive of each side."""

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from django.db import IntegrityError, ProgrammingError, transaction
from django.urls import reverse

from oversight.scorecards import figures
from oversight.scorecards.models import BusinessReview
from oversight.scorecards.reviews import PDF_KIND, SIGN
from oversight.scorecards.targets import Targets, save_organization_targets
from portal.accounts.models import OrgRole
from portal.core.models import OutboxTask
from portal.documents import services as documents
from portal.documents.models import Document, DocumentStatus
from portal.signatures.models import Signature
from portal.signatures.registry import signed_action
from projects.models import TeamRole
from tests.factories.issues import RecognitionFactory, ServiceIssueFactory
from tests.factories.monitoring import FlagFactory
from tests.factories.organizations import DEFAULT_PASSWORD, CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import ProjectFactory, staff_project

from .helpers import NOW, UTC, change, done_milestone, member

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/g2-shots"))

pytestmark = pytest.mark.usefixtures("frozen_now")

Q3 = "2026-07-01"
d, at = dt.date, dt.datetime


@pytest.fixture
def world(db):
    """Acme (sponsor) and Contoso (CDMO) on one program with a Q3 to review; each side's
    executive; Globex, a CDMO Acme also works with, whose figures stay out of the pack."""
    sponsor, cdmo = SponsorFactory(name="Acme Bio"), CDMOFactory(name="Contoso Pharma Services")
    project = staff_project(sponsor=sponsor, cdmo=cdmo, code="ACM-201", start_date=d(2026, 6, 1))
    # Q3: three milestones done, two by their 10 Aug baseline (67 %, worst slip 5 days).
    for day in (3, 10, 15):
        done_milestone(project, baseline=d(2026, 8, 10), actual=d(2026, 8, day))
    change(project, needed_by=d(2026, 9, 1), decided=at(2026, 8, 20, 9, tzinfo=UTC))
    FlagFactory(
        project=project, raised_at=at(2026, 8, 1, 9, tzinfo=UTC), cleared_at=at(2026, 8, 9, 9, tzinfo=UTC)
    )
    ServiceIssueFactory(project=project, title="Batch record late", raised_at=at(2026, 9, 2, 9, tzinfo=UTC))
    RecognitionFactory(
        target__project=project,
        note="Tech transfer ran like clockwork.",
        given_at=at(2026, 9, 20, 9, tzinfo=UTC),
    )
    other = staff_project(
        sponsor=sponsor, cdmo=CDMOFactory(name="Globex"), code="ACM-900", start_date=d(2026, 6, 1)
    )
    for day in (20, 21, 22):
        done_milestone(other, baseline=d(2026, 8, 10), actual=d(2026, 8, day))
    figures.refresh_projects()
    figures.roll_up()
    return {
        "sponsor": sponsor,
        "cdmo": cdmo,
        "project": project,
        "sponsor_exec": UserFactory(
            organization=sponsor, org_role=OrgRole.EXECUTIVE, full_name="Sam Sponsor"
        ),
        "cdmo_exec": UserFactory(organization=cdmo, org_role=OrgRole.EXECUTIVE, full_name="Cleo CDMO"),
        "cdmo_admin": UserFactory(organization=cdmo, org_role=OrgRole.ADMIN),
    }


def prepare(client, user, counterpart):
    client.force_login(user)
    response = client.post(reverse("scorecards:reviews"), {"counterpart": counterpart.pk, "quarter": Q3})
    assert response.status_code == 302, response.content.decode()[:2000]
    return BusinessReview.objects.latest("pk")


def sign(client, user, review):
    client.force_login(user)
    return client.post(
        review.get_absolute_url(),
        {
            "sign-meaning": "reviewed",
            "sign-shown": signed_action(SIGN).digest(review),
            "sign-password": DEFAULT_PASSWORD,
        },
    )


def test_an_executive_prepares_the_quarter_and_its_pdf_is_asked_for_with_it(client, world):
    review = prepare(client, world["sponsor_exec"], world["cdmo"])
    assert (review.sponsor, review.cdmo, review.quarter, review.edition) == (
        world["sponsor"],
        world["cdmo"],
        d(2026, 7, 1),
        1,
    )
    pack = review.content
    assert (pack["sponsor"], pack["cdmo"], pack["quarter"], pack["projects"]) == (
        "Acme Bio",
        "Contoso Pharma Services",
        "Q3 2026",
        ["ACM-201"],  # not Globex's ACM-900
    )
    cdmo_side = pack["scorecard"][0]
    on_time = next(m for m in cdmo_side["measures"] if m["key"] == "on_time")
    assert [q["label"] for q in on_time["quarters"]] == [
        "Q3 2026",
        "Q2 2026",
        "Q1 2026",
        "Q4 2025",
        "Q3 2025",
    ]
    assert on_time["quarters"][0] | {"definition": None} == {
        "label": "Q3 2026",
        "display": "67 %",
        "percent": 67,
        "n_label": "n = 3 milestones",
        "share": pytest.approx(2 / 3),
        "too_few": False,
        "details": ["mean slip 1.7 days", "worst slip 5 days"],
        "definition": None,
    }
    assert (pack["flags"]["total"], pack["flags"]["raised"], pack["flags"]["open_at_end"]) == (1, 1, 0)
    assert pack["flags"]["top"][0]["cleared"] == "9 Aug 2026"
    assert (pack["issues"]["total"], pack["issues"]["top"][0]["title"]) == (1, "Batch record late")
    assert [c["approved"] for c in pack["changes"]["listed"]] == ["20 Aug 2026"]
    assert pack["recognition"]["listed"][0]["note"] == "Tech transfer ran like clockwork."
    # The PDF is asked for in the same transaction: a document row and its outbox row.
    document = Document.objects.get(kind=PDF_KIND)
    assert document.parameters == {"review": review.pk, "signatures": 0}
    assert OutboxTask.objects.filter(task_name=documents.BUILD, args=[document.pk]).exists()
    # The page shows the pack.
    html = client.get(review.get_absolute_url()).content.decode()
    assert "Business review Q3 2026" in html and "n = 3 milestones" in html and "Batch record late" in html


def test_the_worker_builds_the_pdf_and_either_side_downloads_it(client, world, tmp_path):
    review = prepare(client, world["cdmo_exec"], world["sponsor"])
    document = Document.objects.get(kind=PDF_KIND)
    assert documents.build_document(document_id=document.pk) == "ready"
    client.force_login(world["sponsor_exec"])  # the other side: not the one who asked
    response = client.get(reverse("scorecards:review_pdf", args=[review.pk]))
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "review.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Business review Q3 2026" in text and "n = 3 milestones" in text
    assert "Awaiting the sponsor executive's signature" in text


def test_each_sides_executive_signs_off_once_and_each_signature_renders_again(client, world, tmp_path):
    review = prepare(client, world["sponsor_exec"], world["cdmo"])
    assert sign(client, world["sponsor_exec"], review).status_code == 302
    assert sign(client, world["sponsor_exec"], review).status_code == 404  # signed for the sponsor already
    # An admin reads the review but does not sign it off.
    client.force_login(world["cdmo_admin"])
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Sign off</button>" not in page and "Signed by Sam Sponsor" in page
    assert sign(client, world["cdmo_admin"], review).status_code == 404
    assert sign(client, world["cdmo_exec"], review).status_code == 302
    signatures = Signature.objects.filter(action=SIGN, record_id=review.pk)
    assert sorted(s.printed_name for s in signatures) == ["Cleo CDMO", "Sam Sponsor"]
    assert {s.meaning for s in signatures} == {"reviewed"}
    renderings = Document.objects.filter(kind=PDF_KIND).order_by("pk")
    assert [r.parameters["signatures"] for r in renderings] == [0, 1, 2]
    latest = renderings.last()
    assert documents.build_document(document_id=latest.pk) == "ready"
    latest.refresh_from_db()
    path = tmp_path / "signed.pdf"
    with latest.file.open("rb") as pdf_file:
        path.write_bytes(pdf_file.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Signed by Sam Sponsor" in text and "Signed by Cleo CDMO" in text and "meaning Reviewed" in text
    # Signed: preparing the quarter again is refused, with the reason on the form.
    client.force_login(world["sponsor_exec"])
    response = client.post(reverse("scorecards:reviews"), {"counterpart": world["cdmo"].pk, "quarter": Q3})
    assert response.status_code == 200 and "is being signed off" in response.content.decode()
    assert BusinessReview.objects.count() == 1


def test_an_unsigned_review_is_replaced_by_a_new_edition_and_both_are_kept(client, world):
    first = prepare(client, world["sponsor_exec"], world["cdmo"])
    second = prepare(client, world["cdmo_exec"], world["sponsor"])
    first.refresh_from_db()
    assert (second.edition, first.replaced_at, second.replaced_at) == (2, NOW, None)
    # The replaced edition can no longer be signed.
    assert sign(client, world["sponsor_exec"], first).status_code == 404


def test_a_review_is_a_record_its_content_frozen_and_never_deleted(client, world):
    review = prepare(client, world["sponsor_exec"], world["cdmo"])
    with pytest.raises(ProgrammingError, match="Cannot update"), transaction.atomic():
        BusinessReview.objects.filter(pk=review.pk).update(content={"rewritten": True})
    with pytest.raises(ProgrammingError, match="Cannot delete"), transaction.atomic():
        BusinessReview.objects.filter(pk=review.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessReview.objects.create(
            **{
                f: getattr(review, f)
                for f in ("sponsor", "cdmo", "quarter", "edition", "prepared_by", "prepared_at", "content")
            }
        )


def test_only_the_two_parties_organization_wide_roles_see_it(client, world):
    review = prepare(client, world["sponsor_exec"], world["cdmo"])
    outsider = UserFactory(organization=SponsorFactory(), org_role=OrgRole.EXECUTIVE)
    lead = member(world["project"], TeamRole.SPONSOR_LEAD)  # a member, not an organization-wide role
    for user in (outsider, lead):
        client.force_login(user)
        for url in (review.get_absolute_url(), reverse("scorecards:review_pdf", args=[review.pk])):
            assert client.get(url).status_code == 404, (user, url)
    client.force_login(lead)
    assert client.get(reverse("scorecards:reviews")).status_code == 404
    # An outsider cannot prepare a review with a CDMO it has no program with: the form says so.
    client.force_login(outsider)
    response = client.post(reverse("scorecards:reviews"), {"counterpart": world["cdmo"].pk, "quarter": Q3})
    assert response.status_code == 200 and BusinessReview.objects.count() == 1
    assert "Select a valid choice" in response.content.decode()
    # The PDF is not ready yet: 404, not an error.
    client.force_login(world["cdmo_exec"])
    assert client.get(reverse("scorecards:review_pdf", args=[review.pk])).status_code == 404
    assert Document.objects.get(kind=PDF_KIND).status == DocumentStatus.QUEUED


def test_bad_input_comes_back_with_the_errors(client, world):
    client.force_login(world["sponsor_exec"])
    response = client.post(reverse("scorecards:reviews"), {"counterpart": "nope", "quarter": "1999-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="errorlist') >= 2 and BusinessReview.objects.count() == 0


def test_the_relationship_page_offers_the_quarters_review_prefilled(client, world):
    client.force_login(world["sponsor_exec"])
    relationship = reverse("scorecards:relationship", args=[world["cdmo"].pk]) + "?quarter=2026-Q3"
    html = client.get(relationship).content.decode()
    prefilled = f"{reverse('scorecards:reviews')}?counterpart={world['cdmo'].pk}&amp;quarter=2026-07-01"
    assert f'href="{prefilled}">Prepare the Q3 2026 business review</a>' in html
    form = client.get(prefilled.replace("&amp;", "&")).content.decode()
    assert f'<option value="{world["cdmo"].pk}" selected>Contoso Pharma Services</option>' in form
    assert '<option value="2026-07-01" selected>' in form


def test_a_proposal_is_no_program_of_the_relationship(client, world):
    """An open proposal between the two is not in the pack, and an organization the sponsor has
    only proposed to is nobody to review with."""
    ProjectFactory(sponsor=world["sponsor"], cdmo=world["cdmo"], code="PROP-1", proposal=True)
    stranger = CDMOFactory(name="Proposed-to Labs")
    ProjectFactory(sponsor=world["sponsor"], cdmo=stranger, code="PROP-2", proposal=True)
    review = prepare(client, world["sponsor_exec"], world["cdmo"])
    assert review.content["projects"] == ["ACM-201"]
    form = client.get(reverse("scorecards:reviews")).content.decode()
    assert "Contoso Pharma Services</option>" in form and "Proposed-to Labs" not in form
    response = client.post(reverse("scorecards:reviews"), {"counterpart": stranger.pk, "quarter": Q3})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_the_pack_keeps_its_targets_and_shows_colours_and_trend_lines(client, world, tmp_path):
    review = prepare(client, world["sponsor_exec"], world["cdmo"])
    on_time = next(m for m in review.content["scorecard"][0]["measures"] if m["key"] == "on_time")
    # The defaults applied when it was prepared (Acme set none): 67 % is below the target of 90.
    assert on_time["targets"] == {
        "target": 90,
        "amber": 80,
        "red": 65,
        "weight": 3,
        "source": "the portal's default",
    }
    recognition = next(
        m for s in review.content["scorecard"] for m in s["measures"] if m["key"] == "recognition"
    )
    assert recognition["targets"] is None  # a count has no target
    # Acme raises its expectations afterwards: the stored pack does not change colour.
    save_organization_targets(
        actor=world["sponsor_exec"],
        organization=world["sponsor"],
        values={"on_time": Targets(target=60, amber=50, red=40, weight=3)},
        now=NOW,
    )
    html = client.get(review.get_absolute_url()).content.decode()
    assert "Target 90 %" in html and "below target" in html and "band-cell-amber" in html
    assert '<svg class="spark"' in html
    assert "On-time delivery by quarter, oldest first: Q3 2025 too few records" in html
    assert "Q3 2026 67 %; target 90 %. No trend: too few records to compare." in html
    document = Document.objects.get(kind=PDF_KIND)
    assert documents.build_document(document_id=document.pk) == "ready"
    response = client.get(reverse("scorecards:review_pdf", args=[review.pk]))
    path = tmp_path / "review.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(tmp_path / "page")], check=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for png in sorted(tmp_path.glob("page*.png")):
        (SHOTS / f"review-{png.name}").write_bytes(png.read_bytes())
    assert "Target 90 %" in text and "below target" in text and "TREND" in text

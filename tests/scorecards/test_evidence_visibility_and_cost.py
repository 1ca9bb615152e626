"""The evidence page shows nothing a viewer may not see, and costs the same for 3 records or 20.

What the measures count is seen by both sides (published updates, the sponsor's own questions,
meetings, action items, requests, milestones, service issues, kudos): the CDMO's drafts,
discarded drafts and internal notes are never counted, so no evidence page lists them, for the
sponsor or for the CDMO. The readers that name the records leave them out for the sponsor all
the same (`oversight.scorecards.evidence.READERS`), so a measure added later cannot leak them.
"""

import datetime as dt

import pytest
from django.urls import reverse

from oversight.scorecards.evidence import READERS
from oversight.scorecards.measures import MEASURES
from projects.models import CommentKind, TeamRole, UpdateStatus
from projects.selectors import access_for
from tests.factories.projects import StatusUpdateFactory, UpdateCommentFactory, staff_project

from .helpers import UTC, change, decision, done_milestone, member, published, question

pytestmark = pytest.mark.usefixtures("frozen_now")

DRAFT = "CDMO-DRAFT-SECRET-5511"
DISCARDED = "CDMO-DISCARDED-SECRET-5512"
INTERNAL = "CDMO-INTERNAL-SECRET-5513"


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 9, 20), update_cadence_days=14)


def _internal_world(project):
    """A published update with a sponsor question (counted) and a CDMO internal note on it (not),
    a draft and a discarded draft (never published: not counted)."""
    update = published(project, dt.datetime(2026, 10, 2, 9, tzinfo=UTC))
    asked = dt.datetime(2026, 10, 2, 10, tzinfo=UTC)
    question(
        update, asked=asked, respond_by=asked + dt.timedelta(days=1), answered=asked + dt.timedelta(hours=2)
    )
    note = UpdateCommentFactory(
        update=update,
        kind=CommentKind.COMMENT,
        is_internal=True,
        body=INTERNAL,
        author=member(project, TeamRole.PROJECT_MANAGER),
        created_at=asked,
    )
    draft = StatusUpdateFactory(project=project, title=DRAFT, period_end=dt.date(2026, 11, 10))
    discarded = StatusUpdateFactory(
        project=project, title=DISCARDED, status=UpdateStatus.DISCARDED, period_end=dt.date(2026, 10, 20)
    )
    return note, draft, discarded


@pytest.mark.parametrize("role", [TeamRole.SPONSOR_LEAD, TeamRole.PROJECT_MANAGER])
def test_no_evidence_page_lists_the_cdmos_drafts_or_internal_notes(client, project, role):
    _internal_world(project)
    client.force_login(member(project, role))
    listed = 0
    for measure in MEASURES:
        for quarter in ("2026-q4", "2026-q3"):
            html = client.get(
                reverse("scorecards:evidence", args=[project.pk, measure.key, quarter])
            ).content.decode()
            for marker in (DRAFT, DISCARDED, INTERNAL):
                assert marker not in html, (role, measure.key, quarter, marker)
            listed += html.count('<th scope="row">')
    # What is counted is listed: the update twice (it kept cadence's period due 4 Oct; updates
    # acknowledged: not acknowledged, 2 business days long gone), the question (answered in 2
    # hours), and cadence's three missed periods (due 16 Oct, 30 Oct, 13 Nov; no object).
    assert listed == 6


def test_the_readers_leave_internal_content_out_for_the_sponsor(project):
    note, draft, discarded = _internal_world(project)
    sponsor = access_for(user=member(project, TeamRole.SPONSOR_LEAD), project=project)
    cdmo = access_for(user=member(project, TeamRole.PROJECT_MANAGER), project=project)
    assert READERS["update"](sponsor, [draft.pk, discarded.pk]) == {}
    assert READERS["question"](sponsor, [note.pk]) == {}
    # The CDMO sees its own drafts and notes: the readers name them for it.
    assert {item.label for item in READERS["update"](cdmo, [draft.pk, discarded.pk]).values()} == {
        DRAFT,
        DISCARDED,
    }
    assert len(READERS["question"](cdmo, [note.pk])) == 1


def test_a_record_of_another_project_is_never_named(project):
    other = staff_project()
    milestone = done_milestone(other, baseline=dt.date(2026, 8, 10), actual=dt.date(2026, 8, 3))
    sponsor = access_for(user=member(project, TeamRole.SPONSOR_LEAD), project=project)
    assert READERS["milestone"](sponsor, [milestone.pk]) == {}


@pytest.mark.parametrize(
    ("key", "quarter", "queries"),
    [
        # The project frame and layout (7), the measure's query (1, the agreed tolerance read in
        # it), the milestones' names (1), the targets (2: the agreement in force, the organizations').
        ("on_time", "2026-q3", 11),
        # Cadence reads three (publications, agreements, the project's settings), the updates' names one.
        ("cadence", "2026-q4", 13),
        # One UNION for both kinds of request, then one query a kind for their names.
        ("decisions_on_time", "2026-q4", 12),
    ],
)
def test_the_page_costs_the_same_for_few_records_or_many(
    client, project, django_assert_num_queries, key, quarter, queries
):
    client.force_login(member(project, TeamRole.SPONSOR_LEAD))
    page = reverse("scorecards:evidence", args=[project.pk, key, quarter])

    def add(count, offset):
        for i in range(count):
            day = dt.date(2026, 7, 1) + dt.timedelta(days=offset + i)
            done_milestone(project, baseline=day, actual=day + dt.timedelta(days=i % 3))
            update = published(
                project, dt.datetime(2026, 10, 1, 9, tzinfo=UTC) + dt.timedelta(days=offset + i)
            )
            decision(update, needed_by=dt.date(2026, 10, 2) + dt.timedelta(days=offset + i))
            change(project, needed_by=dt.date(2026, 10, 1) + dt.timedelta(days=offset + i))

    add(3, 0)
    client.get(page)  # the first request after logging in does session bookkeeping
    with django_assert_num_queries(queries):
        small = client.get(page).content.decode()
    add(17, 3)
    with django_assert_num_queries(queries):
        large = client.get(page).content.decode()
    assert large.count('<th scope="row">') > small.count('<th scope="row">') >= 3

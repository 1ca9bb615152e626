import pytest
from django.urls import reverse

from portal.accounts.models import OrgRole
from portal.core.paging import CountedQuerySet
from projects.models import Phase, Project, ProjectStatus
from tests.factories.organizations import CDMOFactory, UserFactory
from tests.factories.projects import ProjectFactory, staff_project


def _make_projects(sponsor, count):
    cdmos = [CDMOFactory() for _ in range(3)]
    for i in range(count):
        staff_project(
            sponsor=sponsor,
            cdmo=cdmos[i % 3],
            phase=[Phase.PHASE_1, Phase.PHASE_2, Phase.COMMERCIAL][i % 3],
            status=[ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD][i % 2],
        )


def _list_queries(client, django_assert_num_queries, queries, **params):
    with django_assert_num_queries(queries) as captured:
        response = client.get(reverse("projects:list"), params)
    assert response.status_code == 200
    return response, captured


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 100])
def test_project_list_queries_do_not_grow_with_projects(client, sponsor, count, django_assert_num_queries):
    _make_projects(sponsor, count)
    executive = UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE)
    client.force_login(executive)
    # session, user, organization (menu), unread notifications (bell), counterparties, the page with
    # the total, prefetch of key people, proposals waiting for the organization (issue 12)
    response, _ = _list_queries(client, django_assert_num_queries, 8)
    assert len(response.context["page"].object_list) == min(count, 25)
    assert response.context["page"].paginator.count == count
    _list_queries(client, django_assert_num_queries, 8, status="active", phase="phase_1", q="PRJ")


@pytest.mark.django_db
def test_filters_by_status_phase_cdmo_and_search(client, sponsor):
    cdmo_a, cdmo_b = CDMOFactory(name="Alpha CDMO"), CDMOFactory(name="Beta CDMO")
    ProjectFactory(sponsor=sponsor, cdmo=cdmo_a, code="AAA-1", name="Peptide API", phase=Phase.PHASE_1)
    ProjectFactory(
        sponsor=sponsor,
        cdmo=cdmo_b,
        code="BBB-2",
        name="Fill finish",
        phase=Phase.PHASE_3,
        status=ProjectStatus.ON_HOLD,
    )
    client.force_login(UserFactory(organization=sponsor, org_role=OrgRole.ADMIN))

    def codes(**params):
        return [p.code for p in client.get(reverse("projects:list"), params).context["page"].object_list]

    assert codes() == ["AAA-1", "BBB-2"]
    assert codes(status="on_hold") == ["BBB-2"]
    assert codes(phase="phase_1") == ["AAA-1"]
    assert codes(cdmo=cdmo_b.pk) == ["BBB-2"]
    assert codes(q="peptide") == ["AAA-1"]
    assert codes(q="bbb") == ["BBB-2"]
    assert codes(q="nothing-like-this") == []


@pytest.mark.django_db
def test_junk_filter_values_do_not_break_the_page(client, sponsor_lead):
    client.force_login(sponsor_lead)
    response = client.get(reverse("projects:list"), {"status": "bogus", "cdmo": "abc", "page": "999"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_list_paginates(client, sponsor):
    _make_projects(sponsor, 30)
    client.force_login(UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE))
    page2 = client.get(reverse("projects:list"), {"page": 2})
    assert len(page2.context["page"].object_list) == 5
    assert "26–30 of 30" in page2.content.decode()


@pytest.mark.django_db
def test_htmx_filter_returns_only_the_results_fragment(client, sponsor_lead):
    client.force_login(sponsor_lead)
    response = client.get(reverse("projects:list"), {"q": "ACM"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body
    assert "ACM-101" in body


@pytest.mark.django_db
def test_empty_state_says_what_to_do(client, sponsor_member_off_team):
    client.force_login(sponsor_member_off_team)
    body = client.get(reverse("projects:list")).content.decode()
    assert "No projects yet" in body
    assert "adds you to a project team" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "shown"),
    [("2", 2), ("3", 2), ("99999999999999999999999", 2), ("last", 2), ("0", 1), ("abc", 1), ("", 1)],
)
def test_pages_read_with_their_total_follow_paginate_rules(client, sponsor, page, shown):
    """The page and the total come in one query; past the end, "last" and junk as on every list."""
    cdmo = CDMOFactory()
    for n in range(30):
        ProjectFactory(sponsor=sponsor, cdmo=cdmo, code=f"PRJ-{n:02d}")
    client.force_login(UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE))
    response = client.get(reverse("projects:list"), {"page": page})
    codes = [p.code for p in response.context["page"].object_list]
    assert response.context["page"].number == shown and response.context["page"].paginator.count == 30
    assert codes == (
        [f"PRJ-{n:02d}" for n in range(25)] if shown == 1 else [f"PRJ-{n:02d}" for n in range(25, 30)]
    )


def test_a_window_count_is_refused_over_distinct_rows():
    with pytest.raises(ValueError):
        CountedQuerySet(Project.objects.distinct(), page="1", per_page=25)


@pytest.mark.django_db
def test_the_counterparty_filter_names_only_parties_of_visible_projects(client, project, sponsor_lead):
    """A lead's CDMO choices come from the projects they are on; an executive's from all of them."""
    elsewhere = CDMOFactory(name="Elsewhere CDMO")
    ProjectFactory(sponsor=project.sponsor, cdmo=elsewhere, code="ACM-900")  # the lead is not on it
    CDMOFactory(name="Stranger CDMO")  # no project with the sponsor at all

    def choices(user):
        client.force_login(user)
        form = client.get(reverse("projects:list")).context["form"]
        return [label for value, label in form.fields["cdmo"].choices if value]

    assert choices(sponsor_lead) == [project.cdmo.name]
    executive = UserFactory(organization=project.sponsor, org_role=OrgRole.EXECUTIVE)
    assert choices(executive) == sorted([project.cdmo.name, "Elsewhere CDMO"])

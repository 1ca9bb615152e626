"""`CompiledRead` (portal.core.compiled): the SQL is compiled once, the rows are read every call."""

import datetime as dt

import pghistory
import pytest
from django.db.models import Count, F, Window

from portal.accounts.models import User
from portal.core.compiled import CompiledRead, read_together
from portal.organizations.models import Organization
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

# The members of an organization who joined before a moment, with their organization's name
# and how many such members there are: values of two types, a join and a window count.
members_before = CompiledRead(
    lambda organization_id, before: (
        User.objects.filter(organization_id=organization_id, date_joined__lt=before)
        .only("pk", "full_name")
        .annotate(organization_name=F("organization__name"), total=Window(Count("pk")))
        .order_by("date_joined", "pk")
    ),
    organization_id=int,
    before=dt.datetime,
)


def _expected(organization_id, before):
    return [
        (user.pk, user.full_name, user.organization.name)
        for user in User.objects.filter(organization_id=organization_id, date_joined__lt=before).order_by(
            "date_joined", "pk"
        )
    ]


def test_each_call_reads_its_own_values_and_the_rows_as_they_are_now(django_assert_num_queries):
    sponsor, cdmo = SponsorFactory(name="Acme Bio"), CDMOFactory(name="Make Co")
    for day in range(4):
        UserFactory(organization=sponsor, date_joined=T0 + dt.timedelta(days=day))
    UserFactory(organization=cdmo, date_joined=T0)
    for organization_id, before in [
        (sponsor.pk, T0 + dt.timedelta(days=2)),
        (cdmo.pk, T0 + dt.timedelta(days=9)),
    ]:
        with django_assert_num_queries(1):
            rows = members_before(organization_id=organization_id, before=before)
        assert [(user.pk, user.full_name, user.organization_name) for user in rows] == _expected(
            organization_id, before
        )
        assert {user.total for user in rows} == {len(rows)}
    assert len(members_before(organization_id=sponsor.pk, before=T0 + dt.timedelta(days=2))) == 2

    UserFactory(organization=sponsor, date_joined=T0 - dt.timedelta(days=1))  # a row written since
    rows = members_before(organization_id=sponsor.pk, before=T0 + dt.timedelta(days=2))
    assert len(rows) == 3 and rows[0].date_joined == T0 - dt.timedelta(days=1)  # not selected: deferred


def test_reads_made_together_take_one_round_trip_and_each_gets_its_own_rows(django_assert_num_queries):
    sponsor, cdmo = SponsorFactory(name="Acme Bio"), CDMOFactory(name="Make Co")
    UserFactory(organization=sponsor, date_joined=T0, full_name="Ana Sponsor")
    UserFactory(organization=cdmo, date_joined=T0, full_name="Cy Maker")
    organizations = CompiledRead(
        lambda kind: Organization.objects.filter(kind=kind).only("pk", "name"), kind=str
    )
    later = T0 + dt.timedelta(days=1)
    with django_assert_num_queries(1):
        sponsors, makers, nobody, cdmos = read_together(
            [
                (members_before, {"organization_id": sponsor.pk, "before": later}),
                (members_before, {"organization_id": cdmo.pk, "before": later}),
                (members_before, {"organization_id": cdmo.pk, "before": T0}),
                (organizations, {"kind": cdmo.kind}),
            ]
        )
    assert [(u.full_name, u.organization_name, u.total) for u in sponsors] == [("Ana Sponsor", "Acme Bio", 1)]
    assert [(u.full_name, u.organization_name, u.total) for u in makers] == [("Cy Maker", "Make Co", 1)]
    assert nobody == [] and [o.name for o in cdmos] == ["Make Co"]
    assert read_together([]) == []


def test_related_objects_are_made_as_select_related_makes_them(django_assert_num_queries):
    sponsor = SponsorFactory(name="Acme Bio")
    ana = UserFactory(organization=sponsor, full_name="Ana Sponsor")
    UserFactory(organization=None, full_name="Zed Nobody")
    people = CompiledRead(
        lambda joined: (
            User.objects.filter(date_joined__gte=joined)
            .select_related("organization")
            .only("pk", "full_name", "organization__name")
            .order_by("full_name")
        ),
        joined=dt.datetime,
    )
    with django_assert_num_queries(1):
        rows = people(joined=T0 - dt.timedelta(days=3650))
        assert [(u.full_name, u.organization and u.organization.name) for u in rows] == [
            ("Ana Sponsor", "Acme Bio"),
            ("Zed Nobody", None),
        ]
    assert rows[0].pk == ana.pk and rows[0].organization.pk == sponsor.pk


def test_a_fixed_value_shapes_the_query_and_one_that_selects_nothing_asks_nothing(django_assert_num_queries):
    sponsor, cdmo = SponsorFactory(), CDMOFactory()
    active = UserFactory(organization=sponsor, full_name="Ana Active")
    UserFactory(organization=sponsor, full_name="Ivo Inactive", is_active=False)
    UserFactory(organization=cdmo)
    members = CompiledRead(
        lambda organization_id, who: {
            "active": User.objects.filter(organization_id=organization_id, is_active=True),
            "everyone": User.objects.filter(organization_id=organization_id),
            "nobody": User.objects.none(),
        }[who].order_by("full_name"),
        fixed=("who",),
        organization_id=int,
    )
    with django_assert_num_queries(2):
        assert [u.pk for u in members(organization_id=sponsor.pk, who="active")] == [active.pk]
        assert len(members(organization_id=sponsor.pk, who="everyone")) == 2
    with django_assert_num_queries(0):
        assert members(organization_id=sponsor.pk, who="nobody") == []
    with django_assert_num_queries(1):
        everyone, nobody = read_together(
            [(members, {"organization_id": cdmo.pk, "who": who}) for who in ("everyone", "nobody")]
        )
    assert len(everyone) == 1 and nobody == []


def test_a_value_the_sql_does_not_take_as_a_parameter_is_refused():
    limited = CompiledRead(lambda size: User.objects.order_by("pk")[:size], size=int)  # LIMIT is written
    with pytest.raises(ValueError, match="size"):
        limited(size=3)
    ignored = CompiledRead(lambda organization_id: User.objects.filter(is_active=True), organization_id=int)
    with pytest.raises(ValueError, match="organization_id"):
        ignored(organization_id=1)
    # A value some shapes do not need is named optional.
    sometimes = CompiledRead(
        lambda organization_id, mine: (
            User.objects.filter(organization_id=organization_id)
            if mine
            else User.objects.filter(is_staff=True)
        ),
        fixed=("mine",),
        optional=("organization_id",),
        organization_id=int,
    )
    assert sometimes(organization_id=1, mine=False) == sometimes(organization_id=1, mine=True) == []
    # A value that reaches the SQL changed would be the stand-in's, whatever the call.
    wrapped = CompiledRead(lambda name: User.objects.filter(full_name__contains=name), name=str)
    with pytest.raises(ValueError, match="compiled-read-stand-in"):
        wrapped(name="Ana")
    moved = CompiledRead(lambda pk: User.objects.filter(pk__gt=pk + 1), pk=int)
    with pytest.raises(ValueError, match="pk"):
        moved(pk=1)


def test_reads_made_together_survive_a_statement_put_before_them():
    """pghistory's context (on a request that writes) sends a statement of its own first."""
    sponsor = SponsorFactory(name="Acme Bio")
    UserFactory(organization=sponsor, date_joined=T0, full_name="Ana Sponsor")
    organizations = CompiledRead(lambda kind: Organization.objects.filter(kind=kind).only("name"), kind=str)
    later = T0 + dt.timedelta(days=1)
    with pghistory.context(reason="test"):
        members, named = read_together(
            [
                (members_before, {"organization_id": sponsor.pk, "before": later}),
                (organizations, {"kind": sponsor.kind}),
            ]
        )
    assert [u.full_name for u in members] == ["Ana Sponsor"] and [o.name for o in named] == ["Acme Bio"]


def test_the_values_must_be_the_declared_ones():
    with pytest.raises(TypeError):
        members_before(organization_id=1)
    with pytest.raises(TypeError):
        CompiledRead(lambda ids: User.objects.filter(pk__in=ids), ids=list)

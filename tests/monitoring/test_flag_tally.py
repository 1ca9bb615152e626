"""The stored flag tallies (`tally.py`) follow writes the random story of the rebuild test does
not make: a proposal's flags, seen by the other side once it accepts; a flag backdated by an
UPDATE; many flags in one statement; writes that change nothing counted."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from oversight.monitoring.models import Flag, FlagKind, FlagTally, OpenFlagTally
from oversight.monitoring.tally import live_tallies, stored_tallies
from projects.models import Project, ProposalStatus
from tests.factories.monitoring import FlagFactory
from tests.factories.projects import ProjectFactory

NOW = dt.datetime(2026, 11, 18, 10, 20, tzinfo=dt.UTC)
HOUR = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)


def _open(org) -> dict[str, int]:
    return {row.kind: row.open for row in OpenFlagTally.objects.filter(organization=org).exclude(open=0)}


@time_machine.travel(NOW, tick=False)
def test_a_proposals_flags_count_for_its_proposer_then_for_both_sides(db):
    proposal = ProjectFactory(proposal=True)
    FlagFactory(project=proposal, kind=FlagKind.STALE_UPDATE)
    assert _open(proposal.sponsor) == {FlagKind.STALE_UPDATE: 1}
    assert _open(proposal.cdmo) == {}
    Project.objects.filter(pk=proposal.pk).update(proposal_status=ProposalStatus.ACCEPTED)
    assert _open(proposal.cdmo) == {FlagKind.STALE_UPDATE: 1}
    assert FlagTally.objects.get(organization=proposal.cdmo, hour=HOUR).raised == 1
    assert stored_tallies() == live_tallies()


@time_machine.travel(NOW, tick=False)
def test_updates_move_the_counts_and_other_updates_leave_them(db):
    project = ProjectFactory()
    flags = [
        FlagFactory(project=project, kind=kind) for kind in (FlagKind.STALE_UPDATE, FlagKind.MILESTONE_SLIP)
    ]
    assert FlagTally.objects.get(organization=project.sponsor, hour=HOUR).raised == 2
    # Backdated and cleared in one statement: the counts move to the hours they name now.
    Flag.objects.filter(pk=flags[0].pk).update(
        raised_at=NOW - dt.timedelta(days=9), cleared_at=NOW - dt.timedelta(days=2)
    )
    assert FlagTally.objects.get(organization=project.sponsor, hour=HOUR).raised == 1
    cleared_hour = HOUR - dt.timedelta(days=2)
    assert FlagTally.objects.get(organization=project.cdmo, hour=cleared_hour).cleared == 1
    assert _open(project.cdmo) == {FlagKind.MILESTONE_SLIP: 1}
    before = stored_tallies()
    Flag.objects.update(last_notified_at=timezone.now(), explanation="Reworded.")
    assert stored_tallies() == before == live_tallies()


@time_machine.travel(NOW, tick=False)
def test_a_bulk_insert_counts_every_row_and_its_conflicts_none(db):
    project = ProjectFactory()
    (first,) = [FlagFactory(project=project)]
    copies = [
        Flag(
            **{f.attname: getattr(first, f.attname) for f in Flag._meta.concrete_fields if f.attname != "id"}
        )
    ]
    others = [
        FlagFactory.build(project=project, kind=kind)
        for kind in (FlagKind.STALE_UPDATE, FlagKind.MILESTONE_SLIP)
    ]
    for flag in others:
        flag.subject_type_id, flag.subject_id = first.subject_type_id, first.subject_id
    Flag.objects.bulk_create(copies + others, ignore_conflicts=True)  # the copy conflicts
    assert FlagTally.objects.get(organization=project.sponsor, hour=HOUR).raised == 3
    assert sum(_open(project.sponsor).values()) == 3
    assert stored_tallies() == live_tallies()


@pytest.mark.django_db
def test_the_stored_tallies_leave_out_zero_rows():
    """A count back to zero stays as a row of zeros: `stored_tallies` compares without them."""
    project = ProjectFactory()
    flag = FlagFactory(project=project)
    Flag.objects.filter(pk=flag.pk).update(cleared_at=flag.raised_at)
    assert OpenFlagTally.objects.get(organization=project.sponsor, kind=flag.kind).open == 0
    assert stored_tallies() == live_tallies()

"""The meetings services stamp what they write with the portal's clock, so history can be replayed."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import Invitee
from portal.core import clock

pytestmark = pytest.mark.django_db


def test_scheduling_stamps_the_meeting_and_its_invitations_with_the_clock(schedule):
    at = timezone.now().replace(microsecond=0) - datetime.timedelta(days=30)

    with clock.replaying(at):
        meeting = schedule(starts_at=at + datetime.timedelta(days=6), guests=[("Guest", "guest@example.com")])

    invited = set(Invitee.objects.filter(meeting=meeting).values_list("invited_at", flat=True))
    assert invited == {at}

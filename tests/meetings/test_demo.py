"""The demo world holds a believable meeting history, and seeding twice adds nothing."""

import pytest
from django.core.management import call_command

from meetings.models import Meeting
from tests.demo_story import assert_meeting_history

pytestmark = pytest.mark.django_db


def test_demo_meeting_history():
    call_command("seed_demo", quiet=True)
    count = Meeting.objects.count()
    call_command("seed_demo", quiet=True)
    assert Meeting.objects.count() == count  # idempotent

    assert_meeting_history()

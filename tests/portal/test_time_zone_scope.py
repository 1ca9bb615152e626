"""The signed-in person's time zone holds for their request only, streamed downloads included."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.core.csv import streaming_csv_response
from tests.factories.organizations import UserFactory


@pytest.mark.django_db
def test_the_zone_is_dropped_when_the_response_is_made(client, sponsor):
    client.force_login(UserFactory(organization=sponsor, time_zone="Asia/Tokyo"))
    response = client.get(reverse("organizations:members"))
    assert response.status_code == 200 and "Asia/Tokyo" in response.content.decode()
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_a_streamed_csv_is_written_in_the_zone_it_was_asked_in():
    def rows():
        yield [timezone.get_current_timezone_name()]

    with timezone.override("Asia/Tokyo"):
        response = streaming_csv_response("zones.csv", ["zone"], rows())
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE
    assert b"".join(response.streaming_content).decode().splitlines() == ["zone", "Asia/Tokyo"]

"""Requests refused at the API's door are limited per client address: past the limit they are
429 with Retry-After, and only the first of those is written to the append-only request log, so
a flood of bad tokens does not grow it; a live token from the same address is not held back."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from integration.api import ratelimit
from integration.api.models import ApiRequest
from tests.factories.integration import api_token

PROJECTS = "/api/v1/projects"
ADDRESS = "203.0.113.77"
AT = dt.datetime(2027, 3, 4, 10, 0, 15, tzinfo=dt.UTC)


@pytest.fixture
def fresh_counts():
    """No count left in Redis by an earlier run of this test (its window is the same frozen one)."""
    client = ratelimit._redis()
    for key in client.scan_iter(f"api:rate:refused:{ADDRESS}:*"):
        client.delete(key)


@pytest.mark.django_db
def test_a_flood_of_bad_tokens_is_429_after_the_limit_and_logged_once(
    client, sponsor, settings, fresh_counts
):
    settings.API_REFUSED_RATE_LIMIT = 3
    settings.API_RATE_WINDOW_SECONDS = 60
    bad = {"HTTP_AUTHORIZATION": "Bearer mrd_nothing_like_a_token", "REMOTE_ADDR": ADDRESS}
    with time_machine.travel(AT, tick=False):
        _, secret = api_token(sponsor)
        statuses = [client.get(PROJECTS, **bad).status_code for _ in range(3)]
        statuses.append(client.get(PROJECTS, REMOTE_ADDR=ADDRESS).status_code)  # no token at all
        over = client.get(PROJECTS, **bad)
        statuses += [client.get(PROJECTS, **bad).status_code for _ in range(5)]
        # The address's live token is not refused: only refusals count against it.
        good = client.get(PROJECTS, HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=ADDRESS)
    assert statuses == [401, 401, 401, 429, 429, 429, 429, 429, 429]
    assert over.status_code == 429 and over["Retry-After"] == "45"
    assert good.status_code == 200
    logged = list(ApiRequest.objects.order_by("pk").values_list("status_code", "refusal", "token_id"))
    # Three 401s, the first 429 (the no-token request), then nothing of the flood; the live token.
    assert [row[:2] for row in logged] == [
        (401, "unknown"),
        (401, "unknown"),
        (401, "unknown"),
        (429, "rate_limited"),
        (200, ""),
    ]
    # A new window: refused requests are 401 again.
    with time_machine.travel(AT + dt.timedelta(minutes=1), tick=False):
        assert client.get(PROJECTS, **bad).status_code == 401

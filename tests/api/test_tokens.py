"""Organization API tokens: made by an admin and shown once, stored as a hash, refused once
expired or revoked (401), every use recorded, limited per token (429 with Retry-After)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.urls import reverse

from integration.api.models import ApiRequest, ApiToken
from portal.accounts.models import OrgRole
from tests.factories.integration import api_token
from tests.factories.organizations import UserFactory
from tests.http import text

PROJECTS = "/api/v1/projects"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def sponsor_admin(sponsor):
    return UserFactory(organization=sponsor, org_role=OrgRole.ADMIN, full_name="Ada Admin")


@pytest.mark.django_db
def test_admin_makes_a_token_shown_once_and_stored_hashed(client, sponsor_admin, project):
    client.force_login(sponsor_admin)
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(reverse("api:tokens"), {"name": "Warehouse", "expires_on": expires})
    token = ApiToken.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{reverse('api:tokens')}?made={token.pk}"
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r"mrd_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}", text(response)).group(0)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.secret_hash}
    assert token.organization == project.sponsor and token.created_by == sponsor_admin
    # Never shown again: the list names it by its prefix only.
    listing = text(client.get(reverse("api:tokens")))
    assert secret not in listing and f"mrd_{token.prefix}_" in listing and "never" in listing
    assert client.get(PROJECTS, **bearer(secret)).status_code == 200


@pytest.mark.django_db
def test_bad_expiry_comes_back_with_the_error_and_what_was_typed(client, sponsor_admin):
    client.force_login(sponsor_admin)
    response = client.post(reverse("api:tokens"), {"name": "Typed name", "expires_on": "2001-01-01"})
    assert response.status_code == 200
    assert "Choose a day after today." in text(response) and 'value="Typed name"' in text(response)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_only_an_org_admin_reaches_the_token_pages(client, sponsor_lead, sponsor_admin, outsider):
    client.force_login(sponsor_lead)
    assert client.get(reverse("api:tokens")).status_code == 404
    token, _ = api_token(sponsor_admin.organization, admin=sponsor_admin)
    client.force_login(outsider)  # an admin, of another organization
    assert client.post(reverse("api:revoke_token", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.django_db
def test_revoked_token_is_refused_and_its_record_kept(client, sponsor_admin):
    token, secret = api_token(sponsor_admin.organization, admin=sponsor_admin)
    assert client.get(PROJECTS, **bearer(secret)).status_code == 200
    client.force_login(sponsor_admin)
    client.post(reverse("api:revoke_token", args=[token.pk]))
    client.logout()
    response = client.get(PROJECTS, **bearer(secret))
    assert response.status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == sponsor_admin
    # The refused request is in the log too, against the revoked token, with its 401.
    rows = list(ApiRequest.objects.filter(token=token).order_by("pk").values_list("status_code", "refusal"))
    assert rows == [(200, ""), (401, "revoked")]
    # The trail has its making and its revoking; its uses are requests, not events.
    events = token.pgh_event_model.objects.filter(pgh_obj=token).order_by("pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "update"] and events[1].revoked_at is not None


@pytest.mark.django_db
def test_expired_unknown_and_missing_tokens_are_401(client, sponsor):
    token, secret = api_token(sponsor, days=2)
    assert client.get(PROJECTS).status_code == 401
    assert client.get(PROJECTS, **bearer(secret[:-2] + "xx")).status_code == 401
    assert client.get(PROJECTS, **bearer(secret)).status_code == 200
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):
        assert client.get(PROJECTS, **bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_every_request_is_recorded_with_the_last_use(client, sponsor):
    moment = dt.datetime(2027, 3, 4, 10, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        token, secret = api_token(sponsor)
        assert token.last_used_at is None
        client.get(PROJECTS + "?status=active", **bearer(secret))
        client.get("/api/v1/projects/999999", **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == moment
    rows = list(
        ApiRequest.objects.filter(token=token)
        .order_by("pk")
        .values_list("path", "query", "organization", "status_code", "at")
    )
    assert rows == [
        (PROJECTS, "status=active", sponsor.pk, 200, moment),
        ("/api/v1/projects/999999", "", sponsor.pk, 404, moment),
    ]


@pytest.mark.django_db
def test_over_the_rate_limit_is_429_with_retry_after(client, sponsor, settings):
    settings.API_RATE_LIMIT = 2
    settings.API_RATE_WINDOW_SECONDS = 60
    with time_machine.travel(dt.datetime(2027, 3, 4, 10, 0, 15, tzinfo=dt.UTC), tick=False):
        token, secret = api_token(sponsor)
        other, other_secret = api_token(sponsor, name="Other load")
        assert [client.get(PROJECTS, **bearer(secret)).status_code for _ in range(2)] == [200, 200]
        refused = client.get(PROJECTS, **bearer(secret))
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"  # the window ends at 10:01:00
        assert client.get(PROJECTS, **bearer(other_secret)).status_code == 200  # per token
    with time_machine.travel(dt.datetime(2027, 3, 4, 10, 1, 0, tzinfo=dt.UTC), tick=False):
        assert client.get(PROJECTS, **bearer(secret)).status_code == 200  # a new window
    refused = ApiRequest.objects.get(token=token, refused=True)
    assert (refused.status_code, refused.refusal) == (429, "rate_limited")
    assert list(
        ApiRequest.objects.filter(token=token).values_list("status_code", flat=True).order_by("pk")
    ) == [
        200,
        200,
        429,
        200,
    ]


@pytest.mark.django_db
def test_refused_requests_are_recorded_with_their_status_and_never_the_token(client, sponsor, sponsor_admin):
    token, secret = api_token(sponsor, days=2)
    revoked, revoked_secret = api_token(sponsor, name="Old load", admin=sponsor_admin)
    client.force_login(sponsor_admin)
    client.post(reverse("api:revoke_token", args=[revoked.pk]))
    client.logout()
    unknown = secret[:-4] + "xxxx"
    client.get(PROJECTS)  # no token at all
    client.get(PROJECTS, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")  # not a bearer token
    client.get(PROJECTS + f"?access_token={unknown}", **bearer(unknown))
    client.get(PROJECTS, **bearer(revoked_secret))
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):
        client.get(PROJECTS, **bearer(secret))
    rows = list(
        ApiRequest.objects.order_by("pk").values_list(
            "token", "organization", "status_code", "refusal", "query"
        )
    )
    assert rows == [
        (None, None, 401, "missing", ""),
        (None, None, 401, "missing", ""),
        (None, None, 401, "unknown", "access_token=mrd_[removed]"),
        (revoked.pk, sponsor.pk, 401, "revoked", ""),
        (token.pk, sponsor.pk, 401, "expired", ""),
    ]
    # No secret anywhere in the log, and a refused token is not "used".
    stored = " ".join(str(value) for row in ApiRequest.objects.values_list() for value in row)
    for value in (secret, unknown, revoked_secret, secret.split("_")[2][:12]):
        assert value not in stored
    token.refresh_from_db()
    revoked.refresh_from_db()
    assert token.last_used_at is None and revoked.last_used_at is None


@pytest.mark.django_db
def test_the_log_is_an_append_only_record(client, sponsor):
    """The request log is the API's audit trail: the database refuses to change or delete a row
    (docs/api.md explains why there is no retention job)."""
    token, secret = api_token(sponsor)
    client.get(PROJECTS, **bearer(secret))
    row = ApiRequest.objects.get()
    rows = ApiRequest.objects.filter(pk=row.pk)
    for attempt in (rows.delete, lambda: rows.update(status_code=500)):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert ApiRequest.objects.get().status_code == 200

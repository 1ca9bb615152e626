"""Making an API token is POST-redirect-GET: the secret is shown once, on the page the POST
redirects to; reloading that page shows the list without it and never makes a second token.
The secret waits in the maker's server-side session only, keyed to the token's id.

The expiry is a day in the organization's time zone: typed, listed and enforced as that day,
ending at its midnight there, whatever the viewer's own zone (docs/api.md)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from integration.api.models import ApiToken
from portal.accounts.models import OrgRole
from tests.factories.organizations import UserFactory
from tests.http import text

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"mrd_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _admin(organization, **extra):
    return UserFactory(organization=organization, org_role=OrgRole.ADMIN, **extra)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _make(client, name="Warehouse", expires_on=None):
    expires_on = expires_on or (dt.date.today() + dt.timedelta(days=30))
    return client.post(reverse("api:tokens"), {"name": name, "expires_on": expires_on.isoformat()})


def _stored_sessions() -> str:
    return " ".join(str(session.get_decoded()) for session in Session.objects.all())


def test_a_reload_after_making_a_token_shows_it_no_more_and_makes_no_second_one(sponsor):
    admin = _admin(sponsor)
    client = _signed_in(admin)
    response = _make(client)
    token = ApiToken.objects.get()
    shown_at = response["Location"]
    assert response.status_code == 302 and shown_at == f"{reverse('api:tokens')}?made={token.pk}"
    # Until it is shown, the secret waits in the server-side session, never in a cookie.
    assert str(token.prefix) in _stored_sessions()
    assert all(token.prefix not in cookie.value for cookie in client.cookies.values())

    first = client.get(shown_at)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    (secret,) = SECRET.findall(text(first))
    assert "Copy it now: it will not be shown again" in text(first)
    assert token.prefix in secret and secret not in _stored_sessions()

    # The reload: the same URL, the list without the secret, no second token.
    again = client.get(shown_at)
    assert again.status_code == 200
    assert secret not in text(again) and not SECRET.search(text(again))
    assert "was shown once and cannot be shown again" in text(again)
    assert ApiToken.objects.count() == 1
    for later in (client.get(reverse("api:tokens")), client.get(reverse("organizations:members"))):
        assert secret not in text(later)
    # The token works: the one shown is the one made.
    assert Client().get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_another_admins_session_never_sees_the_secret(sponsor, outsider):
    maker, colleague = _admin(sponsor), _admin(sponsor)
    maker_client = _signed_in(maker)
    shown_at = _make(maker_client)["Location"]
    # A colleague of the same organization, and an admin of another, open the same address first.
    for other in (colleague, outsider):
        page = text(_signed_in(other).get(shown_at))
        assert not SECRET.search(page) and "Copy it now" not in page
    # The maker still gets it, once.
    assert len(SECRET.findall(text(maker_client.get(shown_at)))) == 1
    assert not SECRET.search(text(maker_client.get(shown_at)))
    assert ApiToken.objects.count() == 1


def test_two_tokens_made_in_a_row_each_show_their_own_secret_once(sponsor):
    client = _signed_in(_admin(sponsor))
    first_at, second_at = _make(client, "First")["Location"], _make(client, "Second")["Location"]
    second = SECRET.findall(text(client.get(second_at)))
    first = SECRET.findall(text(client.get(first_at)))
    assert len(first) == len(second) == 1 and first != second
    tokens = {token.name: token.prefix for token in ApiToken.objects.all()}
    assert tokens["First"] in first[0] and tokens["Second"] in second[0]


def test_a_refused_form_makes_nothing_and_keeps_nothing(sponsor):
    client = _signed_in(_admin(sponsor))
    response = _make(client, name="", expires_on=dt.date.today() + dt.timedelta(days=3))
    assert response.status_code == 200 and "This field is required" in text(response)
    assert not ApiToken.objects.exists() and "one-time:" not in _stored_sessions()


def test_the_expiry_day_typed_listed_and_enforced_agree_in_new_york(sponsor):
    """At 23:30 on 4 January in New York it is already 5 January in UTC. The day typed, the day
    listed (to a viewer in New York and to one in Tokyo) and the day the token works through are
    the same: 10 January, ending at midnight in New York."""
    sponsor.time_zone = "America/New_York"
    sponsor.save()
    admin = _admin(sponsor, time_zone="America/New_York")
    late_evening = dt.datetime(2027, 1, 4, 23, 30, tzinfo=NEW_YORK)
    with time_machine.travel(late_evening, tick=False):
        client = _signed_in(admin)
        form = text(client.get(reverse("api:tokens")))
        assert 'value="2027-04-04"' in form  # 90 days after 4 January, New York's today
        assert "end of that day, America/New York time" in form
        # Tomorrow in New York is a day after today, though UTC's date is already 5 January.
        assert _make(client, "Tomorrow", dt.date(2027, 1, 5)).status_code == 302
        refused = _make(client, "Today", dt.date(2027, 1, 4))
        assert "Choose a day after today." in text(refused)
        secret = SECRET.search(text(client.get(_make(client, "Ten", dt.date(2027, 1, 10))["Location"])))
        secret = secret.group(0)
    token = ApiToken.objects.get(name="Ten")
    assert token.expires_at == dt.datetime(2027, 1, 11, 0, 0, tzinfo=NEW_YORK)
    tokyo = _admin(sponsor, time_zone="Asia/Tokyo")
    for viewer in (admin, tokyo):
        row = re.search(
            r"<tr>\s*<td data-label=\"Name\">Ten</td>.*?</tr>",
            text(_signed_in(viewer).get(reverse("api:tokens"))),
            re.S,
        )
        assert "end of 10 Jan 2027" in row.group(0), viewer.time_zone

    api = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    with time_machine.travel(dt.datetime(2027, 1, 10, 23, 59, 59, tzinfo=NEW_YORK), tick=False):
        assert api.get("/api/v1/projects", **bearer).status_code == 200
    with time_machine.travel(dt.datetime(2027, 1, 11, 0, 0, 1, tzinfo=NEW_YORK), tick=False):
        assert api.get("/api/v1/projects", **bearer).status_code == 401
        listing = text(_signed_in(admin).get(reverse("api:tokens")))
        row = re.search(r"<tr>\s*<td data-label=\"Name\">Ten</td>.*?</tr>", listing, re.S).group(0)
        assert "Expired" in row

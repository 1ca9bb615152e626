"""Signing through a fresh sign-in at the sponsor's identity provider: the sponsor's project lead
confirms minutes (the first signed action, as in tests/signatures/test_signing.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from portal.signatures.models import Meaning
from portal.signatures.registry import signed_action

from .conftest import PORTAL
from .idp import walk_to_portal

ACTION = "meetings.minutes_confirm"
LOGIN_PAGE = "Sign in to the test identity provider"


def confirm_url(meeting) -> str:
    return reverse(
        "meetings:minutes_confirm", kwargs={"project_id": meeting.project_id, "meeting_id": meeting.pk}
    )


def signing_form(meeting, **extra) -> dict:
    return {
        "meaning": Meaning.CONFIRMED,
        "shown": signed_action(ACTION).digest(meeting),
        "comment": "Matches my notes.",
        **extra,
    }


def start_signing(client, meeting, **extra):
    """Submit the signing dialog: the page that continues to the identity provider."""
    response = client.post(confirm_url(meeting), signing_form(meeting, **extra))
    assert response.status_code == 200 and "continue_url" in response.context, response.content[:500]
    return response.context["continue_url"]


def round_trip(client, continue_url, *, browser, login="emily", password="emilys-idp-password", pages=None):
    """Through the identity provider and back: the page the signer lands on (after the callback)."""
    callback = walk_to_portal(
        continue_url, PORTAL, login=login, password=password, session=browser, pages=pages
    )
    response = client.get(callback.removeprefix(PORTAL))
    assert response.status_code == 302, response.content[:500]
    back = response["Location"]
    return back, client.get(back)


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
